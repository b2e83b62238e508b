import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { isDependencyUnavailable, openDatabase, type Database } from '../src/index.js';
import {
  dropDatabase,
  startTcpProxy,
  testDatabaseUrl,
  uniqueDatabaseName,
  waitFor,
  type TcpProxy,
} from '../src/testing/index.js';
import { entities } from './fixture/src/entities.js';
import { migrations } from './fixture/src/migrations/index.js';

// Start-up against a Postgres that cannot be reached yet: through a TCP proxy that refuses connections
// (as a server still starting, or a name not resolving yet, does) until the test lets them through.
describe('openDatabase while Postgres cannot be reached yet', () => {
  const dbName = uniqueDatabaseName('startup');
  const target = new URL(testDatabaseUrl());
  let proxy: TcpProxy;
  let orm: Database | undefined;
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const viaProxy = () => {
    const url = new URL(target);
    url.host = `127.0.0.1:${proxy.port}`;
    return url.toString();
  };

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });
  afterAll(async () => {
    await orm?.close(true);
    await proxy?.close();
    await dropDatabase(dbName);
  });

  it('keeps trying, then opens and migrates once Postgres answers', async () => {
    await proxy.down();
    const opening = openDatabase({
      url: viaProxy(),
      dbName,
      entities,
      migrations,
      logger,
      startupWaitMs: 60_000,
    });
    await waitFor(
      () => warnings.some((line) => line.includes('Postgres cannot be reached yet')),
      20_000,
      'a retry',
    );
    await proxy.up();
    orm = await opening;
    const [row] = await orm.em.fork().getConnection().execute<{ one: number }[]>('select 1 as one');
    expect(row).toEqual({ one: 1 });
  });

  it('gives up after startupWaitMs with the cause', async () => {
    await proxy.down();
    const error = await openDatabase({
      url: viaProxy(),
      dbName,
      entities,
      migrations,
      logger,
      startupWaitMs: 300,
    }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isDependencyUnavailable(error)).toBe(true);
  });
});
