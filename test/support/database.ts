import { MikroORM } from '@mikro-orm/postgresql';
import { testDatabaseUrl } from '../../platform/src/testing/database.js';

type Connection = ReturnType<ReturnType<MikroORM['em']['fork']>['getConnection']>;

/** Opens a short-lived connection to one of a stack's databases for `work`, then closes it. */
async function withConnection<T>(database: string, work: (conn: Connection) => Promise<T>): Promise<T> {
  const orm = await MikroORM.init({
    clientUrl: testDatabaseUrl(),
    dbName: database,
    entities: [],
    discovery: { warnWhenNoEntities: false },
    ensureDatabase: false,
  });
  try {
    return await work(orm.em.fork().getConnection());
  } finally {
    await orm.close(true);
  }
}

/**
 * Runs `sql` (with `?` placeholders) against one of a stack's databases and resolves its rows: how
 * a spec looks at what a subgraph stored without going through its API (outbox rows, payments).
 */
export async function sql<R = Record<string, unknown>>(
  database: string,
  text: string,
  params: unknown[] = [],
): Promise<R[]> {
  return withConnection(database, (conn) => conn.execute<R[]>(text, params));
}

/** Tables the kit keeps for itself; their rows change with every delivery and publish by design. */
const BOOKKEEPING = ['processed_event', 'outbox_message', 'mikro_orm_migrations'];

/**
 * Every row of every table of `database` except the kit's bookkeeping, as `table -> sorted JSON
 * rows`, for comparing a database before and after something that must change nothing.
 */
export async function snapshot(database: string): Promise<Record<string, string[]>> {
  return withConnection(database, async (conn) => {
    const tables = await conn.execute<{ table_name: string }[]>(
      `select table_name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
    );
    const result: Record<string, string[]> = {};
    for (const { table_name: table } of tables) {
      if (BOOKKEEPING.includes(table)) continue;
      const rows = await conn.execute<Record<string, unknown>[]>(`select * from "${table}"`);
      result[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return result;
  });
}

/** Rows that differ between two snapshots, as `database.table: +n row` (added) / `-n row` (gone) lines. */
export function differences(
  before: Record<string, Record<string, string[]>>,
  after: Record<string, Record<string, string[]>>,
): string[] {
  const lines: string[] = [];
  for (const database of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = before[database] ?? {};
    const a = after[database] ?? {};
    for (const table of new Set([...Object.keys(b), ...Object.keys(a)])) {
      // Multisets: a row stored twice is a difference too.
      const count = new Map<string, number>();
      for (const row of a[table] ?? []) count.set(row, (count.get(row) ?? 0) + 1);
      for (const row of b[table] ?? []) count.set(row, (count.get(row) ?? 0) - 1);
      for (const [row, n] of count) {
        if (n > 0) lines.push(`${database}.${table}: +${n} ${row}`);
        if (n < 0) lines.push(`${database}.${table}: ${n} ${row}`);
      }
    }
  }
  return lines;
}
