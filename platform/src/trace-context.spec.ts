import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { startSendSpans, withProcessSpan } from './kafka-tracing.js';
import { traceFields } from './logger.js';
import {
  activeSpanContext,
  extractTraceContext,
  headerGetter,
  injectTraceContext,
  rememberTraceContext,
  takeTraceCarrier,
  traceCarrier,
  traceContextOf,
  withSpan,
} from './trace-context.js';
import { startTracing, type Tracing } from './tracing.js';

const PARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

// The propagation helpers with the SDK registered (an in-memory exporter in place of OTLP).
describe('trace context propagation', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(async () => {
    tracing = await startTracing('widgets', {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
      createExporter: () => exporter,
    });
  });
  afterAll(() => tracing.stop());
  /** Forgets every span ended so far (the batch processor may still hold some: flushed first). */
  const clear = async () => {
    await tracing.flush();
    exporter.reset();
  };
  const finished = async () => {
    await tracing.flush();
    return exporter.getFinishedSpans();
  };

  it('injects the active span as W3C traceparent, and nothing outside a span', async () => {
    expect(traceCarrier()).toBeUndefined();
    const headers: Record<string, string> = {};
    injectTraceContext(headers);
    expect(headers).toEqual({});
    await withSpan('outer', {}, (span) => {
      const carrier = traceCarrier()!;
      const { traceId, spanId } = span.spanContext();
      expect(carrier.traceparent).toBe(`00-${traceId}-${spanId}-01`);
      injectTraceContext(headers);
      expect(headers.traceparent).toBe(carrier.traceparent);
    });
  });

  it('extracts a remote parent from string, Buffer and list headers (kafkajs gives Buffers)', () => {
    for (const value of [PARENT, Buffer.from(PARENT), [Buffer.from(PARENT)]]) {
      const parent = activeSpanContext(
        extractTraceContext({ traceparent: value, tracestate: Buffer.from('v=1') }),
      )!;
      expect(parent).toMatchObject({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        isRemote: true,
      });
      expect(parent.traceState?.get('v')).toBe('1');
    }
    expect(activeSpanContext(extractTraceContext({ traceparent: 'garbage' }))).toBeUndefined();
    expect(activeSpanContext(extractTraceContext(undefined))).toBeUndefined();
    expect(headerGetter.keys({ a: 1, b: 2 })).toEqual(['a', 'b']);
    expect(headerGetter.get({ a: undefined }, 'a')).toBeUndefined();
  });

  it('continues a remote trace: a child of the extracted context shares its trace id', async () => {
    await clear();
    await withSpan('child', { parent: extractTraceContext({ traceparent: PARENT }) }, () => undefined);
    const [child] = await finished();
    expect(child!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(child!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('marks a failed span and rethrows the error unchanged', async () => {
    await clear();
    const error = new Error('boom');
    await expect(withSpan('failing', {}, () => Promise.reject(error))).rejects.toBe(error);
    const [failed] = await finished();
    expect(failed!.status).toMatchObject({ code: 2, message: 'boom' });
    expect(failed!.events.map((e) => e.name)).toEqual(['exception']);
  });

  it("puts the active span's ids in log lines (the logger's mixin), none outside a span", async () => {
    expect(traceFields()).toEqual({});
    await withSpan('logged', {}, (span) => {
      const { traceId, spanId } = span.spanContext();
      expect(traceFields()).toEqual({ traceId, spanId });
    });
  });

  it('remembers the context an object was made in, for another async flow to continue', async () => {
    let made: object | undefined;
    let spanId = '';
    await withSpan('made', {}, (span) => {
      made = rememberTraceContext({ id: 1 });
      spanId = span.spanContext().spanId;
    });
    expect(activeSpanContext(traceContextOf(made)!)?.spanId).toBe(spanId);
    // Outside a span nothing is kept, and primitives are never keys.
    expect(traceContextOf(rememberTraceContext({ id: 2 }))).toBeUndefined();
    expect(traceContextOf(rememberTraceContext('text'))).toBeUndefined();
  });

  it('splits a trace context off a result extensions record', () => {
    expect(takeTraceCarrier(undefined)).toEqual({ carrier: undefined, rest: undefined });
    const plain = { cost: 3 };
    expect(takeTraceCarrier(plain).rest).toBe(plain);
    expect(takeTraceCarrier({ traceparent: PARENT, tracestate: 'v=1', cost: 3 })).toEqual({
      carrier: { traceparent: PARENT, tracestate: 'v=1' },
      rest: { cost: 3 },
    });
    expect(takeTraceCarrier({ traceparent: PARENT })).toEqual({
      carrier: { traceparent: PARENT },
      rest: undefined,
    });
    expect(takeTraceCarrier({ traceparent: 7 })).toEqual({ carrier: undefined, rest: undefined });
  });

  it('Kafka: each message gets its own send span and headers, children of the context it was recorded in', async () => {
    await clear();
    const recorded = { traceparent: PARENT };
    let activeTraceId = '';
    let headers: Record<string, string>[] = [];
    await withSpan('relay', {}, (span) => {
      activeTraceId = span.spanContext().traceId;
      const spans = startSendSpans(
        [
          { topic: 'orders.order.placed.v1', key: 'o-1', id: 'e-1' },
          { topic: 'orders.order.placed.v1', key: 'o-2', id: 'e-2' },
        ],
        [recorded, undefined],
        'orders',
      );
      headers = [spans.headers(0), spans.headers(1)];
      spans.end();
    });
    const sends = (await finished()).filter((s) => s.name === 'send orders.order.placed.v1');
    expect(sends).toHaveLength(2);
    const [first, second] = sends;
    expect(first!.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(first!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(second!.spanContext().traceId).toBe(activeTraceId);
    expect(first!.attributes).toMatchObject({
      'messaging.system.name': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'orders.order.placed.v1',
      'messaging.message.id': 'e-1',
      'kafka.message.key': 'o-1',
    });
    expect(headers[0]!.traceparent).toBe(
      `00-${first!.spanContext().traceId}-${first!.spanContext().spanId}-01`,
    );
    expect(headers[1]!.traceparent).toContain(second!.spanContext().spanId);

    // The consumer's process span continues the send span carried in the (Buffer) headers.
    await clear();
    const seen = await withProcessSpan(
      {
        topic: 'orders.order.placed.v1',
        partition: 2,
        offset: '41',
        key: 'o-1',
        headers: { traceparent: Buffer.from(headers[0]!.traceparent!) },
        groupId: 'inventory',
        clientId: 'inventory',
      },
      async () => trace.getSpan(context.active())!.spanContext().spanId,
    );
    const [processed] = await finished();
    expect(processed!.name).toBe('process orders.order.placed.v1');
    expect(processed!.spanContext().spanId).toBe(seen);
    expect(processed!.parentSpanContext?.spanId).toBe(first!.spanContext().spanId);
    expect(processed!.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'inventory',
      'messaging.destination.partition.id': '2',
      'kafka.offset': 41,
    });
  });
});
