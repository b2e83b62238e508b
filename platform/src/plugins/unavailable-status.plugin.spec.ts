import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { GraphQLError, buildSchema } from 'graphql';
import { serviceUnavailable } from '../errors.js';
import { retryAfterOf, unavailableStatusPlugin } from './unavailable-status.plugin.js';

const down = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const schema = buildSchema(
  'type Query { ok: String, gone: String, alsoGone: String, refused: String, bug: String, shedding: String, odd: String }',
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
  shedding: () => {
    throw serviceUnavailable('Too busy', 5);
  },
  odd: () => {
    throw new GraphQLError('odd', { extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 'soon' } });
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
        await answer('{ shedding }'),
        await answer('{ gone shedding }'),
        await answer('{ odd }'),
      ]).toEqual([
        ['{ gone }', 503, '2'],
        ['{ gone alsoGone }', 503, '2'],
        // Partly served: the data that is there is worth more than a status.
        ['{ ok gone }', 200, null],
        // Another kind of error among them: retrying the same request would not help.
        ['{ gone refused }', 200, null],
        ['{ gone bug }', 200, null],
        ['{ ok }', 200, null],
        // The error's own retryAfterSeconds raises the header; a malformed one is ignored.
        ['{ shedding }', 503, '5'],
        ['{ gone shedding }', 503, '5'],
        ['{ odd }', 503, '2'],
      ]);
    } finally {
      await server.stop();
    }
  });
});

describe('retryAfterOf', () => {
  it('reads a positive whole number of seconds, and nothing else', () => {
    expect(retryAfterOf(serviceUnavailable('busy', 3))).toBe(3);
    expect(retryAfterOf(serviceUnavailable())).toBe(0);
    for (const bad of [0, -1, 1.5, '2', null]) {
      expect(retryAfterOf({ extensions: { retryAfterSeconds: bad } })).toBe(0);
    }
    expect(retryAfterOf({})).toBe(0);
  });
});
