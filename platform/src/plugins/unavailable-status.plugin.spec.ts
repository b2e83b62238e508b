import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { GraphQLError, buildSchema } from 'graphql';
import { unavailableStatusPlugin } from './unavailable-status.plugin.js';

const down = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const schema = buildSchema(
  'type Query { ok: String, gone: String, alsoGone: String, refused: String, bug: String }',
);
const rootValue = {
  ok: () => 'fine',
  gone: () => {
    throw down();
  },
  alsoGone: () => {
    throw down();
  },
  refused: () => {
    throw new GraphQLError('no', { extensions: { code: 'BAD_USER_INPUT' } });
  },
  bug: () => {
    throw new TypeError('undefined is not a function');
  },
};

describe('unavailableStatusPlugin', () => {
  it('answers 503 with Retry-After only when every error is retryable and no root field has data', async () => {
    const server = new ApolloServer({
      schema,
      rootValue,
      plugins: [unavailableStatusPlugin({ codes: new Set(['SERVICE_UNAVAILABLE']), retryAfterSeconds: 2 })],
    });
    await server.start();
    const answer = async (query: string) => {
      const response = await server.executeOperation({ query });
      return [query, response.http.status ?? 200, response.http.headers.get('retry-after') ?? null];
    };
    try {
      expect([
        await answer('{ gone }'),
        await answer('{ gone alsoGone }'),
        await answer('{ ok gone }'),
        await answer('{ gone refused }'),
        await answer('{ gone bug }'),
        await answer('{ ok }'),
      ]).toEqual([
        ['{ gone }', 503, '2'],
        ['{ gone alsoGone }', 503, '2'],
        // Partly served: the data that is there is worth more than a status.
        ['{ ok gone }', 200, null],
        // Another kind of error among them: retrying the same request would not help.
        ['{ gone refused }', 200, null],
        ['{ gone bug }', 200, null],
        ['{ ok }', 200, null],
      ]);
    } finally {
      await server.stop();
    }
  });
});
