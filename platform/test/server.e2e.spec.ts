import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { gql } from 'graphql-tag';
import {
  createGraphQLService,
  createJwtVerifier,
  createLogger,
  notFound,
  type GraphQLService,
  type RequestContext,
} from '../src/index.js';
import { createTestIssuer, graphql, type TestIssuer } from '../src/testing/index.js';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Widget @key(fields: "id") {
    id: ID!
    owner: String
  }
  type Query {
    whoami: String
    missing: Widget
    broken: Widget
    slow(ms: Int!): Int!
  }
`;

describe('GraphQL service of the kit', () => {
  let issuer: TestIssuer;
  let service: GraphQLService;
  let base: string;
  let ready = true;

  beforeAll(async () => {
    issuer = await createTestIssuer();
    service = createGraphQLService<RequestContext>({
      name: 'widgets',
      typeDefs,
      resolvers: {
        Query: {
          whoami: (_: unknown, __: unknown, ctx: RequestContext) =>
            `${ctx.viewer?.id ?? 'anonymous'} ${ctx.requestId}`,
          missing: () => {
            throw notFound('No such widget');
          },
          broken: () => {
            throw new Error('select * from widget -- connect ECONNREFUSED db-internal:5432');
          },
          slow: async (_: unknown, { ms }: { ms: number }) => {
            await new Promise((r) => setTimeout(r, ms));
            return ms;
          },
        },
      },
      logger: createLogger('widgets', { level: 'silent' }),
      verifyToken: createJwtVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience }),
      context: (ctx) => ctx,
      readiness: { dependency: async () => ready },
    });
    base = (await service.listen(0, '127.0.0.1')).url;
  });

  afterAll(() => service.close());

  it('serves GraphQL with the verified viewer and a request id (given or generated)', async () => {
    const token = await issuer.token('user-7');
    const response = await graphql(
      `${base}/graphql`,
      '{ whoami }',
      {},
      { token, headers: { 'x-request-id': 'req-123' } },
    );
    expect(response.data).toEqual({ whoami: 'user-7 req-123' });
    expect(response.headers.get('x-request-id')).toBe('req-123');
    const anonymous = await graphql(`${base}/graphql`, '{ whoami }');
    expect(anonymous.data.whoami).toMatch(/^anonymous [0-9a-f-]{36}$/);
  });

  it('refuses an expired token before executing', async () => {
    const token = await issuer.token('user-7', { expiresIn: -5 });
    const response = await graphql(`${base}/graphql`, '{ whoami }', {}, { token });
    expect(response.data).toBeFalsy();
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps domain errors and masks internal ones', async () => {
    const missing = await graphql(`${base}/graphql`, '{ missing { id } }');
    expect(missing.errors?.[0]).toMatchObject({
      message: 'No such widget',
      extensions: { code: 'NOT_FOUND' },
    });
    const broken = await graphql(`${base}/graphql`, '{ broken { id } }');
    expect(broken.errors?.[0]).toEqual({
      message: 'Internal server error',
      path: ['broken'],
      locations: [{ line: 1, column: 3 }],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(broken)).not.toMatch(/select|ECONNREFUSED|db-internal|stack/);
  });

  it('answers liveness always and readiness from its checks', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    ready = false;
    const notReady = await fetch(`${base}/health/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'unavailable', checks: { dependency: false } });
    ready = true;
  });

  it('exposes Prometheus metrics: operation durations by name and errors by code', async () => {
    await graphql(`${base}/graphql`, 'query Named { missing { id } }');
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/graphql_operation_duration_seconds_count\{[^}]*operation="Named"[^}]*\} [1-9]/);
    expect(text).toMatch(/graphql_errors_total\{[^}]*code="NOT_FOUND"[^}]*operation="Named"[^}]*\} [1-9]/);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('service="widgets"');
  });

  it('drains in-flight requests on close and then fails readiness', async () => {
    const inFlight = graphql(`${base}/graphql`, '{ slow(ms: 300) }');
    await new Promise((r) => setTimeout(r, 50));
    const closing = service.close();
    await expect(inFlight).resolves.toMatchObject({ data: { slow: 300 } });
    await closing;
    await expect(fetch(`${base}/health/live`)).rejects.toThrow();
  });
});
