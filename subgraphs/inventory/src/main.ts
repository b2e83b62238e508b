import { createLogger, openRuntime, runService } from '@shop/platform';
import { buildApp } from './app.js';
import { readConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

const config = readConfig();
const logger = createLogger('inventory', { level: config.LOG_LEVEL });

await runService(logger, async () => {
  const runtime = await openRuntime({
    name: 'inventory',
    logger,
    databaseUrl: config.DATABASE_URL,
    entities,
    migrations,
    kafkaBrokers: config.KAFKA_BROKERS,
    jwks: new URL(config.AUTH_JWKS_URL),
    jwtIssuer: config.JWT_ISSUER,
    jwtAudience: config.JWT_AUDIENCE,
  });
  const app = buildApp(runtime, { productsUrl: config.PRODUCTS_URL });
  const consumers = (await app.startConsumers?.()) ?? [];
  await app.service.listen(config.PORT, config.HOST);
  return [{ name: 'http', stop: () => app.service.close() }, ...consumers, ...runtime.stoppables];
});
