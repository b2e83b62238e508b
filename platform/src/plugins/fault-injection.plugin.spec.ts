import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { buildSchema } from 'graphql';
import { createMetrics } from '../metrics.js';
import { faultInjectionPlugin } from './fault-injection.plugin.js';
import { metricsPlugin } from './metrics.plugin.js';

const schema = buildSchema('type Query { ok: String } type Mutation { touch: String }');
const rootValue = { ok: () => 'fine', touch: () => 'touched' };

async function serve(errorRatio: number) {
  const metrics = createMetrics('orders');
  const server = new ApolloServer({
    schema,
    rootValue,
    plugins: [metricsPlugin({ metrics }), faultInjectionPlugin({ errorRatio })],
  });
  await server.start();
  return { server, metrics };
}

describe('faultInjectionPlugin', () => {
  it('fails exactly that share of operations with INTERNAL_SERVER_ERROR and HTTP 500, counted as failed', async () => {
    const { server, metrics } = await serve(0.3);
    try {
      const answers = [];
      for (let i = 0; i < 20; i++) {
        const response = await server.executeOperation({
          query: i % 2 ? 'query Probe { ok }' : 'mutation Touch { touch }',
        });
        const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
        answers.push({
          status: response.http.status ?? 200,
          code: body?.errors?.[0]?.extensions?.code,
          data: body?.data ?? null,
        });
      }
      const failed = answers.filter((a) => a.status === 500);
      expect(failed).toHaveLength(6);
      expect(failed.every((a) => a.code === 'INTERNAL_SERVER_ERROR' && a.data === null)).toBe(true);
      // Spread out, never bunched: three in each run of ten.
      expect(answers.slice(0, 10).filter((a) => a.status === 500)).toHaveLength(3);
      expect(answers.filter((a) => a.status === 200).every((a) => a.code === undefined)).toBe(true);
      const counted = (await metrics.operationsFailed.get()).values.reduce((n, v) => n + v.value, 0);
      expect(counted).toBe(6);
    } finally {
      await server.stop();
    }
  });

  it('fails nothing at 0 and everything at 1', async () => {
    for (const [ratio, expected] of [
      [0, 0],
      [1, 5],
    ] as const) {
      const { server } = await serve(ratio);
      try {
        let failed = 0;
        for (let i = 0; i < 5; i++)
          if (((await server.executeOperation({ query: '{ ok }' })).http.status ?? 200) === 500) failed++;
        expect(failed).toBe(expected);
      } finally {
        await server.stop();
      }
    }
  });

  it('refuses a ratio outside 0..1', () => {
    expect(() => faultInjectionPlugin({ errorRatio: 1.5 })).toThrow(RangeError);
    expect(() => faultInjectionPlugin({ errorRatio: Number.NaN })).toThrow(RangeError);
  });
});
