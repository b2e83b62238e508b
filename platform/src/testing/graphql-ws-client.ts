import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** One subscription of a {@link WebSocketTestClient}, recording what the server sends. */
export interface TestSubscription<D = any> {
  /** The `next` payloads received so far, in order. */
  readonly results: FormattedExecutionResult<D>[];
  /**
   * Settles when the subscription ends: resolves on `complete`; rejects with the GraphQL errors of
   * an `error` message (an array) or with the close event when the socket closed first.
   */
  readonly finished: Promise<void>;
  /** Resolves the results once at least `count` arrived; rejects when it ends first or after `timeoutMs` (default 15 s). */
  waitFor(count: number, timeoutMs?: number): Promise<FormattedExecutionResult<D>[]>;
  /** Unsubscribes (sends `complete`). */
  stop(): void;
}

export interface WebSocketTestClient {
  readonly client: Client;
  /** Close codes this client saw, in order (e.g. 4403 for a refused token, 1001 on server shutdown). */
  readonly closeCodes: number[];
  /** Resolves with the first close event's code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Subscribes (any operation type); `extensions` travel in the subscribe message. */
  subscribe<D = any>(
    query: string,
    variables?: Record<string, unknown>,
    extensions?: Record<string, unknown>,
  ): TestSubscription<D>;
  /** A query or mutation over the socket: its single result (rejects on an `error` message). */
  request<D = any>(
    query: string,
    variables?: Record<string, unknown>,
    extensions?: Record<string, unknown>,
  ): Promise<FormattedExecutionResult<D>>;
  dispose(): Promise<void>;
}

/**
 * A graphql-ws client (subprotocol `graphql-transport-ws`) for e2e specs, talking to `url` (the
 * `/graphql` endpoint; `http` is turned into `ws`) as the router does: `token` travels in the
 * `connection_init` payload as `{ authorization: 'Bearer <token>' }`. It never retries, so a
 * spec sees every close; it connects on the first operation (`lazy`) unless `lazy` is false.
 */
export function webSocketClient(
  url: string,
  { token, lazy = true }: { token?: string; lazy?: boolean } = {},
): WebSocketTestClient {
  const closeCodes: number[] = [];
  let onClosed: (event: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy,
    retryAttempts: 0,
    // A non-lazy client reports a server-side close here; closeCodes records it instead of a log line.
    onNonLazyError: () => undefined,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        closeCodes.push(code);
        onClosed({ code, reason: String(reason) });
      },
    },
  });

  const subscribe = <D>(
    query: string,
    variables: Record<string, unknown> = {},
    extensions?: Record<string, unknown>,
  ): TestSubscription<D> => {
    const results: FormattedExecutionResult<D>[] = [];
    const listeners = new Set<() => void>();
    let ended = false;
    let settle!: { resolve: () => void; reject: (e: unknown) => void };
    const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    finished.catch(() => undefined);
    const notify = () => listeners.forEach((l) => l());
    const unsubscribe = client.subscribe<D>(
      { query, variables, ...(extensions ? { extensions } : {}) },
      {
        next: (result) => {
          results.push(result as FormattedExecutionResult<D>);
          notify();
        },
        error: (error) => {
          ended = true;
          settle.reject(error);
          notify();
        },
        complete: () => {
          ended = true;
          settle.resolve();
          notify();
        },
      },
    );
    return {
      results,
      finished,
      stop: unsubscribe,
      waitFor(count, timeoutMs = 15_000) {
        return new Promise((resolve, reject) => {
          const check = () => {
            if (results.length >= count) done(() => resolve(results.slice()));
            else if (ended)
              done(() =>
                reject(
                  new Error(`ended after ${results.length} of ${count} results: ${JSON.stringify(results)}`),
                ),
              );
          };
          const timer = setTimeout(
            () =>
              done(() =>
                reject(
                  new Error(
                    `${results.length} of ${count} results after ${timeoutMs} ms: ${JSON.stringify(results)}`,
                  ),
                ),
              ),
            timeoutMs,
          );
          const done = (then: () => void) => {
            clearTimeout(timer);
            listeners.delete(check);
            then();
          };
          listeners.add(check);
          check();
        });
      },
    };
  };

  return {
    client,
    closeCodes,
    closed,
    subscribe,
    async request<D>(
      query: string,
      variables?: Record<string, unknown>,
      extensions?: Record<string, unknown>,
    ) {
      const operation = subscribe<D>(query, variables, extensions);
      await operation.finished;
      return operation.results[0]!;
    },
    dispose: async () => {
      await client.dispose();
    },
  };
}
