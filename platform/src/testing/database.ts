import { randomBytes } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';

/** Base Postgres URL of the local stack (override with DATABASE_URL). */
export const testDatabaseUrl = () =>
  process.env.DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/** A unique database name for one test file, e.g. `test_products_3f9a1c2b`. */
export const uniqueDatabaseName = (prefix: string) => `test_${prefix}_${randomBytes(4).toString('hex')}`;

/** Drops a test database (connections are terminated first). */
export async function dropDatabase(name: string): Promise<void> {
  const orm = await MikroORM.init({
    clientUrl: testDatabaseUrl(),
    // DATABASE_URL may name no database (scripts/infra.sh env); the maintenance one always exists.
    dbName: 'postgres',
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
  });
  try {
    const conn = orm.em.fork().getConnection();
    await conn.execute(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = ? and pid <> pg_backend_pid()`,
      [name],
    );
    await conn.execute(`drop database if exists "${name.replace(/"/g, '')}"`);
  } finally {
    await orm.close(true);
  }
}
