import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type SpanContext,
  type SpanOptions,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api';

/**
 * Trace context helpers for the kit's explicit instrumentation (services run as bundles, so nothing is
 * instrumented by module hooks). They only use `@opentelemetry/api`: until `startTracing` registers the
 * SDK, every call here is the API's no-op (no context manager, no propagator, non-recording spans), and
 * the helpers below return early on that path.
 */

/** The instrumentation scope of every span the kit (and the router) starts. */
export const TRACER_NAME = '@shop/platform';

/**
 * The kit's tracer. Looked up per use rather than kept: the API's proxy tracer would stay bound to the
 * first provider it saw, and a process (a test) may register tracing more than once.
 */
export const tracer = (): Tracer => trace.getTracer(TRACER_NAME);

let registered = false;

/** Whether `startTracing` has registered the SDK: spans are recorded and exported. */
export const tracingEnabled = (): boolean => registered;

/** Set by the SDK wiring (tracing-sdk.ts) when it registers and unregisters; nothing else calls it. */
export function markTracingRegistered(on: boolean): void {
  registered = on;
}

/** W3C Trace Context of one point in a trace, as headers carry it. */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/** The valid span context active in `ctx` (default: the active context), or undefined. */
export function activeSpanContext(ctx: Context = context.active()): SpanContext | undefined {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Whether a recording span is active: instrumentation that never starts a trace by itself checks this. */
export function isRecording(ctx: Context = context.active()): boolean {
  return trace.getSpan(ctx)?.isRecording() ?? false;
}

/**
 * The trace context of `ctx` (default: the active one) in the registered propagator's headers
 * (`traceparent`, `tracestate`), or undefined when there is none (tracing off, or no span active).
 */
export function traceCarrier(ctx: Context = context.active()): TraceCarrier | undefined {
  if (!activeSpanContext(ctx)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return typeof carrier.traceparent === 'string' ? (carrier as unknown as TraceCarrier) : undefined;
}

/** Writes the trace context of `ctx` (default: the active one) into `headers`; nothing when there is none. */
export function injectTraceContext(headers: Record<string, string>, ctx: Context = context.active()): void {
  if (activeSpanContext(ctx)) propagation.inject(ctx, headers);
}

/** A header value as node's `IncomingHttpHeaders`, kafkajs' `IHeaders` or a plain record hold it. */
type HeaderValue = string | Buffer | readonly (string | Buffer)[] | undefined;

/** Reads headers whose values may be Buffers or lists (kafkajs message headers), first value wins. */
export const headerGetter: TextMapGetter<Record<string, HeaderValue | unknown>> = {
  keys: (carrier) => Object.keys(carrier),
  get(carrier, key) {
    const value = carrier[key] as HeaderValue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first === undefined || first === null) return undefined;
    return typeof first === 'string' ? first : Buffer.isBuffer(first) ? first.toString('utf8') : undefined;
  },
};

/**
 * The context a remote caller sent (its `traceparent`/`tracestate` in `carrier`: HTTP or Kafka headers,
 * a stored {@link TraceCarrier}), on top of `base` (default: the root context, so what is active here
 * does not leak in). Without a (valid) trace context it is `base` unchanged.
 */
export function extractTraceContext(carrier: object | undefined, base: Context = ROOT_CONTEXT): Context {
  if (!carrier) return base;
  return propagation.extract(base, carrier as Record<string, unknown>, headerGetter);
}

/**
 * Splits a W3C trace context (`traceparent`, `tracestate`) off a record such as a GraphQL result's
 * `extensions` (where the kit's subscription endpoint sends it): `carrier` holds it when there was a
 * `traceparent` string, `rest` is the record without those keys (undefined when nothing else is left).
 */
export function takeTraceCarrier<R extends Record<string, unknown>>(
  record: R | undefined,
): { carrier: TraceCarrier | undefined; rest: Omit<R, 'traceparent' | 'tracestate'> | undefined } {
  if (!record || !('traceparent' in record || 'tracestate' in record))
    return { carrier: undefined, rest: record };
  const { traceparent, tracestate, ...rest } = record;
  const carrier =
    typeof traceparent === 'string'
      ? { traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) }
      : undefined;
  return { carrier, rest: Object.keys(rest).length ? rest : undefined };
}

/** Marks `span` failed with `error` (exception event and ERROR status). */
export function recordSpanError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

export interface WithSpanOptions extends SpanOptions {
  /** The parent (default: the active context). */
  parent?: Context;
}

/**
 * Runs `work` in a new active span `name`, a child of `options.parent` (default: the active context),
 * and ends it when `work` settles: a rejection marks the span failed (exception and ERROR status) and is
 * rethrown unchanged. With tracing off the span is the API's no-op one and `work` simply runs.
 */
export async function withSpan<T>(
  name: string,
  options: WithSpanOptions,
  work: (span: Span) => Promise<T> | T,
): Promise<T> {
  const { parent = context.active(), ...spanOptions } = options;
  const span = tracer().startSpan(name, spanOptions, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

// The trace context an object was made in, for values handed from one async flow to another (a Kafka
// message's live event to the subscription that sends it on): async context does not follow them.
const contexts = new WeakMap<object, Context>();

/**
 * Remembers that `value` was made in `ctx` (default: the active context), so whoever processes it later,
 * in another async flow, can continue that trace ({@link traceContextOf}). Nothing is kept when `ctx`
 * has no span (tracing off). Returns `value`.
 */
export function rememberTraceContext<T>(value: T, ctx: Context = context.active()): T {
  if (typeof value === 'object' && value !== null && activeSpanContext(ctx)) contexts.set(value, ctx);
  return value;
}

/** The context {@link rememberTraceContext} kept for `value`, if any. */
export function traceContextOf(value: unknown): Context | undefined {
  return typeof value === 'object' && value !== null ? contexts.get(value) : undefined;
}
