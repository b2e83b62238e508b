import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/** The SQL statements one GraphQL request over HTTP has sent so far. */
interface StatementScope {
  statements: number;
}

const scopes = new AsyncLocalStorage<StatementScope>();

/**
 * Express middleware: everything the request does from here on (its context, resolvers, DataLoader
 * batches) counts its SQL statements in a scope of its own, read by the metrics plugin when the
 * response is sent (`graphql_operation_sql_statements`).
 */
export function countSqlStatements(): RequestHandler {
  return (_req, _res, next) => scopes.run({ statements: 0 }, next);
}

/** Counts one statement for the request it was sent for; outside a request (consumers, relays) it is not counted. */
export function noteSqlStatement(): void {
  const scope = scopes.getStore();
  if (scope) scope.statements += 1;
}

/** The statements the current request has sent so far; undefined outside a counted request. */
export function sqlStatementsSoFar(): number | undefined {
  return scopes.getStore()?.statements;
}
