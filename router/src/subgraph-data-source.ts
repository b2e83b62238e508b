import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_GRAPHQL_OPERATION_NAME,
  ATTR_SUBGRAPH_NAME,
  injectTraceContext,
  tracingEnabled,
  withSpan,
} from '@shop/platform/edge';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import { GraphQLError } from 'graphql';
import type { Dispatcher } from 'undici';
import type { RouterContext } from './request-context.js';
import type { RouterMetrics } from './router-metrics.js';
import { SUBREQUEST_HTTP_ERROR } from './router-errors.js';
import { subgraphHttp, type SubgraphAnswer, type SubgraphHttp } from './subgraph-http.js';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

export interface SubgraphDataSourceOptions {
  /** The subgraph's name in the supergraph (metrics label, `extensions.serviceName`). */
  name: string;
  /** Its routing URL. */
  url: string;
  metrics: RouterMetrics;
  /** Abort a request that has not completed after this long. Default 30 000 ms. */
  timeoutMs?: number;
  /** Send identical reads in flight at the same moment once (see subgraphHttp). Default true. */
  deduplicate?: boolean;
  /** Where connections come from (one undici Agent shared by the router's data sources). */
  dispatcher?: Dispatcher;
}

/** Whether an operation is a read (a query, e.g. an `_entities` fetch), never a mutation. */
export function isReadOperation(query: unknown): boolean {
  return typeof query === 'string' && /^\s*(query\b|\{)/.test(query);
}

function parseAnswer(answer: SubgraphAnswer): unknown {
  const type = answer.headers['content-type'];
  const contentType = Array.isArray(type) ? type[0] : type;
  return contentType?.startsWith('application/json') ||
    contentType?.startsWith('application/graphql-response+json')
    ? JSON.parse(answer.body)
    : answer.body;
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
 * How the router talks to one subgraph (the gateway's `GraphQLDataSource`): posts each operation as
 * JSON with subgraphHttp, forwards the caller's `authorization`, `x-request-id`, `traceparent`/
 * `tracestate` and `x-forwarded-for` (prepared once per request in the context), restricts the
 * response's cache policy by the subgraph's `Cache-Control` as the gateway's own data source does,
 * times each request, and turns failures into errors that name the subgraph but never its URL:
 * - a non-2xx answer whose body is a GraphQL response (a subgraph's 400 or 401) is passed on as that
 *   response, so its errors keep their codes;
 * - anything else (connection refused, timeout, an HTML error page) becomes SUBREQUEST_HTTP_ERROR with
 *   `serviceName`, logged with the cause.
 * It replaces `RemoteGraphQLDataSource`, whose fetch-based path (a node-fetch Headers and Request and
 * a WHATWG Response per call) cost more CPU than the request itself.
 */
export class SubgraphDataSource implements GraphQLDataSource<RouterContext> {
  readonly name: string;
  readonly url: string;
  private readonly metrics: RouterMetrics;
  private readonly http: SubgraphHttp;

  constructor(options: SubgraphDataSourceOptions) {
    this.name = options.name;
    this.url = options.url;
    this.metrics = options.metrics;
    this.http = subgraphHttp({
      timeoutMs: options.timeoutMs ?? 30_000,
      deduplicate: options.deduplicate ?? true,
      onShared: () => options.metrics.subgraphFetchesShared.inc({ subgraph: options.name }),
      dispatcher: options.dispatcher,
    });
  }

  /** Closes its pooled connections (its own Agent only; a shared dispatcher is closed by its owner). */
  close(): Promise<void> {
    return this.http.close();
  }

  /** The request, in a CLIENT span `subgraph <name>` when tracing is on (its trace context is what the subgraph receives). */
  process(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayResponse> {
    if (!tracingEnabled()) return this.timed(options);
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
        const response = await this.timed(options);
        if (response.errors?.length) span.setAttribute('graphql.error.count', response.errors.length);
        return response;
      },
    );
  }

  /** The headers of a request: the gateway's (e.g. a trace request), JSON, the caller's. */
  private headersFor(options: GraphQLDataSourceProcessOptions<RouterContext>): Record<string, string> {
    const headers: Record<string, string> = {};
    for (const [name, value] of options.request.http?.headers ?? []) headers[name.toLowerCase()] = value;
    headers['content-type'] = 'application/json';
    const forwarded = (options.context as Partial<RouterContext>).forwardedHeaders;
    if (!forwarded) return headers; // a gateway health check: no caller
    for (const [name, value] of Object.entries(forwarded)) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    // Tracing on: the subgraph's spans are children of this request's span, not of the client's caller.
    if (tracingEnabled()) injectTraceContext(headers);
    return headers;
  }

  private async timed(options: GraphQLDataSourceProcessOptions<RouterContext>): Promise<GatewayResponse> {
    const stop = this.metrics.subgraphFetchDuration.startTimer({ subgraph: this.name });
    let answer: SubgraphAnswer;
    let body: unknown;
    try {
      const { http: _http, query, ...rest } = options.request;
      if (!query) throw new Error('Missing query');
      answer = await this.http.post(
        this.url,
        this.headersFor(options),
        JSON.stringify({ query, ...rest }),
        isReadOperation(query),
      );
      body = parseAnswer(answer);
    } catch (error) {
      throw this.failed(options, stop, error);
    }
    const ok = answer.status >= 200 && answer.status < 300;
    if (ok && isObject(body)) {
      restrictCachePolicy(options, answer.headers['cache-control']);
      stop({ outcome: (body as GatewayResponse).errors?.length ? 'errors' : 'ok' });
      return body as GatewayResponse;
    }
    if (!ok && isGraphQLBody(body)) {
      stop({ outcome: 'errors' });
      return {
        errors: body.errors,
        ...(body.data !== undefined ? { data: body.data as Record<string, unknown> } : {}),
      } as GatewayResponse;
    }
    const problem = ok
      ? `expected a JSON object, received ${answer.body.slice(0, 200)}`
      : `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
    throw this.failed(options, stop, new Error(problem));
  }

  private failed(
    options: GraphQLDataSourceProcessOptions<RouterContext>,
    stop: (labels: { outcome: string }) => void,
    error: unknown,
  ): GraphQLError {
    stop({ outcome: 'failed' });
    (options.context as Partial<RouterContext>).logger?.warn(
      { err: error, subgraph: this.name },
      'subgraph request failed',
    );
    return new GraphQLError(`Subgraph "${this.name}" request failed`, {
      originalError: error instanceof Error ? error : undefined,
      extensions: { code: SUBREQUEST_HTTP_ERROR, serviceName: this.name },
    });
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A subgraph answer's `Cache-Control` restricts the operation's cache policy, as @apollo/gateway's
 * data source does it: `max-age=N` (none means 0), `private`, `public`.
 */
function restrictCachePolicy(
  options: GraphQLDataSourceProcessOptions<RouterContext>,
  header: string | string[] | undefined,
): void {
  // Only an incoming operation has one (not a health check).
  if (!('incomingRequestContext' in options)) return;
  const policy = options.incomingRequestContext.overallCachePolicy;
  if (!policy || !('restrict' in policy)) return;
  const directives = new Map<string, string | true>();
  for (const part of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name, value] = part.trim().split('=', 2);
    if (name) directives.set(name.toLowerCase(), value === undefined ? true : value.replace(/^"|"$/g, ''));
  }
  const maxAge = directives.get('max-age');
  const hint: { maxAge: number; scope?: 'PRIVATE' | 'PUBLIC' } = {
    maxAge: typeof maxAge === 'string' && /^[0-9]+$/.test(maxAge) ? Number(maxAge) : 0,
  };
  if (directives.get('private') === true) hint.scope = 'PRIVATE';
  if (directives.get('public') === true) hint.scope = 'PUBLIC';
  policy.restrict(hint);
}
