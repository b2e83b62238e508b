import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import {
  bearerToken,
  ErrorCode,
  unauthenticated,
  type Logger,
  type VerifyToken,
  type Viewer,
} from '@shop/platform/edge';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
} from 'graphql';
import { CloseCode, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { findAccessError } from '../plugins/access-directives.plugin.js';
import { findLimitViolation, type OperationLimits } from '../plugins/operation-limits.plugin.js';
import type { EdgeRateLimits } from '../rate-limits.js';
import {
  clientAddress,
  flatString,
  forwardedFor,
  newTraceparent,
  type RouterContext,
} from '../request-context.js';
import { edgeAuthError, formatRouterError, OPERATION_LIMIT_EXCEEDED } from '../router-errors.js';
import type { RouterMetrics } from '../router-metrics.js';
import type { TrustedDocuments } from '../trusted-documents.js';
import type { ServedSupergraph } from './served-supergraph.js';
import type { SubscriptionExecutor, SubscriptionStream } from './subscription-executor.js';

/** Limits of the WebSocket transport (CONTRACT.md: graphql-transport-ws on `/graphql`). */
export interface WebSocketLimits {
  /** `connection_init` must arrive within this long (ms), else close 4408. Default 3000. */
  connectionInitTimeoutMs: number;
  /** Subscriptions one connection may run at once. Default 20. */
  maxSubscriptionsPerConnection: number;
  /** Connections one signed-in customer may hold at once (close 1008 beyond). Default 10. */
  maxConnectionsPerViewer: number;
  /** Events waiting for a slow client, per subscription, before it is disconnected (1013). Default 100. */
  maxBufferedEvents: number;
  /** Ping every this long (ms) so proxies keep idle sockets and dead peers are dropped. Default 12 000. */
  keepAliveMs: number;
}

export const DEFAULT_WEBSOCKET_LIMITS: WebSocketLimits = {
  connectionInitTimeoutMs: 3_000,
  maxSubscriptionsPerConnection: 20,
  maxConnectionsPerViewer: 10,
  maxBufferedEvents: 100,
  keepAliveMs: 12_000,
};

/** Close codes the router uses besides graphql-ws's own (4403 Forbidden for a refused token). */
export const WS_CLOSE = {
  /** Too many connections for one customer. */
  POLICY_VIOLATION: 1008,
  /** The client did not read its events fast enough; it may reconnect. */
  TRY_AGAIN_LATER: 1013,
  /** Tokens cannot be verified right now (JWKS unreachable); the client may reconnect. */
  INTERNAL_ERROR: 1011,
  TOKEN_EXPIRED: CloseCode.Forbidden,
} as const;

export interface WebSocketTransportOptions {
  httpServer: Server;
  logger: Logger;
  metrics: RouterMetrics;
  verifyToken: VerifyToken;
  /** The supergraph being served, or undefined before the first one is loaded. */
  current: () => ServedSupergraph | undefined;
  executor: SubscriptionExecutor;
  /** Runs a query or mutation through the same pipeline as HTTP (Apollo Server's `executeOperation`). */
  executeOperation: (payload: SubscribePayload, context: RouterContext) => Promise<ExecutionResult>;
  limits: WebSocketLimits;
  operationLimits: OperationLimits;
  /** Largest message accepted, in bytes (larger: close 1009). */
  maxMessageBytes: number;
  production: boolean;
  trustProxy: boolean;
  /** The edge's per-client rate limits; each subscribe message counts as one request. */
  rateLimits?: EdgeRateLimits;
  /** Only these operations run, as over HTTP (the subscribe message's query, or its persisted query id). */
  trustedDocuments?: TrustedDocuments;
}

/** An operation's text and its parsed document, as the document cache keeps them. */
export interface ParsedOperation {
  /** The text (the one string kept for every operation that sent the same text). */
  query: string;
  document: DocumentNode;
}

/**
 * Parsed documents by operation text, shared by every operation that sends the same text: ten thousand
 * subscriptions of one query hold one AST (about 7.6 KiB with its locations) and one copy of the text
 * instead of one each. Documents are never changed once parsed (validation and execution only read them).
 */
export function createDocumentCache(max = 1000) {
  // A Map iterates in insertion order: re-inserting on a hit keeps the least recently used first.
  const operations = new Map<string, ParsedOperation>();
  return {
    /** `query` parsed (throws graphql's GraphQLError for a syntax error; failures are not kept). */
    parse(query: string): ParsedOperation {
      let operation = operations.get(query);
      if (operation) operations.delete(query);
      else operation = { query, document: parse(query) };
      operations.set(operation.query, operation);
      if (operations.size > max) operations.delete(operations.keys().next().value!);
      return operation;
    },
    get size() {
      return operations.size;
    },
  };
}

/** What the router knows of one client connection. */
interface Connection {
  viewer: Viewer | undefined;
  authorization: string | undefined;
  /** The upgrade request's `x-forwarded-for` and peer address (the request itself is not kept). */
  peer: { forwardedFor: string | string[] | undefined; remoteAddress: string | undefined };
  subscriptions: Map<string, SubscriptionStream>;
  expired: boolean;
}

/** The operation an `execute`/`subscribe` call is for (graphql-ws hands those only `ExecutionArgs`). */
interface OperationContext extends RouterContext {
  ws: { id: string; payload: SubscribePayload; connection: Connection; socket: WebSocket };
}

/**
 * The context of one operation on a socket. A class, so that the logger can be made when first used (a
 * getter on the prototype) while every instance keeps one fixed shape: an object literal with a getter
 * of its own was a dictionary, about half a KiB per idle subscription.
 */
class SocketOperationContext implements OperationContext {
  readonly requestId = flatString(randomUUID());
  readonly viewer: Viewer | undefined;
  readonly authorization: string | undefined;
  readonly clientIp: string | undefined;
  readonly forwardedHeaders: RouterContext['forwardedHeaders'];
  readonly ws: OperationContext['ws'];
  private child: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    connection: Connection,
    socket: WebSocket,
    id: string,
    payload: SubscribePayload,
    trustProxy: boolean,
  ) {
    const forwarded = forwardedFor(connection.peer.forwardedFor, connection.peer.remoteAddress, trustProxy);
    const { viewer, authorization } = connection;
    this.viewer = viewer;
    this.authorization = authorization;
    this.clientIp = forwarded.split(',')[0]?.trim();
    this.forwardedHeaders = {
      ...(viewer && authorization ? { authorization } : {}),
      'x-request-id': this.requestId,
      traceparent: flatString(newTraceparent()),
      'x-forwarded-for': forwarded,
    };
    this.ws = { id, payload, connection, socket };
  }

  /** Made when first used: most subscriptions never log (a child logger keeps its serialised bindings). */
  get logger(): Logger {
    return (this.child ??= this.parent.child({ requestId: this.requestId, operationId: this.ws.id }));
  }
}

const limitError = (limit: string, max: number, message: string) =>
  new GraphQLError(message, { extensions: { code: OPERATION_LIMIT_EXCEEDED, limit, max } });

function authorizationOf(params: Readonly<Record<string, unknown>> | undefined): unknown {
  return params?.authorization ?? params?.Authorization;
}

/**
 * GraphQL over WebSocket on the router's `/graphql` (graphql-ws, subprotocol `graphql-transport-ws`):
 *
 * - `connection_init` must come within `connectionInitTimeoutMs` (else 4408) and may carry
 *   `{ authorization: 'Bearer <jwt>' }`. A bad or expired token closes the connection with 4403; a
 *   verifier outage with 1011. When the token expires, every subscription on the connection ends with an
 *   UNAUTHENTICATED error and the connection closes with 4403 (the client reconnects with a new token).
 * - Subscriptions are validated against the served supergraph, checked against the operation limits and
 *   `@authenticated`/`@requiresScopes`, then run by the `SubscriptionExecutor`. Queries and mutations go
 *   through the same Apollo pipeline as HTTP.
 * - At most `maxSubscriptionsPerConnection` subscriptions per connection (more: OPERATION_LIMIT_EXCEEDED)
 *   and `maxConnectionsPerViewer` connections per customer (more: close 1008); a client that cannot keep
 *   up is disconnected with 1013; pings every `keepAliveMs`.
 * - `close()` closes every connection with 1001 (Going Away): graphql-ws clients reconnect, to another
 *   replica behind the load balancer.
 */
export function serveWebSocket(options: WebSocketTransportOptions) {
  const { logger, metrics, limits } = options;
  const log = logger.child({ component: 'websocket' });
  const connections = new WeakMap<object, Connection>();
  const documents = createDocumentCache();
  const perViewer = new Map<string, number>();
  /**
   * Signed-in connections by token (a customer's tabs): the one copy of the token they keep, and one
   * timer for its expiry.
   */
  const byToken = new Map<
    string,
    { token: string; timer: NodeJS.Timeout; sockets: Map<Connection, WebSocket> }
  >();
  const closed = () => metrics.websocketConnections.dec();
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    maxPayload: options.maxMessageBytes,
  });
  wss.on('connection', (socket) => {
    metrics.websocketConnections.inc();
    socket.once('close', closed);
  });

  const release = (connection: Connection) => {
    const token = connection.authorization;
    const group = token === undefined ? undefined : byToken.get(token);
    if (group?.sockets.delete(connection) && group.sockets.size === 0) {
      clearTimeout(group.timer);
      byToken.delete(group.token);
    }
    const id = connection.viewer?.id;
    if (!id) return;
    const left = (perViewer.get(id) ?? 1) - 1;
    if (left > 0) perViewer.set(id, left);
    else perViewer.delete(id);
  };

  const expire = (connection: Connection, socket: WebSocket) => {
    connection.expired = true;
    if (connection.subscriptions.size === 0) {
      socket.close(WS_CLOSE.TOKEN_EXPIRED, 'Token expired');
      return;
    }
    const error = unauthenticated('The access token has expired');
    for (const stream of connection.subscriptions.values()) stream.finish({ errors: [error] });
  };

  /**
   * Ends `connection` when its token expires (with every other connection of the same token); returns
   * the copy of the token those connections share.
   */
  const watchExpiry = (
    connection: Connection,
    socket: WebSocket,
    token: string,
    expiresAt: number,
  ): string => {
    let group = byToken.get(token);
    if (!group) {
      const sockets = new Map<Connection, WebSocket>();
      const ms = Math.max(0, expiresAt * 1000 - Date.now());
      // setTimeout's limit is ~24.8 days; tokens live minutes.
      const timer = setTimeout(
        () => {
          byToken.delete(token);
          for (const [expiring, its] of sockets) expire(expiring, its);
        },
        Math.min(ms, 2 ** 31 - 1),
      );
      timer.unref();
      group = { token, timer, sockets };
      byToken.set(token, group);
    }
    group.sockets.set(connection, socket);
    return group.token;
  };

  const format = (errors: readonly (GraphQLError | GraphQLFormattedError)[]): GraphQLFormattedError[] =>
    errors.map((error) =>
      formatRouterError(error instanceof GraphQLError ? error.toJSON() : error, options.production),
    );

  const server = useServer<Record<string, unknown>, { connection: Connection }>(
    {
      connectionInitWaitTimeout: limits.connectionInitTimeoutMs,
      onConnect: async (ctx) => {
        const header = authorizationOf(ctx.connectionParams);
        let viewer: Viewer | undefined;
        if (header !== undefined && header !== null && header !== '') {
          if (typeof header !== 'string') return false;
          try {
            const token = bearerToken(header);
            if (!token) return false;
            viewer = await options.verifyToken(token);
          } catch (error) {
            const refused = edgeAuthError(error);
            if (refused.extensions.code === ErrorCode.UNAUTHENTICATED) {
              log.info({ reason: refused.message }, 'websocket token refused');
              return false;
            }
            log.error({ err: error }, 'websocket token verification failed');
            ctx.extra.socket.close(WS_CLOSE.INTERNAL_ERROR, 'Access tokens cannot be verified right now');
            return false;
          }
        }
        if (viewer) {
          const held = perViewer.get(viewer.id) ?? 0;
          if (held >= limits.maxConnectionsPerViewer) {
            ctx.extra.socket.close(WS_CLOSE.POLICY_VIOLATION, 'Too many connections for this account');
            return false;
          }
          perViewer.set(viewer.id, held + 1);
        }
        const { request } = ctx.extra;
        const connection: Connection = {
          viewer,
          authorization: undefined, // a signed-in connection's is set below
          peer: {
            forwardedFor: request.headers['x-forwarded-for'],
            remoteAddress: request.socket.remoteAddress,
          },
          subscriptions: new Map(),
          expired: false,
        };
        connections.set(ctx, connection);
        ctx.extra.connection = connection;
        // The upgrade request (its headers, raw headers and parser state) would otherwise live as long
        // as the socket: a few KiB per idle connection. Nothing reads it after this point. Cleared, not
        // deleted: a deleted property turns the object into a dictionary (a quarter KiB more).
        (ctx.extra as { request: unknown }).request = undefined;
        if (viewer) {
          // The connections of one token (a customer's tabs) keep one copy of it, not one each: here, and
          // in the connection_init payload graphql-ws keeps as long as the connection.
          const token = watchExpiry(connection, ctx.extra.socket, header as string, viewer.expiresAt);
          connection.authorization = token;
          const params = ctx.connectionParams as Record<string, unknown>;
          if (params.authorization === header) params.authorization = token;
          else params.Authorization = token;
        }
        return true;
      },
      onClose: (ctx) => {
        const connection = connections.get(ctx);
        if (connection) release(connection);
      },
      onSubscribe: async (ctx, id, sent) => {
        let payload = sent;
        const connection = ctx.extra.connection!;
        if (connection.expired) return [unauthenticated('The access token has expired')];
        const limited = await options.rateLimits?.check({
          viewer: connection.viewer,
          address: clientAddress(
            connection.peer.forwardedFor,
            connection.peer.remoteAddress,
            options.trustProxy,
          ),
        });
        if (limited) {
          // The HTTP status and headers mean nothing on a socket: the error alone.
          const { http: _http, ...extensions } = limited.extensions;
          return [new GraphQLError(limited.message, { extensions })];
        }
        const trusted = options.trustedDocuments?.check(payload);
        if (trusted && 'refused' in trusted) {
          const { http: _http, ...extensions } = trusted.refused.extensions;
          options.metrics.errors.inc({ code: String(extensions.code), operation: 'unknown' });
          return [new GraphQLError(trusted.refused.message, { extensions })];
        }
        if (trusted) payload = { ...payload, query: trusted.query, extensions: trusted.extensions };
        let document: DocumentNode;
        try {
          const parsed = documents.parse(payload.query);
          document = parsed.document;
          // graphql-ws keeps the message's payload while the operation runs: point it at the one copy of
          // the text (a trusted document's text is the manifest's, shared already).
          if (payload === sent) (sent as { query: string }).query = parsed.query;
        } catch (error) {
          return [
            new GraphQLError(error instanceof GraphQLError ? error.message : 'Syntax error', {
              extensions: { code: 'GRAPHQL_PARSE_FAILED' },
            }),
          ];
        }
        const variables = payload.variables ?? {};
        const operationName = payload.operationName ?? undefined;
        const contextValue = new SocketOperationContext(
          log,
          connection,
          ctx.extra.socket,
          id,
          payload,
          options.trustProxy,
        );
        const operation = getOperationAST(document, operationName);
        const args: ExecutionArgs = {
          schema: options.current()?.apiSchema as never,
          document,
          variableValues: variables,
          ...(operationName ? { operationName } : {}),
          contextValue,
        };
        // Queries and mutations: Apollo's pipeline validates, limits and authorizes them (see execute).
        if (operation?.operation !== 'subscription') return args;

        const served = options.current();
        if (!served) {
          return [
            new GraphQLError('The supergraph is not loaded yet', {
              extensions: { code: 'SERVICE_UNAVAILABLE' },
            }),
          ];
        }
        if (!served.apiSchema.getSubscriptionType()) {
          return [
            new GraphQLError('The schema has no subscriptions', {
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          ];
        }
        const invalid = validate(served.apiSchema, document, specifiedRules);
        if (invalid.length > 0) {
          return invalid.map(
            (error) =>
              new GraphQLError(error.message, {
                nodes: error.nodes,
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
              }),
          );
        }
        if (connection.subscriptions.size >= limits.maxSubscriptionsPerConnection) {
          return [
            limitError(
              'subscriptions',
              limits.maxSubscriptionsPerConnection,
              `A connection may run at most ${limits.maxSubscriptionsPerConnection} subscriptions`,
            ),
          ];
        }
        const refused =
          findLimitViolation(options.operationLimits, served.apiSchema, document, operation, variables) ??
          findAccessError({
            schema: served.apiSchema,
            document,
            operation,
            variables,
            requirements: served.access,
            scopes: connection.viewer?.roles,
          });
        if (refused) return [refused];
        return { ...args, schema: served.apiSchema };
      },
      execute: async (args) => {
        const context = args.contextValue as OperationContext;
        const result = await options.executeOperation(context.ws.payload, context);
        return result;
      },
      subscribe: (args) => {
        const context = args.contextValue as OperationContext;
        const { id, payload, connection, socket } = context.ws;
        const stream = options.executor.execute(
          {
            query: payload.query,
            document: args.document,
            operationName: args.operationName ?? undefined,
            variables: (args.variableValues ?? {}) as Record<string, unknown>,
            context,
          },
          () => {
            context.logger.warn('slow subscriber disconnected');
            socket.close(WS_CLOSE.TRY_AGAIN_LATER, 'Client too slow');
          },
        );
        connection.subscriptions.set(id, stream);
        return stream;
      },
      onNext: (_ctx, _id, _payload, args, result) => {
        const context = args.contextValue as OperationContext;
        if (!result.errors?.length) return;
        // Queries and mutations come back formatted by Apollo; subscription results are formatted here.
        const formatted = format(result.errors as readonly GraphQLError[]);
        context.logger.debug({ codes: formatted.map((e) => e.extensions?.code) }, 'subscription errors');
        return { ...result, errors: formatted };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors),
      onComplete: (ctx, id) => {
        const connection = ctx.extra.connection;
        if (!connection) return;
        connection.subscriptions.delete(id);
        if (connection.expired && connection.subscriptions.size === 0) {
          ctx.extra.socket.close(WS_CLOSE.TOKEN_EXPIRED, 'Token expired');
        }
      },
    },
    wss,
    limits.keepAliveMs,
  );

  return {
    /** Closes every client connection with 1001 and stops accepting upgrades. */
    close: () => server.dispose(),
  };
}
