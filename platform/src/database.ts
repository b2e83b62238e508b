import { MikroORM, type EntityManager, type Options } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDependencyUnavailable } from './errors.js';
import type { Logger } from './logger.js';
import { noteSqlStatement } from './sql-statements.js';
import { traceSqlConnection } from './sql-tracing.js';

export type { EntityManager } from '@mikro-orm/postgresql';
export type Database = MikroORM;

export interface DatabaseOptions {
  /** Postgres URL; its database name is replaced by `dbName`. */
  url: string;
  /** The subgraph's own database, created when missing. */
  dbName: string;
  /** Entities (defineEntity / EntitySchema); listed explicitly, no folder discovery. */
  entities: NonNullable<Options['entities']>;
  /** The committed migrations, oldest first. */
  migrations: MigrationObject[];
  logger?: Logger;
  /** Connection pool size (default 10). */
  poolSize?: number;
  /** Called with every SQL statement the ORM sends (tests count statements with it). */
  onQuery?: (sql: string) => void;
  /**
   * How long to keep trying, from the first failure, while Postgres cannot be reached (refused, reset,
   * its name not resolving yet, starting up), backing off up to 2 s between attempts, before rejecting.
   * Default 30 000 ms.
   */
  startupWaitMs?: number;
}

/**
 * Connects MikroORM to the subgraph's database (creating it when missing) and applies the
 * committed migrations, all or nothing. Each statement is a span of the trace it runs in (tracing on;
 * see `traceSqlConnection`). The global EntityManager refuses to work outside a fork
 * (`allowGlobalContext: false`): use `orm.em.fork()` per request and per message.
 * A Postgres that cannot be reached yet (a container network's DNS still settling, a server starting up)
 * is tried again for `startupWaitMs` from the first failure (however long the start took until then);
 * rejects after that, or at once when a migration fails; the process
 * should then exit.
 *
 * Replicas starting at once (a fresh install, a scale-up) take turns: creating the database and
 * migrating happen under a Postgres advisory lock per database name (see {@link withMigrationLock}),
 * so exactly one replica creates and migrates and the others then find nothing left to do.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  // The window opens at the first failure, not at the call: waiting for another replica's migration,
  // or migrating on a busy machine, can take longer than the window before a connection first fails.
  let deadline: number | undefined;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await withMigrationLock(options, () => connectAndMigrate(options));
    } catch (error) {
      deadline ??= Date.now() + (options.startupWaitMs ?? 30_000);
      if (!isDependencyUnavailable(error) || Date.now() >= deadline) throw error;
      options.logger?.warn({ err: error, attempt }, 'Postgres cannot be reached yet; trying again');
      await sleep(Math.min(2_000, 100 * 2 ** attempt));
    }
  }
}

/**
 * The database where the migration lock lives: MikroORM's management database, which it connects to
 * to create a missing one (so every replica can reach it).
 */
const LOCK_DATABASE = 'postgres';

/**
 * Runs `work` holding a transaction-level advisory lock (`pg_advisory_xact_lock`) on a key derived
 * from `options.dbName`, in a transaction kept open on one connection to the `postgres` database
 * meanwhile. Advisory locks are scoped to the database they are taken in, which is why it is not the
 * subgraph's own: that may not exist yet. A transaction-level lock (not a session one) also holds
 * through PgBouncer in transaction mode (CloudNativePG's Pooler). A replica that finds the lock taken
 * logs that it waits; the lock ends with the transaction, or when its holder's connection dies.
 */
async function withMigrationLock<T>(options: DatabaseOptions, work: () => Promise<T>): Promise<T> {
  const url = new URL(options.url);
  url.pathname = `/${LOCK_DATABASE}`;
  const lockOrm = await MikroORM.init({
    clientUrl: url.toString(),
    dbName: LOCK_DATABASE,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
    pool: { min: 0, max: 1 },
    debug: false,
  });
  const key = `shop.migrations:${options.dbName}`;
  try {
    const connection = lockOrm.em.fork().getConnection();
    return await connection.transactional(async (trx) => {
      const [tried] = await connection.execute<{ locked: boolean }[]>(
        'select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as locked',
        [key],
        'all',
        trx,
      );
      if (!tried?.locked) {
        options.logger?.info({ database: options.dbName }, 'waiting for another replica to migrate');
        await connection.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [key], 'all', trx);
      }
      return work();
    });
  } finally {
    await lockOrm.close(true);
  }
}

async function connectAndMigrate(options: DatabaseOptions): Promise<Database> {
  const url = new URL(options.url);
  url.pathname = `/${options.dbName}`;
  const orm = await MikroORM.init({
    clientUrl: url.toString(),
    dbName: options.dbName,
    entities: options.entities,
    extensions: [Migrator],
    allowGlobalContext: false,
    ensureDatabase: true,
    pool: { min: 0, max: options.poolSize ?? 10 },
    migrations: {
      migrationsList: options.migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    // Kysely hands each new pooled connection to this hook: its executeQuery is where SQL spans start.
    onCreateConnection: traceSqlConnection({
      dbName: options.dbName,
      host: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
    }),
    onQuery: (sql) => {
      noteSqlStatement();
      options.onQuery?.(sql);
      return sql;
    },
    debug: false,
  });
  try {
    const applied = await orm.migrator.up();
    if (applied.length > 0) {
      options.logger?.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
    }
    return orm;
  } catch (error) {
    await orm.close(true);
    throw error;
  }
}

/** True when the database answers a trivial query (readiness). */
export async function databaseIsReady(orm: Database): Promise<boolean> {
  try {
    await orm.em.fork().getConnection().execute('select 1');
    return true;
  } catch {
    return false;
  }
}

/** A fresh EntityManager fork: one per request and per Kafka message. */
export const forkEntityManager = (orm: Database): EntityManager => orm.em.fork();
