import {
  context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';
import { ATTR_GRAPHQL_OPERATION_NAME } from './semconv.js';
import { activeSpanContext, recordSpanError, tracer, tracingEnabled } from './trace-context.js';

/** Where the GraphQL operation span of a request is found again by the tracing plugin. */
export const GRAPHQL_SPAN = createContextKey('@shop/platform graphql operation span');

/** The GraphQL operation span of the request `ctx` belongs to (see {@link graphqlOperationSpan}). */
export function graphqlSpanOf(ctx: Context = context.active()): Span | undefined {
  return ctx.getValue(GRAPHQL_SPAN) as Span | undefined;
}

/** Ends `span` once the response is sent or the connection is gone, whichever comes first. */
function endWith(res: { once(event: string, listener: () => void): unknown }, end: () => void) {
  let ended = false;
  const once = () => {
    if (ended) return;
    ended = true;
    end();
  };
  res.once('finish', once);
  res.once('close', once);
}

/**
 * Express middleware: one SERVER span per request (`POST /graphql`, HTTP semantic conventions), a child
 * of the caller's W3C trace context when it sent one, active for everything the request does. Mount it
 * first on the route, before the body parser: the request and response emitters are bound to the span's
 * context, so work continued from their events (the parsed body, `finish`) stays in the trace. A 5xx
 * answer marks the span failed. With tracing off it only calls `next()`.
 */
export function httpServerSpan(): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const route = req.baseUrl || req.path;
    const span = tracer().startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          [ATTR_HTTP_REQUEST_METHOD]: req.method,
          [ATTR_HTTP_ROUTE]: route,
          // Never the query string: a GET carries the whole operation and its variables there.
          [ATTR_URL_PATH]: req.originalUrl.split('?')[0]!,
          [ATTR_URL_SCHEME]: req.protocol,
          [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
          ...(req.socket.localPort ? { [ATTR_SERVER_PORT]: req.socket.localPort } : {}),
          ...(req.socket.remoteAddress ? { [ATTR_CLIENT_ADDRESS]: req.socket.remoteAddress } : {}),
          ...(req.headers['user-agent'] ? { [ATTR_USER_AGENT_ORIGINAL]: req.headers['user-agent'] } : {}),
        },
      },
      parent,
    );
    const ctx = trace.setSpan(parent, span);
    // Tracing off: the API's no-op span has no valid context. (An unsampled one does, and is kept: its
    // children are unsampled too and subgraphs get the caller's decision.)
    if (!activeSpanContext(ctx)) {
      next();
      return;
    }
    context.bind(ctx, req);
    context.bind(ctx, res);
    endWith(res, () => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      if (!res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed' });
      span.end();
    });
    context.with(ctx, next);
  };
}

/**
 * Express middleware for the GraphQL handler, after the body parser: an INTERNAL span for the operation,
 * active while Apollo Server runs it, so resolvers' SQL, Redis, Kafka and subgraph fetches are its
 * children. Named `graphql` (or `graphql <operationName>` from the body) until the tracing plugin knows
 * the operation (`mutation placeOrder`, GraphQL semantic conventions). Only inside an HTTP server span.
 */
export function graphqlOperationSpan(): RequestHandler {
  return (req, res, next) => {
    const parent = context.active();
    if (!activeSpanContext(parent)) {
      next();
      return;
    }
    const operationName = (req.body as { operationName?: unknown } | undefined)?.operationName;
    const named = typeof operationName === 'string' && operationName ? operationName : undefined;
    const span = tracer().startSpan(
      named ? `graphql ${named}` : 'graphql',
      { kind: SpanKind.INTERNAL, ...(named ? { attributes: { [ATTR_GRAPHQL_OPERATION_NAME]: named } } : {}) },
      parent,
    );
    endWith(res, () => span.end());
    context.with(trace.setSpan(parent, span).setValue(GRAPHQL_SPAN, span), next);
  };
}

/**
 * Runs a GraphQL operation that arrived without HTTP (over WebSocket) in a SERVER span that the tracing
 * plugin names like {@link graphqlOperationSpan}'s (`query <name>`): a new trace, since a WebSocket
 * message carries no trace context. With tracing off `work` simply runs.
 */
export async function withOperationSpan<T>(
  operationName: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return work();
  const span = tracer().startSpan(operationName ? `graphql ${operationName}` : 'graphql', {
    kind: SpanKind.SERVER,
    root: true,
    ...(operationName ? { attributes: { [ATTR_GRAPHQL_OPERATION_NAME]: operationName } } : {}),
  });
  try {
    return await context.with(trace.setSpan(ROOT_CONTEXT, span).setValue(GRAPHQL_SPAN, span), work);
  } catch (error) {
    recordSpanError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
