import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MikroORM } from '@mikro-orm/postgresql';
import { setTimeout as sleep } from 'node:timers/promises';
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
  const logger = pino({ level: 'info' }, { write: (line: string) => void warnings.push(line) });
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

  // A start that took longer than startupWaitMs before its first failure (here: waiting for another
  // replica's migration lock; in a CI run, a busy machine) still gets the whole window from then on.
  it('counts startupWaitMs from the first failure, not from the call', async () => {
    const other = await MikroORM.init({
      clientUrl: testDatabaseUrl(),
      dbName: 'postgres',
      entities: [],
      discovery: { warnWhenNoEntities: false },
      ensureDatabase: false,
      pool: { min: 0, max: 1 },
    });
    let release = () => undefined as void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = () => undefined as void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const connection = other.em.fork().getConnection();
    const holder = connection.transactional(async (trx) => {
      await connection.execute(
        'select pg_advisory_xact_lock(hashtextextended(?, 0))',
        [`shop.migrations:${dbName}`],
        'all',
        trx,
      );
      locked();
      await released;
    });
    try {
      await holding;
      warnings.length = 0;
      const opening = openDatabase({
        url: viaProxy(),
        dbName,
        entities,
        migrations,
        logger,
        startupWaitMs: 5_000,
      });
      opening.catch(() => undefined);
      await waitFor(
        () => warnings.some((line) => line.includes('waiting for another replica to migrate')),
        20_000,
        'the lock wait',
      );
      // Past the window while waiting; then the connection it waits on breaks.
      await sleep(6_000);
      await proxy.down();
      await waitFor(
        () => warnings.some((line) => line.includes('Postgres cannot be reached yet')),
        4_000,
        'a retry after the lock wait broke',
      );
      release();
      await holder;
      await proxy.up();
      await orm?.close(true);
      orm = await opening;
      const [row] = await orm.em.fork().getConnection().execute<{ one: number }[]>('select 1 as one');
      expect(row).toEqual({ one: 1 });
    } finally {
      release();
      await holder.catch(() => undefined);
      await other.close(true);
      await proxy.up();
    }
  }, 60_000);

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

  // A connection reset inside a transaction (a Postgres restart, a network drop) fails that
  // transaction, and its pooled connection is discarded, not kept checked out: with a pool of one,
  // the next query still gets a connection, and closing does not wait for the lost one.
  it('gives a transaction broken by a connection reset its pool slot back', async () => {
    await proxy.up();
    await orm?.close(true);
    orm = await openDatabase({ url: viaProxy(), dbName, entities, migrations, logger, poolSize: 1 });
    const connection = orm.em.fork().getConnection();
    for (let round = 0; round < 3; round += 1) {
      let started = () => undefined as void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const broken = connection.transactional(async (trx) => {
        started();
        await connection.execute('select pg_sleep(30)', [], 'all', trx);
      });
      await running;
      await waitFor(() => proxy.resetConnections() > 0, 5_000, 'the transaction connection');
      const error = await broken.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(isDependencyUnavailable(error)).toBe(true);
    }
    const [row] = await connection.execute<{ one: number }[]>('select 1 as one');
    expect(row).toEqual({ one: 1 });
    await orm.close(true);
    orm = undefined;
  }, 60_000);
});
