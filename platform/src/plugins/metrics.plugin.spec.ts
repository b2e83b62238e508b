import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { GraphQLError, buildSchema } from 'graphql';
import { createMetrics } from '../metrics.js';
import { metricsPlugin } from './metrics.plugin.js';

const schema = buildSchema('type Query { ok: String, boom: String, again: String, refused: String }');
const rootValue = {
  ok: () => 'fine',
  boom: () => {
    throw new Error('database gone');
  },
  again: () => {
    throw new Error('still gone');
  },
  refused: () => {
    throw new GraphQLError('no', { extensions: { code: 'BAD_USER_INPUT' } });
  },
};

describe('metricsPlugin', () => {
  it('counts an operation with server errors once as failed, and never one with caller errors only', async () => {
    const metrics = createMetrics('plugin-spec');
    const server = new ApolloServer({ schema, rootValue, plugins: [metricsPlugin({ metrics })] });
    await server.start();
    try {
      for (const query of [
        'query Fine { ok }',
        'query Broken { boom again }',
        'query Broken { ok boom }',
        'query Refused { refused }',
      ])
        await server.executeOperation({ query });
    } finally {
      await server.stop();
    }
    const failed = (await metrics.operationsFailed.get()).values;
    expect(failed).toEqual([{ labels: { operation: 'Broken', type: 'query' }, value: 2 }]);
    const errors = (await metrics.errors.get()).values.map((v) => [
      v.labels.code,
      v.labels.operation,
      v.value,
    ]);
    expect(errors).toEqual(
      expect.arrayContaining([
        ['INTERNAL_SERVER_ERROR', 'Broken', 3],
        ['BAD_USER_INPUT', 'Refused', 1],
      ]),
    );
    const counts = (await metrics.operationDuration.get()).values
      .filter((v) => v.metricName === 'graphql_operation_duration_seconds_count')
      .map((v) => [v.labels.operation, v.value]);
    expect(counts).toEqual(
      expect.arrayContaining([
        ['Fine', 1],
        ['Broken', 2],
        ['Refused', 1],
      ]),
    );
  });
});
