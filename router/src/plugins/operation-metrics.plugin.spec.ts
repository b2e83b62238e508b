import { afterAll, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { createMetrics } from '@shop/platform/edge';
import { GraphQLError, buildSchema } from 'graphql';
import { operationLimitsPlugin } from './operation-limits.plugin.js';
import { operationMetricsPlugin } from './operation-metrics.plugin.js';
import { pluginTestServer } from './plugin-test-server.js';

describe('operationMetricsPlugin', () => {
  const metrics = createMetrics('plugin-spec');
  const server = pluginTestServer([
    operationMetricsPlugin({ metrics, maxOperationNames: 2 }),
    operationLimitsPlugin({ maxAliases: 0 }),
  ]);
  afterAll(() => server.stop());

  const durationCount = async (operation: string) =>
    (await metrics.operationDuration.get()).values.find(
      (v) => v.metricName === 'graphql_operation_duration_seconds_count' && v.labels.operation === operation,
    )?.value;

  it('records durations by operation and errors by code, with a bounded set of operation names', async () => {
    await server.run('query First { ping }');
    await server.run('query Second { ping }');
    await server.run('query Third { ping }');
    await server.run('{ ping }');
    await server.run('query First { a: ping }');
    expect(await durationCount('First')).toBe(2);
    expect(await durationCount('Second')).toBe(1);
    expect(await durationCount('Third')).toBeUndefined();
    expect(await durationCount('other')).toBe(1);
    expect(await durationCount('anonymous')).toBe(1);
    const errors = (await metrics.errors.get()).values;
    expect(errors).toEqual([{ labels: { code: 'OPERATION_LIMIT_EXCEEDED', operation: 'First' }, value: 1 }]);
  });

  it('counts an operation failed once when a subgraph could not be reached, never for caller errors', async () => {
    const failing = createMetrics('plugin-spec-failed');
    const edge = new ApolloServer({
      schema: buildSchema('type Query { orders: String, stock: String, mine: String }'),
      rootValue: {
        orders: () => {
          throw new GraphQLError('Subgraph "orders" request failed', {
            extensions: { code: 'SUBREQUEST_HTTP_ERROR' },
          });
        },
        stock: () => {
          throw new GraphQLError('Subgraph "inventory" request failed', {
            extensions: { code: 'SUBREQUEST_HTTP_ERROR' },
          });
        },
        mine: () => {
          throw new GraphQLError('Authentication required', { extensions: { code: 'UNAUTHENTICATED' } });
        },
      },
      plugins: [operationMetricsPlugin({ metrics: failing })],
    });
    await edge.start();
    try {
      await edge.executeOperation({ query: 'query Page { orders stock }' });
      await edge.executeOperation({ query: 'query Mine { mine }' });
    } finally {
      await edge.stop();
    }
    expect((await failing.operationsFailed.get()).values).toEqual([
      { labels: { operation: 'Page', type: 'query' }, value: 1 },
    ]);
  });
});
