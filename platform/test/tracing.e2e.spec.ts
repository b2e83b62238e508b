import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
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
  withSpan,
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

// The real OTLP/HTTP exporters, to a receiver on a local port: the protocol keys choose the encoding.
describe('OTLP export', () => {
  const received: { url: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': String(request.headers['content-type']) }).end();
    });
  });
  let endpoint: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  /** Starts tracing with `env`, ends one span, flushes, stops; resolves the request the receiver got. */
  async function exportOne(env: Record<string, string>, spanName: string) {
    const tracing = await startTracing('widgets', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...env },
    });
    await withSpan(spanName, {}, () => undefined);
    await tracing.stop();
    const request = received.find((r) => r.body.includes(spanName));
    expect(request).toBeDefined();
    return request!;
  }

  it('sends OTLP/JSON to <endpoint>/v1/traces by default, with the OTLP headers key honoured', async () => {
    // The exporter reads its own keys from the process environment (options.env is the kit's).
    process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-tenant=shop';
    const request = await exportOne({}, 'json-span').finally(() => {
      delete process.env.OTEL_EXPORTER_OTLP_HEADERS;
    });
    expect(request.url).toBe('/v1/traces');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-tenant']).toBe('shop');
    const body = JSON.parse(request.body.toString('utf8')) as {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: { spans: { name: string }[] }[];
      }[];
    };
    const [resourceSpans] = body.resourceSpans;
    expect(resourceSpans!.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'widgets' },
    });
    expect(resourceSpans!.scopeSpans.flatMap((s) => s.spans.map((span) => span.name))).toEqual(['json-span']);
  });

  it('sends binary protobuf with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf', async () => {
    const request = await exportOne({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'protobuf-span');
    expect(request.url).toBe('/v1/traces');
    expect(request.headers['content-type']).toBe('application/x-protobuf');
    // Not JSON; protobuf strings are their UTF-8 bytes, so the names are in the body as they are.
    expect(request.body[0]).not.toBe('{'.charCodeAt(0));
    expect(request.body.includes('widgets')).toBe(true);
  });
});
