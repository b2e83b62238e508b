import { setTimeout as sleep } from 'node:timers/promises';
import { takeCurrentStateMark, type Logger } from '@shop/platform/edge';
import type { FormattedExecutionResult } from 'graphql';
import { createClient, type Client, type SubscribePayload } from 'graphql-ws';
import WebSocket from 'ws';
import type { RouterMetrics } from '../router-metrics.js';

export interface UpstreamPoolOptions {
  logger: Logger;
  metrics: RouterMetrics;
  /** Reconnect backoff: first wait and cap (ms), full jitter. Default 250 and 10 000. */
  retry?: { initialMs?: number; maxMs?: number };
  /** Ping the subgraph this often (ms) so idle sockets stay open and dead ones are noticed. Default 10 000. */
  keepAliveMs?: number;
}

/** What an upstream subscription tells its owner. */
export interface UpstreamSink {
  /** An event; `current` when the subgraph marked it a whole current state (the mark is taken off). */
  next(result: FormattedExecutionResult, current: boolean): void;
  /** The subgraph refused or failed the subscription, or the connection failed for good. */
  error(error: unknown): void;
  /** The subgraph completed the subscription. */
  complete(): void;
}

/** `http://host:4006/graphql` → `ws://host:4006/graphql`. */
export function webSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** A wait before reconnect attempt `retries` (0-based): exponential, capped, full jitter. */
export function backoffMs(retries: number, initialMs: number, maxMs: number, random = Math.random): number {
  return Math.round(random() * Math.min(maxMs, initialMs * 2 ** retries));
}

/**
 * The router's WebSocket connections to subgraphs: one graphql-ws client per subgraph URL, shared by every
 * subscription the router opens there (graphql-ws multiplexes operations by id). The connection opens
 * with the first subscription and closes shortly after the last one ends. When it drops (a subgraph
 * restarts, a network blip) it reconnects with backoff, forever, and graphql-ws subscribes every
 * subscription again on the new connection; the subgraphs answer a new subscription with the current
 * state first (snapshot then stream), so nothing is missed.
 *
 * The caller's identity travels per subscription, not per connection: the subscribe message's
 * `extensions` carries `authorization`, `requestId` and `clientIp` (the kit's WebSocket endpoint reads
 * them per operation).
 *
 * Every event's `extensions.currentState` mark (the subgraph's: a whole current state) is taken off and
 * handed to the sink as `current`; client subscriptions that share one are joined before this, in the
 * executor's runs. `router_upstream_subscriptions{subgraph}` counts the open ones.
 */
export class UpstreamPool {
  private readonly clients = new Map<string, Client>();
  private readonly logger: Logger;
  private readonly metrics: RouterMetrics;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly keepAliveMs: number;
  private closed = false;

  constructor(options: UpstreamPoolOptions) {
    this.logger = options.logger.child({ component: 'upstream-subscriptions' });
    this.metrics = options.metrics;
    this.initialMs = options.retry?.initialMs ?? 250;
    this.maxMs = options.retry?.maxMs ?? 10_000;
    this.keepAliveMs = options.keepAliveMs ?? 10_000;
  }

  private clientFor(subgraph: string, httpUrl: string): Client {
    const url = webSocketUrl(httpUrl);
    let client = this.clients.get(url);
    if (client) return client;
    const logger = this.logger.child({ subgraph });
    // `connected` fires again on every reconnect and `closed` also after a failed attempt: count real opens.
    let open = false;
    client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: true,
      lazyCloseTimeout: 1_000,
      keepAlive: this.keepAliveMs,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => !this.closed,
      retryWait: (retries) => sleep(backoffMs(retries, this.initialMs, this.maxMs)),
      on: {
        connected: () => {
          logger.info('upstream subscription connection open');
          open = true;
          this.metrics.upstreamConnections.inc({ subgraph });
        },
        closed: (event) => {
          if (!open) return;
          open = false;
          this.metrics.upstreamConnections.dec({ subgraph });
          logger.info(
            { code: (event as { code?: number } | undefined)?.code },
            'upstream subscription connection closed',
          );
        },
        error: (error) => logger.warn({ err: error }, 'upstream subscription connection failed'),
      },
    });
    this.clients.set(url, client);
    return client;
  }

  /** Opens one subscription on the subgraph; returns the function that ends it. */
  subscribe(subgraph: string, httpUrl: string, payload: SubscribePayload, sink: UpstreamSink): () => void {
    if (this.closed) {
      sink.error(new Error('the router is shutting down'));
      return () => undefined;
    }
    this.metrics.upstreamSubscriptions.inc({ subgraph });
    let open = true;
    // Ends at most once: by its subgraph (error, complete) or by its owner.
    const end = () => {
      if (!open) return false;
      open = false;
      this.metrics.upstreamSubscriptions.dec({ subgraph });
      return true;
    };
    const unsubscribe = this.clientFor(subgraph, httpUrl).subscribe(payload, {
      next: (value) => {
        const { current, result } = takeCurrentStateMark(value as FormattedExecutionResult);
        sink.next(result, current);
      },
      error: (error) => {
        if (end()) sink.error(error);
      },
      complete: () => {
        if (end()) sink.complete();
      },
    });
    return () => {
      if (end()) unsubscribe();
    };
  }

  /** Closes every upstream connection (their subscriptions end). */
  async close(): Promise<void> {
    this.closed = true;
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((client) => client.dispose()));
  }
}
