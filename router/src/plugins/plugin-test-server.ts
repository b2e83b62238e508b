import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { createLogger, type RequestContext, type Viewer } from '@shop/platform/edge';
import { buildSchema } from 'graphql';
import { SUPERGRAPH } from '../test-fixtures.js';

/**
 * An in-memory Apollo Server over the unit fixture schema for plugin specs (test-only): every root field
 * resolves through `rootValue`, which counts executions, so a spec can tell a refused operation from one
 * that ran.
 */
export function pluginTestServer(plugins: ApolloServerPlugin<RequestContext>[]) {
  let executions = 0;
  const count =
    <T>(value: T) =>
    () => {
      executions += 1;
      return value;
    };
  const product = { id: 'p1', name: 'Lamp', tags: [], related: [], margin: 3 };
  const user = { id: 'u1', name: 'Ada', email: 'ada@example.com', roles: ['CUSTOMER'] };
  const server = new ApolloServer<RequestContext>({
    schema: buildSchema(SUPERGRAPH, { assumeValidSDL: true }),
    rootValue: {
      ping: count('pong'),
      me: count(user),
      users: count([user]),
      product: count(product),
      products: count({ edges: [{ cursor: 'c', node: product }], totalCount: 1 }),
      secret: count({ code: 's3cr3t' }),
      createProduct: count(product),
    },
    plugins,
  });
  const logger = createLogger('plugin-spec', { level: 'silent' });
  return {
    get executions() {
      return executions;
    },
    async run(
      query: string,
      { viewer, variables }: { viewer?: Viewer; variables?: Record<string, unknown> } = {},
    ) {
      const response = await server.executeOperation(
        { query, variables },
        { contextValue: { requestId: 'r1', viewer, logger, authorization: undefined, clientIp: undefined } },
      );
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return { status: response.http.status, ...response.body.singleResult };
    },
    stop: () => server.stop(),
  };
}

export const customer: Viewer = { id: 'u1', roles: ['CUSTOMER'], expiresAt: Date.now() / 1000 + 600 };
export const admin: Viewer = { id: 'u2', roles: ['ADMIN'], expiresAt: Date.now() / 1000 + 600 };
