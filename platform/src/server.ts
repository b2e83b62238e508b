import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import express from 'express';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { bearerToken, type VerifyToken, type Viewer } from './auth.js';
import { ErrorCode, maskError } from './errors.js';
import { graphqlOperationSpan, httpServerSpan } from './http-tracing.js';
import type { Logger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { faultInjectionPlugin } from './plugins/fault-injection.plugin.js';
import { metricsPlugin } from './plugins/metrics.plugin.js';
import { countSqlStatements } from './sql-statements.js';
import { requestLogPlugin } from './plugins/request-log.plugin.js';
import { tracingPlugin } from './plugins/tracing.plugin.js';
import { unavailableStatusPlugin } from './plugins/unavailable-status.plugin.js';
import {
  serveGraphQLOverWebSocket,
  type SubscriptionsOptions,
  type WebSocketEndpoint,
} from './subscriptions.js';

/** What every request's context carries, whatever the subgraph. */
export interface RequestContext extends BaseContext {
  /** From `x-request-id` (set by the router) or generated; echoed in the response header. */
  requestId: string;
  /** The verified caller, or undefined when anonymous. */
  viewer: Viewer | undefined;
  /** A child logger carrying the request id. */
  logger: Logger;
  /**
   * The caller's `Authorization` header as received, for asking an owning subgraph's `_entities`
   * on the caller's behalf (owners check ownership on every entity).
   */
  authorization: string | undefined;
  /**
   * The client's address: `x-client-ip`, else the first `x-forwarded-for` entry (the router
   * overwrites both; subgraphs take traffic from the router alone); undefined when neither is set.
   */
  clientIp: string | undefined;
}

/** A readiness check: resolves true when the dependency answers. */
export type ReadinessCheck = () => Promise<boolean>;

export interface GraphQLServiceOptions<C extends RequestContext> {
  /** The one name of the service (folder, package, metrics label). */
  name: string;
  /** A schema built by the caller; for subgraphs use `typeDefs` + `resolvers` instead. */
  schema?: GraphQLSchema;
  typeDefs?: DocumentNode;
  resolvers?: GraphQLResolverMap<C>;
  logger: Logger;
  /** Verifies bearer tokens; a bad token fails the request with UNAUTHENTICATED before execution. */
  verifyToken: VerifyToken;
  /** Adds the service's own fields (EntityManager fork, loaders...) to the base context. */
  context: (base: RequestContext) => Promise<C> | C;
  /** Named checks run by `/health/ready`: all must pass for the service to be ready. */
  readiness?: Record<string, ReadinessCheck>;
  /**
   * What `/health/ready` reports beside the checks, without deciding readiness (e.g. what the Kafka
   * consumers are doing: they join in the background and do not gate serving requests).
   */
  readinessDetails?: () => Record<string, unknown>;
  /** Extra routes mounted before `/graphql` (e.g. the JWKS document). */
  routes?: (app: express.Express) => void;
  /** Keep internal error messages (never stack traces) in responses. Default false. */
  exposeErrors?: boolean;
  metrics?: Metrics;
  plugins?: ApolloServerPlugin<C>[];
  /**
   * GraphQL over WebSocket (graphql-ws) on `/graphql`, for subscriptions and any operation; see
   * `serveGraphQLOverWebSocket`. On by default with its defaults; `false` serves HTTP only.
   */
  subscriptions?: SubscriptionsOptions | false;
  /**
   * A testing switch (`FAULT_INJECT_ERROR_RATIO`): the share of queries and mutations answered with an
   * injected INTERNAL_SERVER_ERROR (`faultInjectionPlugin`). Default 0, off; a warning is logged when on.
   */
  faultInjectErrorRatio?: number;
}

export interface GraphQLService {
  readonly httpServer: Server;
  readonly metrics: Metrics;
  /** Starts Apollo and listens; `port` 0 picks a free port. Resolves the base URL. */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /**
   * Fails readiness, closes WebSocket clients with 1001 (their subscriptions end; clients
   * reconnect elsewhere), stops accepting and drains in-flight HTTP requests. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * An HTTP GraphQL service: Apollo Server 5 on express with `/graphql`, `/health/live` (always 200
 * while the process runs), `/health/ready` (200 only when every readiness check passes and the
 * service is not shutting down; the body lists each check and the `readinessDetails`), `/metrics` (Prometheus), a request id per request, JSON logs and
 * masked errors; and graphql-ws on the same `/graphql` (subscriptions, token in `connection_init`,
 * see `serveGraphQLOverWebSocket`). `buildApp` functions call this and have no side effects until
 * `listen`.
 */
export function createGraphQLService<C extends RequestContext>(
  options: GraphQLServiceOptions<C>,
): GraphQLService {
  const metrics = options.metrics ?? createMetrics(options.name);
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const schema =
    options.schema ??
    buildSubgraphSchema({
      typeDefs: options.typeDefs!,
      resolvers: options.resolvers as GraphQLResolverMap<unknown>,
    });
  let shuttingDown = false;
  const faultRatio = options.faultInjectErrorRatio ?? 0;
  if (faultRatio > 0)
    options.logger.warn(
      { faultInjectErrorRatio: faultRatio },
      'FAULT_INJECT_ERROR_RATIO is set: this share of operations fails on purpose (a testing switch)',
    );

  const apollo = new ApolloServer<C>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // Shutdown belongs to runService (it stops HTTP, consumers, relay, Kafka and the ORM in order);
    // Apollo's own signal handler would exit before those finish.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) => maskError(formatted, options.exposeErrors ?? false, error),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Federated inline tracing (ftv1) costs on every request and nothing here reads it.
      ApolloServerPluginInlineTraceDisabled(),
      metricsPlugin<C>({ metrics }),
      requestLogPlugin<C>(),
      tracingPlugin<C>(),
      unavailableStatusPlugin<C>({ codes: new Set([ErrorCode.SERVICE_UNAVAILABLE]) }),
      ...(faultRatio > 0 ? [faultInjectionPlugin<C>({ errorRatio: faultRatio })] : []),
      ...(options.plugins ?? []),
    ],
  });

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_req, res) => {
    if (shuttingDown) {
      res.status(503).json({ status: 'shutting down' });
      return;
    }
    const checks = Object.entries(options.readiness ?? {});
    const results = await Promise.all(
      checks.map(async ([name, check]) => [name, await check().catch(() => false)]),
    );
    const ok = results.every(([, passed]) => passed);
    res.status(ok ? 200 : 503).json({
      status: ok ? 'ok' : 'unavailable',
      checks: Object.fromEntries(results),
      ...options.readinessDetails?.(),
    });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  options.routes?.(app);

  let started: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  let webSocket: WebSocketEndpoint | undefined;
  return {
    httpServer,
    metrics,
    async listen(port, host = '0.0.0.0') {
      started ??= apollo.start().then(() => {
        app.use(
          '/graphql',
          // Tracing first, so the body parser's work already runs in the request's span.
          httpServerSpan(),
          express.json({ limit: '1mb' }),
          graphqlOperationSpan(),
          countSqlStatements(),
          expressMiddleware(apollo, {
            context: async ({ req, res }) => {
              const requestId = req.header('x-request-id') ?? randomUUID();
              res.setHeader('x-request-id', requestId);
              const logger = options.logger.child({ requestId });
              const authorization = req.header('authorization');
              const token = bearerToken(authorization);
              const viewer = token ? await options.verifyToken(token) : undefined;
              // Never the peer address: behind the router that is the router, shared by every client.
              const clientIp =
                req.header('x-client-ip')?.trim() ||
                req.header('x-forwarded-for')?.split(',')[0]?.trim() ||
                undefined;
              return options.context({ requestId, viewer, logger, authorization, clientIp });
            },
          }),
        );
        if (options.subscriptions !== false) {
          webSocket = serveGraphQLOverWebSocket<C>({
            ...(options.subscriptions ?? {}),
            httpServer,
            path: '/graphql',
            schema,
            logger: options.logger,
            verifyToken: options.verifyToken,
            context: options.context,
            metrics,
            exposeErrors: options.exposeErrors ?? false,
          });
        }
      });
      await started;
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => resolve());
      });
      const address = httpServer.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
      options.logger.info({ port: address.port }, `${options.name} listening`);
      return { url: `http://${shownHost}:${address.port}`, port: address.port };
    },
    close() {
      shuttingDown = true;
      closed ??= (async () => {
        // WebSocket clients first: their sockets would otherwise keep the HTTP server from closing.
        await webSocket?.close();
        // apollo.stop() runs the drain plugin: it stops accepting and waits for in-flight requests.
        if (started) await apollo.stop();
        else if (httpServer.listening) await new Promise((r) => httpServer.close(r));
      })();
      return closed;
    },
  };
}
