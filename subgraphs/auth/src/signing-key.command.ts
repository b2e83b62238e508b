import { openDatabase, type Logger } from '@shop/platform';
import type { AuthConfig } from './config.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';
import { JWKS_MAX_AGE_SECONDS } from './app.js';
import { createSigningKeys, type KeyRotation } from './signing-key.service.js';

export const ROTATE_USAGE = 'usage: main.mjs rotate-signing-key [--immediately]';

/**
 * `node main.mjs rotate-signing-key [--immediately]` (in the auth image: `kubectl exec deploy/<release>-auth
 * -- node main.mjs rotate-signing-key`; locally `npm run auth:rotate-signing-key`): rotates the
 * access-token signing key in the auth database the environment names, with the same configuration
 * the service reads, prints the rotation as JSON and exits. Running services pick the new key up by
 * themselves (they read the key set again within a minute).
 */
export async function rotateSigningKeyCommand(
  config: AuthConfig,
  logger: Logger,
  args: readonly string[],
): Promise<KeyRotation> {
  const unknown = args.filter((arg) => arg !== '--immediately');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}; ${ROTATE_USAGE}`);
  const orm = await openDatabase({
    url: config.DATABASE_URL,
    dbName: config.DATABASE_NAME ?? 'auth',
    entities,
    migrations,
    logger,
  });
  try {
    const keys = createSigningKeys({
      orm,
      logger,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL,
      secret: config.SIGNING_KEY_SECRET,
      jwksMaxAgeSeconds: JWKS_MAX_AGE_SECONDS,
    });
    await keys.ensure();
    return await keys.rotate({ immediately: args.includes('--immediately') });
  } finally {
    await orm.close(true);
  }
}
