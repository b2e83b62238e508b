import { describe, expect, it } from '@jest/globals';
import { sanitizeSql, sqlSummary } from './sql-tracing.js';

describe('SQL spans', () => {
  it('mask every literal MikroORM inlines, keeping identifiers and placeholders', () => {
    expect(
      sanitizeSql(
        `insert into "account" ("id", "email", "created_at", "n") values ('6f1c-9b', 'o''brien@example.com', '2026-01-02T03:04:05Z', 42) returning "id"`,
      ),
    ).toBe(`insert into "account" ("id", "email", "created_at", "n") values (?, ?, ?, ?) returning "id"`);
    expect(sanitizeSql(`select "o0".* from "order" as "o0" where "o0"."total" > -12.5 limit 200`)).toBe(
      `select "o0".* from "order" as "o0" where "o0"."total" > ? limit ?`,
    );
    // JSON with escaped quotes, an E-string with a backslash escape, placeholders untouched.
    expect(sanitizeSql(`update t set j = '{"a":"x\\"y"}', s = E'it\\'s', k = $1`)).toBe(
      `update t set j = ?, s = ?, k = $1`,
    );
    expect(sanitizeSql(`select '${'x'.repeat(5_000)}'`)).toBe('select ?');
    expect(sanitizeSql(`select ${'1, '.repeat(1_500)}1`)).toHaveLength(2_001);
  });

  it('summarise a statement as its operation and single table', () => {
    expect(sqlSummary(`select "o0".* from "order" as "o0"`)).toEqual({
      operation: 'SELECT',
      collection: 'order',
    });
    expect(sqlSummary(`  insert into "outbox_message" ("seq") values (1)`)).toEqual({
      operation: 'INSERT',
      collection: 'outbox_message',
    });
    expect(sqlSummary(`update "stock" set "on_hand" = 1`)).toEqual({
      operation: 'UPDATE',
      collection: 'stock',
    });
    expect(sqlSummary(`delete from outbox_message where seq in (1)`)).toEqual({
      operation: 'DELETE',
      collection: 'outbox_message',
    });
    expect(sqlSummary('begin')).toEqual({ operation: 'BEGIN' });
    expect(sqlSummary(`select pg_try_advisory_xact_lock(hashtext('x')) as locked`)).toEqual({
      operation: 'SELECT',
    });
  });
});
