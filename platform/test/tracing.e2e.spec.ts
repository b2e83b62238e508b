import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { gql } from 'graphql-tag';
import {
  createGraphQLService,
  createJwtVerifier,
  createLogger,
  notFound,
  startTracing,
  type GraphQLService,
  type RequestContext,
  type Tracing,
} from '../src/index.js';
import { createTestIssuer, graphql } from '../src/testing/index.js';

const typeDefs = gql`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
  type Query {
    activeSpan: String
    missing: String
    broken: String
  }
`;

const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT = `00-${PARENT_TRACE}-b7ad6b7169203331-01`;

// The kit's GraphQL service with tracing on (an in-memory exporter in place of OTLP), over real HTTP.
describe('GraphQL service spans', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let service: GraphQLService;
  let url: string;

  beforeAll(async () => {
    tracing = await startTracing('widgets', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      createExporter: () => exporter,
    });
    const issuer = await createTestIssuer();
    service = createGraphQLService<RequestContext>({
      name: 'widgets',
      typeDefs,
      resolvers: {
        Query: {
          // What a resolver sees as the active span: the operation's (through the body parser's events).
          activeSpan: () => {
            const span = trace.getActiveSpan();
            return span
              ? `${span.spanContext().traceId} ${(span as unknown as { name: string }).name}`
              : null;
          },
          missing: () => {
            throw notFound('No such widget');
          },
          broken: () => {
            throw new Error('database unreachable');
          },
        },
      },
      logger: createLogger('widgets', { level: 'silent' }),
      verifyToken: createJwtVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience }),
      context: (ctx) => ctx,
    });
    url = `${(await service.listen(0, '127.0.0.1')).url}/graphql`;
  });
  afterAll(async () => {
    await service.close();
    await tracing.stop();
  });

  const spansOf = async (traceId: string) => {
    await tracing.flush();
    return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  };

  it("continues the caller's trace: a SERVER span for the request, the operation's span inside it", async () => {
    const response = await graphql(
      url,
      'query Probe { activeSpan }',
      {},
      { headers: { traceparent: PARENT } },
    );
    expect(response.data.activeSpan).toBe(`${PARENT_TRACE} query Probe`);
    const spans = await spansOf(PARENT_TRACE);
    const server = spans.find((s) => s.name === 'POST /graphql')!;
    const operation = spans.find((s) => s.name === 'query Probe')!;
    expect(server.kind).toBe(1); // SpanKind.SERVER
    expect(server.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(server.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/graphql',
      'url.path': '/graphql',
      'http.response.status_code': 200,
    });
    expect(operation.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(operation.attributes).toMatchObject({
      'graphql.operation.type': 'query',
      'graphql.operation.name': 'Probe',
    });
  });

  it('records error codes; an internal error fails the operation span', async () => {
    exporter.reset();
    await graphql(url, 'query Refused { missing }');
    await graphql(url, 'query Failing { broken }');
    await tracing.flush();
    const spans = exporter.getFinishedSpans();
    const refused = spans.find((s) => s.name === 'query Refused')!;
    const failing = spans.find((s) => s.name === 'query Failing')!;
    expect(refused.attributes['graphql.error.codes']).toEqual(['NOT_FOUND']);
    expect(refused.status.code).toBe(0);
    expect(failing.attributes['graphql.error.codes']).toEqual(['INTERNAL_SERVER_ERROR']);
    expect(failing.status.code).toBe(2);
    // A request without a traceparent starts a trace of its own.
    const root = spans.find((s) => s.name === 'POST /graphql' && !s.parentSpanContext);
    expect(root).toBeDefined();
  });

  it("records nothing for a caller that does not sample (the router's readiness probes)", async () => {
    exporter.reset();
    const unsampled = `00-${'1'.repeat(32)}-${'2'.repeat(16)}-00`;
    const response = await graphql(
      url,
      'query Probe { activeSpan }',
      {},
      { headers: { traceparent: unsampled } },
    );
    expect(response.data.activeSpan).toMatch(new RegExp(`^${'1'.repeat(32)} `));
    await tracing.flush();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
