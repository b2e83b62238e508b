import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { testDatabaseUrl } from '@shop/platform/testing';
import { ROOT } from '../../../scripts/build.js';

const run = promisify(execFile);

/** What `rotate-signing-key` prints: the new key, when it signs, and the keys it retires. */
export interface Rotation {
  kid: string;
  activatesAt: string;
  retiring: { kid: string; retiredAt: string }[];
}

/**
 * `node dist/auth/main.mjs rotate-signing-key ...args` against the auth database `database` of the
 * test server, as an operator runs it; resolves what it printed.
 */
export async function rotateSigningKey(database: string, ...args: string[]): Promise<Rotation> {
  const { stdout } = await run(
    process.execPath,
    [join(ROOT, 'dist/auth/main.mjs'), 'rotate-signing-key', ...args],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: testDatabaseUrl(),
        DATABASE_NAME: database,
        JWT_ISSUER: 'shop-auth',
        JWT_AUDIENCE: 'shop',
        LOG_LEVEL: 'silent',
      },
    },
  );
  return JSON.parse(stdout) as Rotation;
}
