import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  createSourceEventStream,
  execute,
  getOperationAST,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { Counter, Gauge } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerToken, type VerifyToken, type Viewer } from './auth.js';
import { isCurrentState, withCurrentStateMark } from './current-state.js';
import { ErrorCode, errorCodeOf, maskError, unauthenticated } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { RequestContext } from './server.js';
import { ATTR_GRAPHQL_OPERATION_NAME, ATTR_GRAPHQL_OPERATION_TYPE } from './semconv.js';
import { traceCarrier, traceContextOf, tracingEnabled, withSpan } from './trace-context.js';
import { endAt, mapAsyncIterator, onIteratorEnd } from './subscriptions-iterators.js';

/** Tuning of the GraphQL-over-WebSocket endpoint; every field has a default. */
export interface SubscriptionsOptions {
  /**
   * Interval of WebSocket pings to each client; a client that has not answered with a pong by the
   * next ping is cut. Keeps proxies from closing idle sockets. Default 12 000 ms; 0 disables.
   */
  keepAliveMs?: number;
  /** Time a client has to send `connection_init` before it is closed with 4408. Default 3 000 ms. */
  connectionInitTimeoutMs?: number;
  /** Time `close()` gives clients to answer the 1001 close before their sockets are cut. Default 3 000 ms. */
  closeTimeoutMs?: number;
  /** Largest message accepted from a client, in bytes. Default 1 MiB (as the HTTP body limit). */
  maxPayloadBytes?: number;
}

export interface WebSocketEndpointOptions<C extends RequestContext> extends SubscriptionsOptions {
  httpServer: Server;
  /** The path upgraded to graphql-ws (default `/graphql`); other upgrade requests are refused. */
  path?: string;
  schema: GraphQLSchema;
  logger: Logger;
  verifyToken: VerifyToken;
  /** The service's context extension; called per operation and again per subscription event. */
  context: (base: RequestContext) => Promise<C> | C;
  metrics: Metrics;
  /** Keep internal error messages (never stack traces). Default false. */
  exposeErrors?: boolean;
}

export interface WebSocketEndpoint {
  /** Open sockets. */
  readonly connections: number;
  /**
   * Refuses new sockets, closes every open one with 1001 (Going Away: clients reconnect, to
   * another replica) after ending their operations, and waits for them to go (bounded by
   * `closeTimeoutMs`, then cut). Idempotent.
   */
  close(): Promise<void>;
}

/** What graphql-ws keeps per socket, beside the socket and the upgrade request. */
interface ConnectionState {
  viewer?: Viewer | undefined;
  authorization?: string | undefined;
  clientIp?: string | undefined;
}
type SocketExtra = Extra & { connection?: ConnectionState; operationNames?: Map<string, string> };

const GOING_AWAY = 1001;

/** A header-like value of a `connection_init` payload or `extensions`, either spelling. */
function field(record: Record<string, unknown> | undefined | null, name: string): string | undefined {
  if (!record) return undefined;
  const value = record[name] ?? record[name.charAt(0).toUpperCase() + name.slice(1)];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
}

const codedError = (error: GraphQLError, code: string) =>
  new GraphQLError(error.message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });

function gauge(metrics: Metrics, name: string, help: string): Gauge {
  return (
    (metrics.registry.getSingleMetric(name) as Gauge | undefined) ??
    new Gauge({ name, help, registers: [metrics.registry] })
  );
}

/**
 * Executes one subscription event in a span `subscription event <operation>` that continues the trace
 * the event came with (a live event's Kafka message, see `rememberTraceContext`), and puts that span's
 * W3C trace context in the result's `extensions` (`traceparent`, `tracestate`): the router's processing
 * of the event (its per-event plan) continues the same trace. An event without one starts no span.
 */
async function tracedEvent(
  event: unknown,
  args: ExecutionArgs,
  executeEvent: (event: unknown) => Promise<ExecutionResult>,
): Promise<ExecutionResult> {
  const parent = traceContextOf(event);
  if (!parent) return executeEvent(event);
  const operation = getOperationAST(args.document, args.operationName);
  const name = operation?.name?.value ?? args.operationName ?? 'anonymous';
  return withSpan(
    `subscription event ${name}`,
    {
      parent,
      attributes: { [ATTR_GRAPHQL_OPERATION_TYPE]: 'subscription', [ATTR_GRAPHQL_OPERATION_NAME]: name },
    },
    async () => {
      const result = await executeEvent(event);
      const carrier = traceCarrier();
      return carrier ? { ...result, extensions: { ...result.extensions, ...carrier } } : result;
    },
  );
}

/**
 * GraphQL over WebSocket (graphql-ws, subprotocol `graphql-transport-ws`) on an HTTP server's
 * `/graphql`, for the same schema as HTTP. What it does, so every subgraph behaves alike:
 * - `connection_init` payload `{ authorization: 'Bearer <jwt>' }` (`Authorization` too) gives the
 *   connection's viewer; none means anonymous (resolvers decide); a bad, expired or malformed token
 *   closes the socket with 4403 Forbidden. No `connection_init` within the timeout: 4408.
 * - A client multiplexing several callers on one socket (the router) may send each operation's own
 *   credentials in the subscribe message's `extensions`: `authorization`, `requestId`, `clientIp`.
 *   They replace the connection's for that operation only; a bad token there fails that operation
 *   with UNAUTHENTICATED and leaves the socket open.
 * - Each operation gets a context built like HTTP's (request id, logger, viewer, authorization,
 *   client ip, then the service's `context(base)` extension, e.g. an EntityManager fork); each
 *   subscription event is executed with a fresh context again, so forks and per-request loaders
 *   never outlive one event.
 * - A subscription ends with UNAUTHENTICATED when its access token expires; an operation with an
 *   already expired token is refused.
 * - Errors are masked as over HTTP (`maskError`); parse and validation failures carry Apollo's
 *   codes. Nothing an operation does closes the socket (other callers may share it).
 * - Apollo Server plugins do not run for WebSocket operations (graphql-js executes them directly).
 * - A result made from a whole current state (`markCurrentState`, e.g. `snapshotThenStream`'s) carries
 *   `extensions.currentState: true`, so a router sharing the subscription can replay it to late joiners.
 * - Metrics: `graphql_ws_connections` and `graphql_subscriptions_active` gauges,
 *   `graphql_subscription_events_total` (results sent), query/mutation durations and error codes
 *   in the service's usual metrics.
 */
export function serveGraphQLOverWebSocket<C extends RequestContext>(
  options: WebSocketEndpointOptions<C>,
): WebSocketEndpoint {
  const path = options.path ?? '/graphql';
  const exposeErrors = options.exposeErrors ?? false;
  const log = options.logger.child({ component: 'graphql-ws' });
  const { metrics } = options;
  const connectionsGauge = gauge(metrics, 'graphql_ws_connections', 'Open GraphQL WebSocket connections.');
  const activeSubscriptions = gauge(
    metrics,
    'graphql_subscriptions_active',
    'Subscriptions being served over GraphQL WebSocket.',
  );
  const eventsSent =
    (metrics.registry.getSingleMetric('graphql_subscription_events_total') as Counter | undefined) ??
    new Counter({
      name: 'graphql_subscription_events_total',
      help: 'Subscription results sent over GraphQL WebSocket.',
      registers: [metrics.registry],
    });

  // The base context of each operation, found again when building each event's fresh context.
  const bases = new WeakMap<object, RequestContext>();
  const operationNames = new Set<string>();
  const nameLabel = (name: string) => {
    if (operationNames.has(name)) return name;
    if (operationNames.size >= 200) return 'other';
    operationNames.add(name);
    return name;
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 1024 * 1024,
  });
  let closing = false;

  const mask = (errors: readonly GraphQLError[], operation: string, context?: RequestContext) =>
    errors.map((error): GraphQLFormattedError => {
      const code = errorCodeOf(error);
      metrics.errors.inc({ code, operation });
      if (code === ErrorCode.INTERNAL_SERVER_ERROR)
        (context?.logger ?? log).error({ err: error.originalError ?? error, operation }, 'operation failed');
      else if (code === ErrorCode.SERVICE_UNAVAILABLE)
        (context?.logger ?? log).warn(
          { err: error.originalError ?? error, operation },
          'dependency unavailable',
        );
      return maskError(error.toJSON(), exposeErrors, error);
    });

  const baseContext = (extra: SocketExtra, payload: SubscribePayload, viewer: Viewer | undefined) => {
    const connection = extra.connection ?? {};
    const extensions = (payload.extensions ?? {}) as Record<string, unknown>;
    // One id per operation (as per HTTP request) unless the caller (the router) passes its own.
    const requestId = field(extensions, 'requestId') ?? randomUUID();
    const base: RequestContext = {
      requestId,
      viewer,
      logger: options.logger.child({ requestId }),
      authorization: field(extensions, 'authorization') ?? connection.authorization,
      clientIp: field(extensions, 'clientIp') ?? connection.clientIp,
    };
    return base;
  };

  const disposable = useServer<
    Record<string, unknown>,
    { connection?: ConnectionState; operationNames?: Map<string, string> }
  >(
    {
      schema: options.schema,
      // Close reasons never carry internal messages.
      isProd: true,
      connectionInitWaitTimeout: options.connectionInitTimeoutMs ?? 3_000,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const authorization = field(params, 'authorization');
        let viewer: Viewer | undefined;
        try {
          const token = bearerToken(authorization);
          viewer = token ? await options.verifyToken(token) : undefined;
        } catch (error) {
          if (errorCodeOf(error as GraphQLError) !== ErrorCode.UNAUTHENTICATED) throw error;
          log.info({ reason: (error as Error).message }, 'connection refused');
          return false;
        }
        const request = ctx.extra.request;
        ctx.extra.connection = {
          viewer,
          authorization,
          clientIp:
            header(request, 'x-client-ip') ||
            header(request, 'x-forwarded-for')?.split(',')[0]?.trim() ||
            undefined,
        };
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [codedError(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
        }
        const invalid = validate(options.schema, document);
        if (invalid.length) return invalid.map((e) => codedError(e, 'GRAPHQL_VALIDATION_FAILED'));
        const ast = getOperationAST(document, payload.operationName);
        if (!ast) {
          return [
            new GraphQLError(
              payload.operationName
                ? `Unknown operation named "${payload.operationName}"`
                : 'Must provide operation name if query contains multiple operations',
              { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } },
            ),
          ];
        }
        const operation = ast.name?.value ?? 'anonymous';
        (ctx.extra.operationNames ??= new Map()).set(id, operation);
        let viewer = ctx.extra.connection?.viewer;
        const own = field((payload.extensions ?? {}) as Record<string, unknown>, 'authorization');
        try {
          if (own) {
            const token = bearerToken(own);
            viewer = token ? await options.verifyToken(token) : undefined;
          }
          if (viewer && viewer.expiresAt * 1000 <= Date.now()) throw unauthenticated('Access token expired');
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          // E.g. the key endpoint timing out: this operation fails, the shared socket stays open.
          return [new GraphQLError('Internal server error', { originalError: error as Error })];
        }
        const base = baseContext(ctx.extra, payload, viewer);
        let contextValue: C;
        try {
          contextValue = await options.context(base);
        } catch (error) {
          base.logger.error({ err: error, operation }, 'context failed');
          return [new GraphQLError('Internal server error', { originalError: error as Error })];
        }
        bases.set(contextValue, base);
        return {
          schema: options.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue,
        } satisfies ExecutionArgs;
      },
      execute: async (args) => {
        const operation = getOperationAST(args.document, args.operationName);
        const stop = metrics.operationDuration.startTimer();
        const name = operation?.name?.value ?? args.operationName ?? 'anonymous';
        try {
          return await execute(args);
        } catch (error) {
          // Only malformed arguments throw here; answer the operation instead of killing the socket.
          return { errors: [new GraphQLError('Internal server error', { originalError: error as Error })] };
        } finally {
          stop({ operation: nameLabel(name), type: operation?.operation ?? 'unknown' });
        }
      },
      subscribe: async (args) => {
        const base = bases.get(args.contextValue as object)!;
        let stream: AsyncIterable<unknown> | ExecutionResult;
        try {
          stream = await createSourceEventStream(args);
        } catch (error) {
          return { errors: [new GraphQLError('Internal server error', { originalError: error as Error })] };
        }
        if (!(Symbol.asyncIterator in Object(stream))) return stream as ExecutionResult;
        // Each event runs with a fresh context: the first one served the subscribe resolver.
        const executeEvent = async (event: unknown) =>
          execute({ ...args, rootValue: event, contextValue: await options.context({ ...base }) });
        const results = mapAsyncIterator(stream as AsyncIterable<unknown>, async (event) => {
          const result = await (tracingEnabled()
            ? tracedEvent(event, args, executeEvent)
            : executeEvent(event));
          return isCurrentState(event) ? withCurrentStateMark(result) : result;
        });
        const bounded = base.viewer
          ? endAt(results, base.viewer.expiresAt * 1000, () => unauthenticated('Access token expired'))
          : results;
        activeSubscriptions.inc();
        return onIteratorEnd(bounded, () => activeSubscriptions.dec());
      },
      onNext: (_ctx, _id, _payload, args, result): FormattedExecutionResult => {
        const ast = getOperationAST(args.document, args.operationName);
        const operation = nameLabel(ast?.name?.value ?? 'anonymous');
        if (ast?.operation === 'subscription') eventsSent.inc();
        const { errors, ...rest } = result;
        return errors?.length
          ? { ...rest, errors: mask(errors, operation, bases.get(args.contextValue as object)) }
          : rest;
      },
      onError: (ctx, id, payload, errors) =>
        mask(errors, nameLabel(ctx.extra.operationNames?.get(id) ?? payload.operationName ?? 'anonymous')),
      onComplete: (ctx, id) => void ctx.extra.operationNames?.delete(id),
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );

  wss.on('connection', (socket: WebSocket) => {
    connectionsGauge.inc();
    socket.once('close', () => connectionsGauge.dec());
  });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname !== path || closing) {
      socket.end(
        `HTTP/1.1 ${closing ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`,
      );
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  };
  options.httpServer.on('upgrade', onUpgrade);

  let closed: Promise<void> | undefined;
  return {
    get connections() {
      return wss.clients.size;
    },
    close() {
      closing = true;
      closed ??= (async () => {
        options.httpServer.off('upgrade', onUpgrade);
        const sockets = [...wss.clients];
        const gone = Promise.all(
          sockets.map(
            (socket) =>
              new Promise<void>((resolve) => {
                if (socket.readyState === socket.CLOSED) return resolve();
                socket.once('close', () => resolve());
              }),
          ),
        );
        // graphql-ws ends each socket's operations when its close event fires; clients see 1001 and
        // reconnect. A client that never answers the close is cut after closeTimeoutMs.
        for (const socket of sockets) socket.close(GOING_AWAY, 'Server shutting down');
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.closeTimeoutMs ?? 3_000);
        });
        await Promise.race([gone, late]);
        clearTimeout(timer);
        for (const socket of sockets) if (socket.readyState !== socket.CLOSED) socket.terminate();
        await gone;
        await disposable.dispose();
      })();
      return closed;
    },
  };
}
