import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_GRAPHQL_OPERATION_NAME,
  ATTR_SUBGRAPH_NAME,
  injectTraceContext,
  tracingEnabled,
  withSpan,
} from '@shop/platform';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { GraphQLError } from 'graphql';
import type { RouterContext } from './request-context.js';
import type { RouterMetrics } from './router-metrics.js';
import { SUBREQUEST_HTTP_ERROR } from './router-errors.js';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type GatewayResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

export interface SubgraphDataSourceOptions {
  /** The subgraph's name in the supergraph (metrics label, `extensions.serviceName`). */
  name: string;
  /** Its routing URL. */
  url: string;
  metrics: RouterMetrics;
  /** Abort a fetch that has not completed after this long. Default 30 000 ms. */
  timeoutMs?: number;
  /** Send identical reads in flight at the same moment once (see keepAliveFetcher). Default true. */
  deduplicate?: boolean;
}

/** Headers that identify the caller to a subgraph: requests differing in these are never shared. */
const IDENTITY_HEADERS = ['authorization', 'x-forwarded-for'];

/** Whether a subgraph request body is a read (a query, e.g. an `_entities` fetch), never a mutation. */
function isReadRequest(body: string): boolean {
  try {
    const query = (JSON.parse(body) as { query?: unknown }).query;
    return typeof query === 'string' && /^\s*(query\b|\{)/.test(query);
  } catch {
    return false;
  }
}

/**
 * Node's global fetch (undici) with a timeout. undici pools keep-alive connections per origin by default
 * (its global dispatcher), so consecutive fetches to a subgraph reuse a TCP connection; the e2e spec counts
 * the connections a subgraph sees. The gateway's own default fetcher (make-fetch-happen) would keep alive
 * too, but brings its own HTTP stack and cache layer for nothing.
 *
 * Identical reads in flight at the same moment are sent once (subgraph request deduplication, as Apollo
 * Router does): same URL, same body (query and variables) and same caller (authorization, client address).
 * A subscription event that many subscribers of one customer receive then costs one fetch per subgraph,
 * not one per subscriber. Each caller gets its own copy of the answer. Mutations are never shared.
 * `deduplicate: false` sends every read (SUBGRAPH_DEDUPLICATION=false; benchmarks measure without it).
 */
export function keepAliveFetcher(
  timeoutMs: number,
  { onShared, deduplicate = true }: { onShared?: () => void; deduplicate?: boolean } = {},
): Fetcher {
  const inFlight = new Map<string, Promise<{ status: number; headers: [string, string][]; body: string }>>();
  const send = async (url: string, init?: RequestInit) => {
    const signal = AbortSignal.timeout(timeoutMs);
    // A read sent on a pooled connection that the subgraph closed at that moment got no answer at
    // all: a replica shutting down closes its keep-alive connections, which outlive its endpoint (the
    // node keeps established connections where they are). It is sent again, as Go's http.Transport
    // retries an idempotent request on a reused connection; the pool may hold more connections to
    // that replica, hence up to READ_ATTEMPTS. Never a mutation, which does not come here.
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await fetch(url, { ...init, signal });
        return { status: response.status, headers: [...response.headers], body: await response.text() };
      } catch (error) {
        if (attempt >= READ_ATTEMPTS || !closedBeforeAnswer(error)) throw error;
      }
    }
  };
  return (async (url: string, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? init.body : undefined;
    if (!body || !isReadRequest(body)) {
      return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    }
    if (!deduplicate) {
      const answer = await send(url, init);
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    }
    const headers = new Headers(init?.headers);
    const key = JSON.stringify([url, body, ...IDENTITY_HEADERS.map((name) => headers.get(name))]);
    let pending = inFlight.get(key);
    if (pending) onShared?.();
    else {
      pending = send(url, init).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const answer = await pending;
    return new Response(answer.body, { status: answer.status, headers: answer.headers });
  }) as unknown as Fetcher;
}

/** Sends of one read when each attempt's connection closed before any answer (keepAliveFetcher). */
const READ_ATTEMPTS = 3;

/** undici's error when the connection closed before any answer came (the peer closed or reset it). */
function closedBeforeAnswer(error: unknown): boolean {
  // By name, not instanceof: fetch's TypeError may come from another realm (a test's VM context).
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown } };
  return name === 'TypeError' && ['UND_ERR_SOCKET', 'ECONNRESET'].includes(String(cause?.code));
}

function isGraphQLBody(body: unknown): body is { errors: { message: string }[]; data?: unknown } {
  return (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { errors?: unknown }).errors) &&
    (body as { errors: unknown[] }).errors.every(
      (e) => typeof (e as { message?: unknown })?.message === 'string',
    )
  );
}

/**
 * How the router talks to one subgraph: forwards the caller's `authorization`, `x-request-id`,
 * `traceparent`/`tracestate` and `x-forwarded-for` (prepared once per request in the context), times each
 * fetch, and turns failures into errors that name the subgraph but never its URL:
 * - a non-2xx answer whose body is a GraphQL response (a subgraph's 400 or 401) is passed on as that
 *   response, so its errors keep their codes;
 * - anything else (connection refused, timeout, an HTML error page) becomes SUBREQUEST_HTTP_ERROR with
 *   `serviceName`, logged with the cause.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<RouterContext> {
  readonly name: string;
  private readonly metrics: RouterMetrics;

  constructor(options: SubgraphDataSourceOptions) {
    super({
      url: options.url,
      fetcher: keepAliveFetcher(options.timeoutMs ?? 30_000, {
        onShared: () => options.metrics.subgraphFetchesShared.inc({ subgraph: options.name }),
        deduplicate: options.deduplicate ?? true,
      }),
    });
    this.name = options.name;
    this.metrics = options.metrics;
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<RouterContext>): void {
    const context = options.context as Partial<RouterContext>;
    const forwarded = context.forwardedHeaders;
    if (!forwarded) return; // a gateway health check: no caller
    const headers = options.request.http!.headers;
    for (const [name, value] of Object.entries(forwarded)) {
      if (value !== undefined) headers.set(name, value);
    }
    // Tracing on: the subgraph's spans are children of this fetch's span, not of the client's caller.
    if (tracingEnabled()) {
      const traceHeaders: Record<string, string> = {};
      injectTraceContext(traceHeaders);
      for (const [name, value] of Object.entries(traceHeaders)) headers.set(name, value);
    }
  }

  /** The fetch, in a CLIENT span `subgraph <name>` when tracing is on (its trace context is what the subgraph receives). */
  override process(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayResponse> {
    if (!tracingEnabled()) return this.fetchFromSubgraph(options);
    return withSpan(
      `subgraph ${this.name}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [ATTR_SUBGRAPH_NAME]: this.name,
          [ATTR_HTTP_REQUEST_METHOD]: 'POST',
          [ATTR_URL_FULL]: this.url,
          ...(options.request.operationName
            ? { [ATTR_GRAPHQL_OPERATION_NAME]: options.request.operationName }
            : {}),
        },
      },
      async (span) => {
        const response = await this.fetchFromSubgraph(options);
        if (response.errors?.length) span.setAttribute('graphql.error.count', response.errors.length);
        return response;
      },
    );
  }

  private async fetchFromSubgraph(
    options: GraphQLDataSourceProcessOptions<RouterContext>,
  ): Promise<GatewayResponse> {
    const stop = this.metrics.subgraphFetchDuration.startTimer({ subgraph: this.name });
    try {
      const response = await super.process(options);
      stop({ outcome: response.errors?.length ? 'errors' : 'ok' });
      return response;
    } catch (error) {
      const body =
        error instanceof GraphQLError ? (error.extensions.response as { body?: unknown })?.body : undefined;
      if (isGraphQLBody(body)) {
        stop({ outcome: 'errors' });
        return {
          errors: body.errors,
          ...(body.data !== undefined ? { data: body.data as Record<string, unknown> } : {}),
        };
      }
      stop({ outcome: 'failed' });
      (options.context as Partial<RouterContext>).logger?.warn(
        { err: error, subgraph: this.name },
        'subgraph request failed',
      );
      throw new GraphQLError(`Subgraph "${this.name}" request failed`, {
        originalError: error instanceof Error ? error : undefined,
        extensions: { code: SUBREQUEST_HTTP_ERROR, serviceName: this.name },
      });
    }
  }
}
