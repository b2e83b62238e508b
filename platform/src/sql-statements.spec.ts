import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import DataLoader from 'dataloader';
import type { Request, Response } from 'express';
import { buildSchema } from 'graphql';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createMetrics } from './metrics.js';
import { metricsPlugin } from './plugins/metrics.plugin.js';
import { countSqlStatements, noteSqlStatement, sqlStatementsSoFar } from './sql-statements.js';

const schema = buildSchema('type Query { one: Int, batched: [Int], later: Int, none: Int }');

/** Statements as a request's resolvers send them: directly, in a DataLoader batch, after a turn of the loop. */
function rootValue() {
  const loader = new DataLoader<number, number>(async (keys) => {
    noteSqlStatement();
    return keys;
  });
  return {
    one: () => {
      noteSqlStatement();
      return 1;
    },
    batched: () => Promise.all([loader.load(1), loader.load(2), loader.load(3)]),
    later: async () => {
      await nextTurn();
      noteSqlStatement();
      noteSqlStatement();
      return 2;
    },
    none: () => 0,
  };
}

/** Runs `work` as the HTTP route does: inside the middleware's scope. */
const inRequest = <T>(work: () => Promise<T>) =>
  new Promise<T>((resolve, reject) =>
    countSqlStatements()({} as Request, {} as Response, () => void work().then(resolve, reject)),
  );

describe('SQL statements per operation', () => {
  it("records each request's own statements, however its resolvers schedule them, when requests overlap", async () => {
    const metrics = createMetrics('sql-statements-spec');
    // A fresh root (and DataLoader) per operation, as each request has its own context.
    const server = new ApolloServer({
      schema,
      rootValue: () => rootValue(),
      plugins: [metricsPlugin({ metrics })],
    });
    await server.start();
    try {
      await Promise.all([
        inRequest(() => server.executeOperation({ query: 'query Direct { one }' })),
        inRequest(() => server.executeOperation({ query: 'query Mixed { batched later one }' })),
        inRequest(() => server.executeOperation({ query: 'query Nothing { none }' })),
      ]);
      // Outside a request scope nothing is counted, and nothing is recorded.
      noteSqlStatement();
      expect(sqlStatementsSoFar()).toBeUndefined();
      await server.executeOperation({ query: 'query Unscoped { one }' });
    } finally {
      await server.stop();
    }
    const sums = (await metrics.operationSqlStatements.get()).values
      .filter((v) => v.metricName === 'graphql_operation_sql_statements_sum')
      .map((v) => [v.labels.operation, v.value]);
    expect(sums.sort()).toEqual([
      ['Direct', 1],
      ['Mixed', 4],
      ['Nothing', 0],
    ]);
  });
});
