import { Agent, type Dispatcher } from 'undici';

/** A subgraph's answer: status, headers (lower-case names) and the body as text. */
export interface SubgraphAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface SubgraphHttpOptions {
  /** Abort a request that has not completed after this long. */
  timeoutMs: number;
  /** Send identical reads in flight at the same moment once. Default true. */
  deduplicate?: boolean;
  /** Called for each read that shared another's request. */
  onShared?: () => void;
  /** Where connections come from: a pool per origin. Default: an undici Agent of its own. */
  dispatcher?: Dispatcher;
}

export interface SubgraphHttp {
  /**
   * POSTs `body` to `url`. A `read` (a query, never a mutation) is sent again when its pooled
   * connection closed before any answer, and shares the request of an identical read in flight.
   */
  post(url: string, headers: Record<string, string>, body: string, read: boolean): Promise<SubgraphAnswer>;
  /** Closes the pooled connections. */
  close(): Promise<void>;
}

/** Headers that identify the caller to a subgraph: requests differing in these are never shared. */
const IDENTITY_HEADERS = ['authorization', 'x-forwarded-for'];

/** Sends of one read when each attempt's connection closed before any answer. */
const READ_ATTEMPTS = 3;

/** undici's error when the connection closed before any answer came (the peer closed or reset it). */
function closedBeforeAnswer(error: unknown): boolean {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  return ['UND_ERR_SOCKET', 'ECONNRESET'].includes(String(code ?? cause?.code));
}

/**
 * The router's HTTP client for subgraphs: undici's `request` on keep-alive connection pools, one per
 * origin, without the WHATWG layer of `fetch` (Request, Response, Headers and web streams per call,
 * which cost the router more CPU than planning a query).
 *
 * A read sent on a pooled connection that the subgraph closed at that moment got no answer at all: a
 * replica shutting down closes its keep-alive connections, which outlive its endpoint (the node keeps
 * established connections where they are). It is sent again, as Go's http.Transport retries an
 * idempotent request on a reused connection; the pool may hold more connections to that replica, hence
 * up to READ_ATTEMPTS. Never a mutation.
 *
 * Identical reads in flight at the same moment are sent once (subgraph request deduplication, as
 * Apollo Router does): same URL, same body (query and variables) and same caller (authorization,
 * client address). A subscription event that many subscribers of one customer receive then costs one
 * request per subgraph, not one per subscriber. Each caller parses its own copy of the answer.
 * `deduplicate: false` sends every read (SUBGRAPH_DEDUPLICATION=false; benchmarks measure without it).
 */
export function subgraphHttp({
  timeoutMs,
  deduplicate = true,
  onShared,
  dispatcher,
}: SubgraphHttpOptions): SubgraphHttp {
  const agent = dispatcher ?? new Agent();
  const inFlight = new Map<string, Promise<SubgraphAnswer>>();
  // A data source posts to one URL: parsed once, not per request.
  const targets = new Map<string, { origin: string; path: string }>();
  const target = (url: string) => {
    let found = targets.get(url);
    if (!found) {
      const parsed = new URL(url);
      found = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (targets.size < 100) targets.set(url, found);
    }
    return found;
  };

  const send = async (
    url: string,
    headers: Record<string, string>,
    body: string,
    attempts: number,
  ): Promise<SubgraphAnswer> => {
    const signal = AbortSignal.timeout(timeoutMs);
    for (let attempt = 1; ; attempt++) {
      try {
        const { origin, path } = target(url);
        const response = await agent.request({ origin, path, method: 'POST', headers, body, signal });
        return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
      } catch (error) {
        if (attempt >= attempts || !closedBeforeAnswer(error)) throw error;
      }
    }
  };

  return {
    post(url, headers, body, read) {
      if (!read) return send(url, headers, body, 1);
      if (!deduplicate) return send(url, headers, body, READ_ATTEMPTS);
      const key = `${url}\n${IDENTITY_HEADERS.map((name) => headers[name] ?? '').join('\n')}\n${body}`;
      const pending = inFlight.get(key);
      if (pending) {
        onShared?.();
        return pending;
      }
      const sent = send(url, headers, body, READ_ATTEMPTS).finally(() => inFlight.delete(key));
      inFlight.set(key, sent);
      return sent;
    },
    close: () => (dispatcher ? Promise.resolve() : agent.close()),
  };
}
