import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { createRouterMetrics } from './router-metrics.js';
import { isReadOperation, SubgraphDataSource } from './subgraph-data-source.js';

describe('isReadOperation', () => {
  it('is true for queries, shorthand or named, and false for mutations and anything else', () => {
    expect(isReadOperation('{ me { id } }')).toBe(true);
    expect(isReadOperation('  query Me { me { id } }')).toBe(true);
    expect(
      isReadOperation(
        'query($representations:[_Any!]!){_entities(representations:$representations){__typename}}',
      ),
    ).toBe(true);
    expect(isReadOperation('mutation { placeOrder { id } }')).toBe(false);
    expect(isReadOperation('subscription { orderStatusChanged { id } }')).toBe(false);
    expect(isReadOperation('queryX { a }')).toBe(false);
    expect(isReadOperation(undefined)).toBe(false);
  });
});

// A subgraph whose answer the test chooses per query: what the data source makes of each.
describe('SubgraphDataSource answers', () => {
  let server: Server;
  let url: string;
  const seen: { headers: Record<string, unknown>; body: unknown }[] = [];
  const metrics = createRouterMetrics();
  let source: SubgraphDataSource;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => (text += chunk.toString()));
      request.on('end', () => {
        const body = JSON.parse(text) as { query: string };
        seen.push({ headers: request.headers, body });
        const reply = (status: number, type: string, payload: string) =>
          response.writeHead(status, { 'content-type': type, 'cache-control': 'max-age=30' }).end(payload);
        if (body.query.includes('denied'))
          reply(
            401,
            'application/json',
            JSON.stringify({ errors: [{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }] }),
          );
        else if (body.query.includes('broken')) reply(502, 'text/html', '<html>bad gateway</html>');
        else if (body.query.includes('text')) reply(200, 'text/plain', 'hello');
        else reply(200, 'application/json; charset=utf-8', JSON.stringify({ data: { ping: 'pong' } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    source = new SubgraphDataSource({ name: 'products', url, metrics });
  });
  afterAll(async () => {
    await source.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const hints: unknown[] = [];
  const process = (query: string, variables?: Record<string, unknown>) =>
    source.process({
      // GraphQLDataSourceRequestKind.INCOMING_OPERATION (the enum is not exported to ESM)
      kind: 'incoming operation' as GraphQLDataSourceProcessOptions['kind'] & 'incoming operation',
      request: { query, variables, operationName: 'Op' },
      context: {},
      incomingRequestContext: {
        overallCachePolicy: { restrict: (hint: unknown) => hints.push(hint) },
      } as never,
    });

  it('posts the operation as JSON, returns the answer and restricts the cache policy by its Cache-Control', async () => {
    hints.length = 0;
    const response = await process('query Op($id: ID!) { ping(id: $id) }', { id: '7' });
    expect(response.data).toEqual({ ping: 'pong' });
    expect(hints).toEqual([{ maxAge: 30 }]);
    const last = seen.at(-1)!;
    expect(last.body).toEqual({
      query: 'query Op($id: ID!) { ping(id: $id) }',
      variables: { id: '7' },
      operationName: 'Op',
    });
    expect(last.headers['content-type']).toBe('application/json');
  });

  it('passes on the GraphQL errors of a non-2xx answer that is a GraphQL response (a subgraph’s 401)', async () => {
    const response = await process('query Op { denied }');
    expect(response.errors).toEqual([{ message: 'no', extensions: { code: 'UNAUTHENTICATED' } }]);
  });

  it('turns an answer that is no GraphQL response into SUBREQUEST_HTTP_ERROR naming the subgraph, not its URL', async () => {
    for (const query of ['query Op { broken }', 'query Op { text }']) {
      const outcome = await process(query).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(outcome).toBeInstanceOf(GraphQLError);
      const error = outcome as GraphQLError;
      expect([error.message, error.extensions]).toEqual([
        'Subgraph "products" request failed',
        { code: 'SUBREQUEST_HTTP_ERROR', serviceName: 'products' },
      ]);
      expect(JSON.stringify(error.extensions)).not.toContain('127.0.0.1');
    }
  });
});
