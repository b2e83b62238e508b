import { afterAll, beforeAll } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One span as an OTLP receiver decodes it, with the service (resource `service.name`) that sent it. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
  startNs: bigint;
  endNs: bigint;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  status: number;
}

export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
}
interface KeyValue {
  key: string;
  value: AnyValue;
}
interface ExportTraceServiceRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        attributes?: KeyValue[];
        startTimeUnixNano: string | number;
        endTimeUnixNano: string | number;
        status?: { code?: number };
      }[];
    }[];
  }[];
}

const valueOf = (value: AnyValue): unknown =>
  value.stringValue ??
  value.boolValue ??
  (value.intValue !== undefined ? Number(value.intValue) : undefined) ??
  value.doubleValue ??
  value.arrayValue?.values?.map(valueOf);

const attributesOf = (list: KeyValue[] = []) =>
  Object.fromEntries(list.map((a) => [a.key, valueOf(a.value)]));

/** OTLP/JSON ids are hex; a base64 one (protobuf-JSON mapping) is turned into hex too. */
const hexId = (id: string | undefined, length: number) =>
  !id ? '' : new RegExp(`^[0-9a-f]{${length}}$`).test(id) ? id : Buffer.from(id, 'base64').toString('hex');

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

/**
 * A real OTLP/HTTP trace receiver for specs: `POST /v1/traces` with a JSON `ExportTraceServiceRequest`
 * (what `@opentelemetry/exporter-trace-otlp-http` sends), answered with an empty success. Anything else
 * (another path, a protobuf body) is refused, so a spec never passes on what it could not read.
 * Started before the spec's tests (port 0), stopped after them.
 */
export function useOtlpReceiver() {
  const received: ReceivedSpan[] = [];
  const refused: string[] = [];
  let server: Server | undefined;
  let url = '';
  beforeAll(async () => {
    server = createServer((request, response) => {
      void (async () => {
        const type = request.headers['content-type'] ?? '';
        if (
          request.method !== 'POST' ||
          request.url !== '/v1/traces' ||
          !type.startsWith('application/json')
        ) {
          refused.push(`${request.method} ${request.url} ${type}`);
          response.writeHead(request.url === '/v1/traces' ? 415 : 404).end();
          return;
        }
        const payload = JSON.parse((await body(request)).toString('utf8')) as ExportTraceServiceRequest;
        for (const resourceSpans of payload.resourceSpans ?? []) {
          const service = String(attributesOf(resourceSpans.resource?.attributes)['service.name'] ?? '');
          for (const scope of resourceSpans.scopeSpans ?? [])
            for (const span of scope.spans ?? [])
              received.push({
                service,
                traceId: hexId(span.traceId, 32),
                spanId: hexId(span.spanId, 16),
                parentSpanId: hexId(span.parentSpanId, 16),
                name: span.name,
                kind: span.kind ?? 0,
                attributes: attributesOf(span.attributes),
                startNs: BigInt(span.startTimeUnixNano),
                endNs: BigInt(span.endTimeUnixNano),
                status: span.status?.code ?? 0,
              });
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      })().catch((error: unknown) => {
        refused.push(String(error));
        response.writeHead(400).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });
  return {
    /** The receiver's base URL: what `OTEL_EXPORTER_OTLP_ENDPOINT` is set to. */
    get url() {
      if (!url) throw new Error('the OTLP receiver is not started yet');
      return url;
    },
    /** Every span received so far. */
    spans: (): readonly ReceivedSpan[] => received,
    /** Requests the receiver could not read (a spec expects none). */
    refused: (): readonly string[] => refused,
  };
}
