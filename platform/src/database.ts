import { MikroORM, type EntityManager, type Options } from '@mikro-orm/postgresql';
import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import type { Logger } from './logger.js';
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
}

/**
 * Connects MikroORM to the subgraph's database (creating it when missing) and applies the
 * committed migrations, all or nothing. Each statement is a span of the trace it runs in (tracing on;
 * see `traceSqlConnection`). The global EntityManager refuses to work outside a fork
 * (`allowGlobalContext: false`): use `orm.em.fork()` per request and per message.
 * Rejects when Postgres cannot be reached or a migration fails; the process should then exit.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
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
      options.onQuery?.(sql);
      return sql;
    },
    debug: false,
  });
  const applied = await orm.migrator.up();
  if (applied.length > 0) {
    options.logger?.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
  }
  return orm;
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
