import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApolloGateway, type GatewayConfig } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import {
  bearerToken,
  createJwtVerifier,
  graphqlOperationSpan,
  httpServerSpan,
  requestLogPlugin,
  tracingPlugin,
  unavailableStatusPlugin,
  withOperationSpan,
  type JwtVerifierOptions,
  type Logger,
  type VerifyToken,
  type Viewer,
} from '@shop/platform/edge';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { Agent } from 'undici';
import { GraphQLError, parse, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { readAccessRequirements, type AccessRequirements } from './access-requirements.js';
import { corsMiddleware } from './cors.js';
import { edgeRateLimits, type RateLimitOptions } from './rate-limits.js';
import { accessDirectivesPlugin } from './plugins/access-directives.plugin.js';
import {
  DEFAULT_OPERATION_LIMITS,
  operationLimitsPlugin,
  type OperationLimits,
} from './plugins/operation-limits.plugin.js';
import { mutationSheddingPlugin } from './plugins/mutation-shedding.plugin.js';
import { operationMetricsPlugin } from './plugins/operation-metrics.plugin.js';
import { subscriptionsOverHttpPlugin } from './plugins/subscriptions-over-http.plugin.js';
import { supergraphReadiness } from './readiness.js';
import {
  clientAddress,
  forwardedFor,
  requestIdFrom,
  traceContextFrom,
  type RouterContext,
} from './request-context.js';
import {
  edgeAuthError,
  formatRouterError,
  operationLimitExceeded,
  RETRYABLE_CODES,
} from './router-errors.js';
import { createRouterMetrics, type RouterMetrics } from './router-metrics.js';
import { SubgraphDataSource } from './subgraph-data-source.js';
import { ServedSupergraph } from './subscriptions/served-supergraph.js';
import { SubscriptionExecutor } from './subscriptions/subscription-executor.js';
import { UpstreamPool } from './subscriptions/upstream-pool.js';
import {
  DEFAULT_WEBSOCKET_LIMITS,
  serveWebSocket,
  type WebSocketLimits,
} from './subscriptions/websocket-transport.js';
import { supergraphFile } from './supergraph-file.js';
import { TrustedDocuments, type TrustedDocumentsOptions } from './trusted-documents.js';
import {
  gatewayCompatibleSupergraph,
  subgraphEndpoints,
  unmatchedSubgraphUrls,
  withSubgraphUrls,
  type SubgraphEndpoint,
} from './supergraph-sdl.js';

/** Every limit of the router: the operation limits plus the request size. */
export interface RouterLimits extends OperationLimits {
  /** Largest request accepted, in bytes: a POST body, or a GET's URL. Default 65 536 (64 KiB). */
  maxRequestBytes: number;
}

export const DEFAULT_ROUTER_LIMITS: RouterLimits = {
  ...DEFAULT_OPERATION_LIMITS,
  maxRequestBytes: 64 * 1024,
};

export interface RouterOptions {
  /** The composed supergraph file; watched and reloaded when it changes. */
  supergraphPath: string;
  /** Verifies bearer tokens: a verifier, or the JWKS + issuer + audience to build one with the kit's `createJwtVerifier`. */
  auth: VerifyToken | JwtVerifierOptions;
  logger: Logger;
  /** Production mode: generic messages for internal and subgraph errors, no query plans, no Sandbox by default. Default false. */
  production?: boolean;
  /** Serve the Apollo Sandbox (and allow introspection). Default: not in production. */
  sandbox?: boolean;
  /** Limits; each defaults to {@link DEFAULT_ROUTER_LIMITS}. */
  limits?: Partial<RouterLimits>;
  /** The router sits behind a proxy that sets `x-forwarded-for`: append to that chain instead of replacing it. Default false. */
  trustProxy?: boolean;
  /** Abort a subgraph fetch after this long. Default 30 000 ms. */
  subgraphTimeoutMs?: number;
  /** Identical subgraph reads in flight at once are sent once (SUBGRAPH_DEDUPLICATION). Default true. */
  subgraphDeduplication?: boolean;
  /**
   * Client subscriptions with the same document, variables and `Authorization` share one run: one
   * upstream subscription, each event resolved once (SUBSCRIPTION_DEDUPLICATION). Default true.
   */
  subscriptionDeduplication?: boolean;
  /**
   * Once a subgraph refuses a root mutation field with SERVICE_UNAVAILABLE, the router refuses that field
   * itself, without a fetch, for the error's Retry-After (MUTATION_SHEDDING). Default true.
   */
  mutationShedding?: boolean;
  /**
   * Routing URLs that replace the supergraph's, by subgraph name (compared upper-cased, other characters
   * as `_`, as in `SUBGRAPH_URL_<NAME>`): where a deployment reaches a subgraph at another address than the
   * composed file says (Kubernetes Service names, compose service names). Used for every contact with that
   * subgraph: query fetches, subscription upstreams (its `ws:` form) and readiness probes, in every
   * supergraph the router loads. A name matching no subgraph is logged as a warning at each load. Default none.
   */
  subgraphUrls?: Readonly<Record<string, string>>;
  /** Supergraph file watching: debounce (default 200 ms) and poll interval (default 5000 ms, 0 = off). */
  supergraphWatch?: { debounceMs?: number; pollIntervalMs?: number };
  /** Readiness probes of the subgraphs: cache (default 2000 ms) and timeout (default 2000 ms). */
  readiness?: { cacheMs?: number; timeoutMs?: number };
  /**
   * On `close`, fail readiness and keep serving this long before we stop accepting connections, so load
   * balancers (Kubernetes endpoints, Istio) stop sending traffic first. Default 0.
   */
  shutdownDelayMs?: number;
  /**
   * Origins whose pages may call `/graphql` from a browser (CORS), exact `scheme://host[:port]` strings.
   * Empty (the default): no CORS headers at all, so only same-origin pages can read answers.
   */
  corsOrigins?: readonly string[];
  /**
   * Per-client rate limits counted in Redis (anonymous clients by address, signed-in ones by user id), for
   * HTTP requests and WebSocket subscribe messages alike. Default: none.
   */
  rateLimits?: RateLimitOptions;
  /**
   * Serve only the operations of these persisted query manifests (trusted documents), by id or in full,
   * over HTTP and WebSocket alike; anything else is refused with HTTP 400 before it is parsed. The
   * manifests are read once, when the router is built. Default: any operation, and automatic persisted
   * queries (a client may send an operation's SHA-256 and the full document only when it is not known).
   */
  trustedDocuments?: TrustedDocumentsOptions;
  /** Limits of the WebSocket transport; each defaults to {@link DEFAULT_WEBSOCKET_LIMITS}. */
  websocket?: Partial<WebSocketLimits>;
  /** Reconnect backoff of the router's WebSocket connections to subgraphs (ms). */
  upstreamRetry?: { initialMs?: number; maxMs?: number };
  /** Let the gateway send Apollo its anonymous usage metrics. Default false. */
  apolloTelemetry?: boolean;
  metrics?: RouterMetrics;
  /** What `/metrics` answers; default the text of `metrics.registry` (workers answer for all workers). */
  metricsText?: () => Promise<string>;
}

export interface Router {
  readonly httpServer: Server;
  readonly metrics: RouterMetrics;
  /** Loads the supergraph, starts Apollo and listens; `port` 0 picks a free port. Rejects when the supergraph cannot be loaded. */
  listen(port: number, host?: string): Promise<{ url: string; port: number }>;
  /** Fails readiness, waits `shutdownDelayMs`, stops accepting, drains in-flight requests, stops the gateway (and the file watch). Idempotent. */
  close(): Promise<void>;
}

/**
 * `@apollo/gateway` sends Apollo anonymous usage metrics (and probes cloud metadata endpoints) unless
 * `APOLLO_TELEMETRY_DISABLED` is set when it is constructed; it has no option for it. The variable is set
 * only for the synchronous constructor call and then restored.
 */
function createGateway(config: GatewayConfig, telemetry: boolean): ApolloGateway {
  if (telemetry) return new ApolloGateway(config);
  const previous = process.env.APOLLO_TELEMETRY_DISABLED;
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  try {
    return new ApolloGateway(config);
  } finally {
    if (previous === undefined) delete process.env.APOLLO_TELEMETRY_DISABLED;
    else process.env.APOLLO_TELEMETRY_DISABLED = previous;
  }
}

/** Answers a request refused before Apollo sees it, in the shape of a GraphQL response. */
function sendError(res: express.Response, status: number, error: GraphQLError) {
  const { http: _http, ...extensions } = error.extensions;
  res
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ errors: [{ message: error.message, extensions }] }));
}

/**
 * The router: `@apollo/gateway` serving the supergraph file through Apollo Server 5 on express.
 * - `POST /graphql`, `GET /graphql` (queries only; CSRF prevention as Apollo Server does it), the Apollo
 *   Sandbox on `GET /graphql` with `Accept: text/html` (`GET /` redirects there);
 * - `/health/live`, `/health/ready` (a supergraph is loaded and every subgraph answers), `/metrics`;
 * - bearer tokens verified at the edge (a bad one: UNAUTHENTICATED, HTTP 401, before planning);
 *   `@authenticated`/`@requiresScopes` of the supergraph enforced; depth, alias, cost and size limits;
 * - the caller's authorization, request id, trace context and address forwarded to subgraphs.
 * Nothing happens until `listen`.
 */
export function buildRouter(options: RouterOptions): Router {
  const { logger } = options;
  const production = options.production ?? false;
  const sandbox = options.sandbox ?? !production;
  const limits: RouterLimits = { ...DEFAULT_ROUTER_LIMITS, ...options.limits };
  const metrics = options.metrics ?? createRouterMetrics();
  const verifyToken = typeof options.auth === 'function' ? options.auth : createJwtVerifier(options.auth);
  const subgraphUrls = options.subgraphUrls ?? {};
  const routingUrl = (name: string, url: string) => withSubgraphUrls([{ name, url }], subgraphUrls)[0]!.url;

  // What the supergraph being served says, kept per API schema so a request is judged by the rules of
  // the schema it was validated against, even across a reload.
  const accessRules = new WeakMap<GraphQLSchema, AccessRequirements>();
  let servedSubgraphs: SubgraphEndpoint[] | undefined;
  let served: ServedSupergraph | undefined;
  let generation = 0;

  // One data source per subgraph name and URL, shared by the gateway's queries and subscription events,
  // and one pool of keep-alive connections per subgraph origin under them.
  const subgraphConnections = new Agent();
  const dataSources = new Map<string, SubgraphDataSource>();
  const dataSource = (name: string, url: string) => {
    const key = `${name} ${url}`;
    let source = dataSources.get(key);
    if (!source) {
      source = new SubgraphDataSource({
        name,
        url,
        metrics,
        timeoutMs: options.subgraphTimeoutMs,
        deduplicate: options.subgraphDeduplication ?? true,
        dispatcher: subgraphConnections,
      });
      dataSources.set(key, source);
    }
    return source;
  };

  const gateway = createGateway(
    {
      supergraphSdl: supergraphFile({
        path: options.supergraphPath,
        logger,
        prepare: gatewayCompatibleSupergraph,
        debounceMs: options.supergraphWatch?.debounceMs,
        pollIntervalMs: options.supergraphWatch?.pollIntervalMs,
        onReload: (outcome) => metrics.supergraphReloads.inc({ outcome }),
      }),
      buildService: ({ name, url }) => dataSource(name, routingUrl(name, url ?? '')),
      // Catch a broken supergraph file when it is loaded, not on the first request that needs it.
      validateSupergraph: true,
      __exposeQueryPlanExperimental: !production,
      logger: logger.child({ component: 'gateway' }),
    },
    options.apolloTelemetry ?? false,
  );
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    const document = parse(coreSupergraphSdl);
    const access = readAccessRequirements(document);
    accessRules.set(apiSchema, access);
    const endpoints = subgraphEndpoints(document);
    const unmatched = unmatchedSubgraphUrls(endpoints, subgraphUrls);
    if (unmatched.length > 0)
      logger.warn({ subgraphs: unmatched }, 'routing URL overrides name no subgraph of the supergraph');
    servedSubgraphs = withSubgraphUrls(endpoints, subgraphUrls);
    generation += 1;
    served = new ServedSupergraph({
      generation,
      supergraphSdl: coreSupergraphSdl,
      apiSchema,
      access,
      subgraphs: servedSubgraphs,
    });
  });
  const rateLimits = options.rateLimits ? edgeRateLimits(options.rateLimits, { logger, metrics }) : undefined;
  const trusted = options.trustedDocuments ? TrustedDocuments.load(options.trustedDocuments) : undefined;
  const readiness = supergraphReadiness({ subgraphs: () => servedSubgraphs, ...options.readiness });

  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  let shuttingDown = false;
  // While shutting down, every response closes its connection: a client's keep-alive connection would
  // otherwise stay on this process after its endpoint is gone (kube-proxy keeps established
  // connections where they are) until the server closes it, and a request sent at that moment fails.
  // Told to close during SHUTDOWN_DELAY_MS, clients open their next connection to another replica.
  httpServer.prependListener('request', (_request, response) => {
    if (shuttingDown) response.setHeader('connection', 'close');
  });

  const apollo = new ApolloServer<RouterContext>({
    gateway,
    logger: logger.child({ component: 'apollo' }),
    csrfPrevention: true,
    // With trusted documents only listed operations run (the check below turns an id into its body), so
    // no client may register new ones; otherwise automatic persisted queries, in memory.
    ...(trusted ? { persistedQueries: false as const } : {}),
    introspection: sandbox,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    // runService (main.ts) owns SIGTERM; Apollo's own handler would re-raise the signal mid-shutdown.
    stopOnTerminationSignals: false,
    formatError: (formatted) => formatRouterError(formatted, production),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      sandbox
        ? ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false })
        : ApolloServerPluginLandingPageProductionDefault({ footer: false }),
      operationMetricsPlugin<RouterContext>({ metrics }),
      requestLogPlugin<RouterContext>(),
      tracingPlugin<RouterContext>(),
      unavailableStatusPlugin<RouterContext>({ codes: RETRYABLE_CODES }),
      // These refuse in didResolveOperation, before the gateway plans: a subscription sent over HTTP
      // first, then a mutation being shed, then limits, then access directives.
      subscriptionsOverHttpPlugin<RouterContext>(),
      ...(options.mutationShedding === false
        ? []
        : [mutationSheddingPlugin<RouterContext>({ shed: metrics.mutationsShed })]),
      operationLimitsPlugin<RouterContext>(limits),
      accessDirectivesPlugin<RouterContext>({ requirementsFor: (schema) => accessRules.get(schema) }),
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
    const report = await readiness.check();
    res
      .status(report.ok ? 200 : 503)
      .json({ status: report.ok ? 'ok' : 'unavailable', checks: report.checks });
  });
  const metricsText = options.metricsText ?? (() => metrics.registry.metrics());
  app.get('/metrics', async (_req, res, next) => {
    try {
      res.type(metrics.registry.contentType).send(await metricsText());
    } catch (error) {
      next(error);
    }
  });
  app.get('/', (req, res, next) => {
    // Browsers go to the Sandbox, which points at the URL it is served from.
    if (/text\/html/.test(req.get('accept') ?? '')) res.redirect(302, '/graphql');
    else next();
  });

  // Before the body is read: the request id every answer carries, and the size limit for GET.
  const requestHead: RequestHandler = (req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    if (Buffer.byteLength(req.originalUrl) > limits.maxRequestBytes) {
      metrics.errors.inc({ code: 'OPERATION_LIMIT_EXCEEDED', operation: 'unknown' });
      sendError(
        res,
        413,
        operationLimitExceeded('size', Buffer.byteLength(req.originalUrl), limits.maxRequestBytes),
      );
      return;
    }
    next();
  };
  // Errors of express.json: a body over the limit (413, before it is read when content-length says so), bad JSON.
  const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error?.type === 'entity.too.large') {
      metrics.errors.inc({ code: 'OPERATION_LIMIT_EXCEEDED', operation: 'unknown' });
      sendError(res, 413, operationLimitExceeded('size', Number(error.length) || 0, limits.maxRequestBytes));
      return;
    }
    const status = typeof error?.status === 'number' && error.status < 500 ? error.status : 400;
    sendError(
      res,
      status,
      new GraphQLError('Malformed request body', { extensions: { code: 'BAD_REQUEST' } }),
    );
  };

  // After the body is read, before Apollo: a listed id becomes its document, anything unlisted is refused.
  const trustedDocuments: RequestHandler = (req, res, next) => {
    if (!trusted) return next();
    let request: { query?: unknown; extensions?: unknown } | undefined;
    let search: URLSearchParams | undefined;
    if (req.method === 'POST') {
      const body: unknown = req.body;
      if (typeof body === 'object' && body !== null && !Array.isArray(body)) request = body;
    } else if (req.method === 'GET') {
      search = new URLSearchParams(req.url.split('?')[1] ?? '');
      let extensions: unknown = search.get('extensions') ?? undefined;
      try {
        extensions = typeof extensions === 'string' ? JSON.parse(extensions) : undefined;
      } catch {
        extensions = undefined; // Apollo answers malformed extensions as a bad request.
      }
      request = { query: search.get('query') ?? undefined, extensions };
    }
    const decision = request && trusted.check(request);
    if (!decision) return next();
    if ('refused' in decision) {
      metrics.errors.inc({ code: String(decision.refused.extensions.code), operation: 'unknown' });
      sendError(res, 400, decision.refused);
      return;
    }
    if (search) {
      search.set('query', decision.query);
      if (decision.extensions) search.set('extensions', JSON.stringify(decision.extensions));
      else search.delete('extensions');
      req.url = `${req.url.split('?')[0]}?${search}`;
    } else {
      const { extensions: _sent, ...body } = req.body as Record<string, unknown>;
      req.body = {
        ...body,
        query: decision.query,
        ...(decision.extensions ? { extensions: decision.extensions } : {}),
      };
    }
    next();
  };

  const context = async ({
    req,
    res,
  }: {
    req: express.Request;
    res: express.Response;
  }): Promise<RouterContext> => {
    const requestId =
      (res.locals.requestId as string | undefined) ?? requestIdFrom(req.headers['x-request-id']);
    const requestLogger = logger.child({ requestId });
    const authorization = req.headers.authorization;
    let viewer: Viewer | undefined;
    try {
      const token = bearerToken(authorization);
      viewer = token ? await verifyToken(token) : undefined;
    } catch (error) {
      const refused = edgeAuthError(error);
      if (refused.extensions.code === 'UNAUTHENTICATED')
        requestLogger.info({ reason: refused.message }, 'token refused');
      else requestLogger.error({ err: error }, 'token verification failed');
      throw refused;
    }
    // After the token (a signed-in client counts by user id), before parsing: a refusal costs nothing.
    const limited = await rateLimits?.check({
      viewer,
      address: clientAddress(
        req.headers['x-forwarded-for'],
        req.socket.remoteAddress,
        options.trustProxy ?? false,
      ),
    });
    if (limited) throw limited;
    const forwarded = forwardedFor(
      req.headers['x-forwarded-for'],
      req.socket.remoteAddress,
      options.trustProxy ?? false,
    );
    return {
      requestId,
      viewer,
      logger: requestLogger,
      authorization,
      clientIp: forwarded.split(',')[0]?.trim(),
      forwardedHeaders: {
        ...(viewer && authorization ? { authorization } : {}),
        'x-request-id': requestId,
        ...traceContextFrom(req.headers.traceparent, req.headers.tracestate),
        'x-forwarded-for': forwarded,
      },
    };
  };

  const upstream = new UpstreamPool({ logger, metrics, retry: options.upstreamRetry });
  const websocket = serveWebSocket({
    httpServer,
    logger,
    metrics,
    verifyToken,
    current: () => served,
    executor: new SubscriptionExecutor({
      current: () => served!,
      upstream,
      dataSource,
      metrics,
      maxBufferedEvents: { ...DEFAULT_WEBSOCKET_LIMITS, ...options.websocket }.maxBufferedEvents,
      share: options.subscriptionDeduplication ?? true,
    }),
    executeOperation: async (payload, contextValue) => {
      const response = await withOperationSpan(payload.operationName ?? undefined, () =>
        apollo.executeOperation(
          {
            query: payload.query,
            variables: payload.variables ?? undefined,
            operationName: payload.operationName ?? undefined,
            extensions: payload.extensions ?? undefined,
          },
          { contextValue },
        ),
      );
      if (response.body.kind === 'single') return response.body.singleResult as ExecutionResult;
      return {
        errors: [new GraphQLError('Incremental delivery is not supported over WebSocket')],
      };
    },
    limits: { ...DEFAULT_WEBSOCKET_LIMITS, ...options.websocket },
    operationLimits: limits,
    maxMessageBytes: limits.maxRequestBytes,
    production,
    trustProxy: options.trustProxy ?? false,
    rateLimits,
    trustedDocuments: trusted,
  });

  let started: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  return {
    httpServer,
    metrics,
    async listen(port, host = '0.0.0.0') {
      started ??= Promise.all([apollo.start(), rateLimits?.start()]).then(() => {
        app.use(
          '/graphql',
          // The request's span first (it continues the client's traceparent), then the operation's.
          httpServerSpan(),
          // A refused preflight ends here, before the request id and the body.
          ...(options.corsOrigins?.length ? [corsMiddleware(options.corsOrigins)] : []),
          requestHead,
          express.json({ limit: limits.maxRequestBytes }),
          trustedDocuments,
          graphqlOperationSpan(),
          expressMiddleware(apollo, { context }),
          bodyErrors,
        );
      });
      await started;
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
      logger.info(
        {
          port: address.port,
          supergraph: options.supergraphPath,
          subgraphUrls,
          production,
          sandbox,
          trustedDocuments: trusted
            ? { operations: trusted.size, requireId: options.trustedDocuments?.requireId ?? false }
            : 'off',
          rateLimits: options.rateLimits
            ? {
                anonymousPerMinute: options.rateLimits.anonymousPerMinute,
                userPerMinute: options.rateLimits.userPerMinute,
              }
            : 'off',
        },
        'router listening',
      );
      return { url: `http://${shownHost}:${address.port}`, port: address.port };
    },
    close() {
      shuttingDown = true;
      closed ??= (async () => {
        if (options.shutdownDelayMs) await sleep(options.shutdownDelayMs);
        const didStart = started
          ? await started.then(
              () => true,
              () => false,
            )
          : false;
        // WebSocket clients are told to reconnect (1001), then upstream subscriptions close; apollo.stop()
        // runs the drain plugin (stop accepting, wait for in-flight requests), then stops the gateway.
        await websocket.close();
        await upstream.close();
        if (didStart) await apollo.stop();
        else if (httpServer.listening) await new Promise((resolve) => httpServer.close(resolve));
        await subgraphConnections.close();
        await rateLimits?.close();
      })();
      return closed;
    },
  };
}
