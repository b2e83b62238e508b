import { context, INVALID_SPAN_CONTEXT, SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import {
  ATTR_KAFKA_MESSAGE_KEY,
  ATTR_KAFKA_OFFSET,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
} from './semconv.js';
import {
  extractTraceContext,
  injectTraceContext,
  recordSpanError,
  tracer,
  tracingEnabled,
  type TraceCarrier,
} from './trace-context.js';

/**
 * Kafka's part of tracing (messaging semantic conventions), used by kafka.ts alone: the W3C trace
 * context travels in each message's headers (`traceparent`, `tracestate`), so a consumer's processing
 * continues the trace of whatever recorded the event.
 */

/** What a send span needs to know of one message. */
export interface OutgoingMessage {
  /** Logical topic. */
  topic: string;
  key: string;
  id: string;
}

export interface SendSpans {
  /** The message's trace headers (empty with tracing off); merge them into its Kafka headers. */
  headers(index: number): Record<string, string>;
  /** Ends every span, failed with `error` when given. */
  end(error?: unknown): void;
}

const NO_SPANS: SendSpans = { headers: () => ({}), end: () => undefined };

/**
 * One PRODUCER span `send <topic>` per message, each the child of the trace context the message was
 * recorded in (`parents[i]`, an outbox row's) or else of the active context (a new trace when there is
 * none), each injected into its own message's headers. With tracing off nothing is allocated.
 */
export function startSendSpans(
  messages: readonly OutgoingMessage[],
  parents: readonly (TraceCarrier | undefined)[] | undefined,
  clientId: string,
): SendSpans {
  if (!tracingEnabled()) return NO_SPANS;
  const active = context.active();
  const spans: { span: Span; ctx: Context }[] = messages.map((message, index) => {
    const recorded = parents?.[index];
    const parent = recorded ? extractTraceContext(recorded) : active;
    const span = tracer().startSpan(
      `send ${message.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          [ATTR_MESSAGING_SYSTEM_NAME]: 'kafka',
          [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
          [ATTR_MESSAGING_OPERATION_NAME]: 'send',
          [ATTR_MESSAGING_DESTINATION_NAME]: message.topic,
          [ATTR_MESSAGING_MESSAGE_ID]: message.id,
          [ATTR_MESSAGING_CLIENT_ID]: clientId,
          [ATTR_KAFKA_MESSAGE_KEY]: message.key,
        },
      },
      parent,
    );
    return { span, ctx: trace.setSpan(parent, span) };
  });
  return {
    headers(index) {
      const headers: Record<string, string> = {};
      const sent = spans[index];
      if (sent) injectTraceContext(headers, sent.ctx);
      return headers;
    },
    end(error) {
      for (const { span } of spans) {
        if (error !== undefined) recordSpanError(span, error);
        span.end();
      }
    },
  };
}

/** What a process span knows of the message being handled. */
export interface IncomingMessage {
  /** Logical topic. */
  topic: string;
  partition: number;
  offset: string;
  key: string | undefined;
  headers: object | undefined;
  groupId: string;
  clientId: string;
}

/**
 * Runs `work` (parse, handle with its retries, dead-letter, commit) in a CONSUMER span
 * `process <topic>`, the child of the trace context in the message's headers (a new trace without one).
 * `work` may name the event (`messaging.message.id`) once it has parsed it.
 */
export async function withProcessSpan<T>(
  message: IncomingMessage,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return work(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  const parent = extractTraceContext(message.headers);
  const span = tracer().startSpan(
    `process ${message.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        [ATTR_MESSAGING_SYSTEM_NAME]: 'kafka',
        [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
        [ATTR_MESSAGING_OPERATION_NAME]: 'process',
        [ATTR_MESSAGING_DESTINATION_NAME]: message.topic,
        [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(message.partition),
        [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: message.groupId,
        [ATTR_MESSAGING_CLIENT_ID]: message.clientId,
        [ATTR_KAFKA_OFFSET]: Number(message.offset),
        ...(message.key !== undefined ? { [ATTR_KAFKA_MESSAGE_KEY]: message.key } : {}),
      },
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
