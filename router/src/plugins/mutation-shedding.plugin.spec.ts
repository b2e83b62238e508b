import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { Registry, Counter } from 'prom-client';
import { buildSchema, GraphQLError } from 'graphql';
import { mutationSheddingPlugin } from './mutation-shedding.plugin.js';

const schema = buildSchema(`
  type Query { ping: String }
  type Mutation { place: String, cancel: String, local: String, nested: Nested }
  type Nested { inner: String }
`);

/** A server whose mutations count their executions and fail as a subgraph's answer would. */
function server() {
  let clock = 1_000_000;
  const executions: string[] = [];
  /** What `place` answers next: served, or refused by its subgraph (with this Retry-After). */
  let placeRefused: number | undefined;
  const registry = new Registry();
  const shed = new Counter({ name: 'shed', help: 'shed', labelNames: ['field'], registers: [registry] });
  const fromSubgraph = (retryAfterSeconds?: number) =>
    new GraphQLError('Too busy', {
      extensions: {
        code: 'SERVICE_UNAVAILABLE',
        serviceName: 'orders',
        ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      },
    });
  const apollo = new ApolloServer({
    schema,
    rootValue: {
      ping: () => 'pong',
      place: () => {
        executions.push('place');
        if (placeRefused !== undefined) throw fromSubgraph(placeRefused || undefined);
        return 'placed';
      },
      cancel: () => {
        executions.push('cancel');
        return 'cancelled';
      },
      local: () => {
        executions.push('local');
        // The router's own SERVICE_UNAVAILABLE (no serviceName): no window.
        throw new GraphQLError('Tokens cannot be verified', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
      },
      nested: () => {
        executions.push('nested');
        return { inner: () => Promise.reject(fromSubgraph(5)) };
      },
    },
    plugins: [mutationSheddingPlugin({ shed, now: () => clock })],
  });
  return {
    apollo,
    executions,
    shed: async () => (await registry.getSingleMetric('shed')!.get()).values,
    refuse: (seconds: number | undefined) => (placeRefused = seconds),
    advance: (ms: number) => (clock += ms),
    async run(query: string) {
      const response = await apollo.executeOperation({ query });
      const body = response.body.kind === 'single' ? response.body.singleResult : undefined;
      return {
        status: response.http.status ?? 200,
        retryAfter: response.http.headers.get('retry-after') ?? null,
        data: body?.data ?? null,
        errors: body?.errors?.map((e) => ({
          code: e.extensions?.code,
          retry: e.extensions?.retryAfterSeconds,
        })),
      };
    },
  };
}

describe('mutationSheddingPlugin', () => {
  it("refuses a root mutation field its subgraph shed, without running it, until the subgraph's Retry-After", async () => {
    const s = server();
    await s.apollo.start();
    try {
      expect((await s.run('mutation { place }')).data).toEqual({ place: 'placed' });

      s.refuse(2);
      const first = await s.run('mutation { place }');
      expect(first.errors).toEqual([{ code: 'SERVICE_UNAVAILABLE', retry: 2 }]);
      expect(s.executions).toEqual(['place', 'place']);

      // Within the window: the router answers itself; the field never runs.
      s.advance(500);
      const refused = await s.run('mutation { place }');
      expect(refused).toEqual({
        status: 503,
        retryAfter: '2', // 1.5 s left, rounded up
        data: null,
        errors: [{ code: 'SERVICE_UNAVAILABLE', retry: 2 }],
      });
      s.advance(1000);
      const aliased = await s.run('mutation { again: place }');
      expect([aliased.status, aliased.retryAfter]).toEqual([503, '1']);
      expect(s.executions).toEqual(['place', 'place']);
      expect(await s.shed()).toEqual([expect.objectContaining({ labels: { field: 'place' }, value: 2 })]);

      // Other mutations of the subgraph and every query go on.
      expect((await s.run('mutation { cancel }')).data).toEqual({ cancel: 'cancelled' });
      expect((await s.run('{ ping }')).data).toEqual({ ping: 'pong' });
      // An operation with the shed field among others is refused whole (a mutation's fields run in order).
      expect((await s.run('mutation { cancel place }')).status).toBe(503);
      expect(s.executions).toEqual(['place', 'place', 'cancel']);

      // Once the window has passed, the field reaches its subgraph again.
      s.refuse(undefined);
      s.advance(501);
      expect((await s.run('mutation { place }')).data).toEqual({ place: 'placed' });
      expect(s.executions).toEqual(['place', 'place', 'cancel', 'place']);
    } finally {
      await s.apollo.stop();
    }
  });

  it('opens a one-second window when the subgraph gives no Retry-After, and an aliased refusal sheds the field', async () => {
    const s = server();
    await s.apollo.start();
    try {
      s.refuse(0);
      expect((await s.run('mutation { first: place }')).errors).toEqual([
        { code: 'SERVICE_UNAVAILABLE', retry: undefined },
      ]);
      s.advance(999);
      expect((await s.run('mutation { place }')).retryAfter).toBe('1');
      s.advance(1);
      s.refuse(undefined);
      expect((await s.run('mutation { place }')).data).toEqual({ place: 'placed' });
    } finally {
      await s.apollo.stop();
    }
  });

  it("opens no window for the router's own refusals, nested fields or queries", async () => {
    const s = server();
    await s.apollo.start();
    try {
      await s.run('mutation { local }');
      await s.run('mutation { nested { inner } }');
      s.advance(10);
      await s.run('mutation { local }');
      await s.run('mutation { nested { inner } }');
      expect(s.executions).toEqual(['local', 'nested', 'local', 'nested']);
      expect(await s.shed()).toEqual([]);
    } finally {
      await s.apollo.stop();
    }
  });
});
