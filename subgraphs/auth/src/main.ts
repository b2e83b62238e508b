import {
  createLogger,
  openRuntime,
  runService,
  runtimeOptionsFromConfig,
  startTracing,
} from '@shop/platform';
import { bootstrap, buildApp, type AuthOptions } from './app.js';
import { loadAuthConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { ROTATE_USAGE, rotateSigningKeyCommand } from './signing-key.command.js';

const config = loadAuthConfig();
const logger = createLogger('auth', { level: config.LOG_LEVEL });

// `main.mjs rotate-signing-key [--immediately]`: an operator's command, not the service.
const [command, ...args] = process.argv.slice(2);
if (command !== undefined) {
  if (command !== 'rotate-signing-key') {
    console.error(`unknown command ${command}; ${ROTATE_USAGE}`);
    process.exit(2);
  }
  try {
    console.log(JSON.stringify(await rotateSigningKeyCommand(config, logger, args)));
    process.exit(0);
  } catch (error) {
    console.error(`rotate-signing-key failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set; stopped last, so the shutdown's spans are exported too.
const tracing = await startTracing('auth', { logger });

await runService(logger, async () => {
  const dbName = config.DATABASE_NAME ?? 'auth';
  const runtime = await openRuntime({
    ...runtimeOptionsFromConfig('auth', logger, config),
    entities,
    migrations,
    // Auth verifies tokens with its own keys from its database (buildApp), never over HTTP to
    // itself, so the runtime's verifier gets an empty key set and is not used.
    jwks: { keys: [] },
    redisUrl: config.REDIS_URL,
    // Stacks sharing a Redis (an isolated test stack beside the dev one) keep their login counters apart.
    redisKeyPrefix: dbName === 'auth' ? 'auth:' : `auth:${dbName}:`,
  });
  const options: AuthOptions = {
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL,
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL,
    loginMaxFailures: config.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerIp: config.LOGIN_MAX_FAILURES_PER_IP,
    loginFailureWindowSeconds: config.LOGIN_FAILURE_WINDOW_SECONDS,
    signingKeySecret: config.SIGNING_KEY_SECRET,
    sessionMaxAgeSeconds: config.SESSION_MAX_AGE,
  };
  await bootstrap(runtime, {
    ...options,
    admin:
      config.ADMIN_EMAIL && config.ADMIN_PASSWORD
        ? { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD }
        : undefined,
  });
  const app = buildApp(runtime, options);
  const consumers = (await app.startConsumers?.()) ?? [];
  await app.service.listen(config.PORT, config.HOST);
  return [{ name: 'http', stop: () => app.service.close() }, ...consumers, ...runtime.stoppables, tracing];
});
