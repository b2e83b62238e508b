import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { ATTR_GRAPHQL_OPERATION_TYPE } from './semconv.js';
import { injectTraceContext, isRecording, withSpan } from './trace-context.js';

/**
 * The cross-domain read of DESIGN.md: a subgraph that must decide on another domain's data keeps a
 * small local projection fed by that domain's events and, on a miss, asks the owning subgraph for
 * the entity through its `_entities` resolver (never its database), then stores what it learned.
 */

export interface RemoteEntitiesOptions {
  /** The owning subgraph's GraphQL URL. */
  url: string;
  /** The entity type, e.g. `Product`. */
  typename: string;
  /** The fields wanted, e.g. `id name price { amount currencyCode }`. */
  selection: string;
  /** Request timeout in ms (default 3000). */
  timeoutMs?: number;
}

/**
 * Fetches entities by id from their owning subgraph's `_entities` in one request. Resolves one
 * entry per id, `null` for ids the owner does not know. Inside a recording span the request is a
 * CLIENT span `POST <typename> _entities` and carries its trace context, so the owner's work joins the trace. Rejects when the owner cannot be reached
 * or answers with errors (the caller then fails rather than guessing).
 */
export function remoteEntities<T>(options: RemoteEntitiesOptions) {
  const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on ${options.typename} { ${options.selection} } } }`;
  return async (ids: readonly string[], headers: Record<string, string> = {}): Promise<(T | null)[]> => {
    if (ids.length === 0) return [];
    const send = (traceHeaders: Record<string, string>) =>
      fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers, ...traceHeaders },
        body: JSON.stringify({
          query,
          variables: { representations: ids.map((id) => ({ __typename: options.typename, id })) },
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 3_000),
      });
    const response = isRecording()
      ? await withSpan(
          `POST ${options.typename} _entities`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              [ATTR_HTTP_REQUEST_METHOD]: 'POST',
              [ATTR_URL_FULL]: options.url,
              [ATTR_GRAPHQL_OPERATION_TYPE]: 'query',
            },
          },
          async (span) => {
            const traceHeaders: Record<string, string> = {};
            injectTraceContext(traceHeaders);
            const answer = await send(traceHeaders);
            span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, answer.status);
            return answer;
          },
        )
      : await send({});
    const body = (await response.json()) as {
      data?: { _entities: (T | null)[] };
      errors?: { message: string }[];
    };
    if (!response.ok || body.errors?.length || !body.data) {
      throw new Error(`${options.typename} lookup failed: ${body.errors?.[0]?.message ?? response.status}`);
    }
    return body.data._entities;
  };
}

export interface ProjectionLookupOptions<T> {
  /** Reads the local projection for these ids (rows found, any order). */
  findLocal: (ids: readonly string[]) => Promise<T[]>;
  /** Asks the owner for the ids missing locally. */
  fetchRemote: (ids: readonly string[]) => Promise<(T | null)[]>;
  /** Stores entities learned from the owner (upsert; events may bring the same rows later). */
  saveLocal: (entities: T[]) => Promise<void>;
  idOf: (entity: T) => string;
}

/**
 * Looks ids up in the local projection first, then the owner for the misses, and saves what the
 * owner returned. Resolves a map id -> entity with no entry for ids nobody knows.
 */
export function projectionLookup<T>(options: ProjectionLookupOptions<T>) {
  return async (ids: readonly string[]): Promise<Map<string, T>> => {
    const unique = [...new Set(ids)];
    const found = new Map((await options.findLocal(unique)).map((e) => [options.idOf(e), e]));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length) {
      const fetched = (await options.fetchRemote(missing)).filter(
        (e): e is NonNullable<typeof e> => e != null,
      );
      if (fetched.length) await options.saveLocal(fetched);
      for (const e of fetched) found.set(options.idOf(e), e);
    }
    return found;
  };
}
