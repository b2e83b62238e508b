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
  /**
   * Subscriptions with the same subgraph, operation, variables and `authorization` share one upstream
   * subscription. Default true; false opens one per client subscription.
   */
  share?: boolean;
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

/** One upstream subscription and the client subscriptions it serves. */
interface Shared {
  readonly key: string;
  readonly sinks: Set<UpstreamSink>;
  /** The last whole current state it sent (`extensions.currentState`), replayed to a subscriber joining later. */
  last: FormattedExecutionResult | undefined;
  /** Takes it out of the pool (false when it already was): its subgraph ended it, or its last subscriber left. */
  end: () => boolean;
  unsubscribe: () => void;
}

/**
 * What makes two subscriptions the same upstream: the subgraph's URL, the operation, its variables
 * and the caller's `authorization` (the subgraph authorizes, and ends at the token's expiry, each
 * subscription with it). The request id and client ip are not part of it: a shared subscription
 * carries the first subscriber's.
 */
export function sharingKey(url: string, payload: SubscribePayload): string {
  const authorization = (payload.extensions as { authorization?: unknown } | undefined)?.authorization;
  return JSON.stringify([
    url,
    payload.operationName ?? null,
    payload.query,
    payload.variables ?? {},
    typeof authorization === 'string' ? authorization : null,
  ]);
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
 * Client subscriptions with the same {@link sharingKey} share one upstream subscription (subscription
 * deduplication, as Apollo Router's): N tabs following one order cost the subgraph one subscription,
 * one snapshot and one live subscriber. Each subscriber gets its own copy of every result (the plan
 * that runs on it must not see another's). A subscriber that joins late gets the last result at once
 * when the subgraph marked it a whole current state (`extensions.currentState`, e.g.
 * `orderStatusChanged`'s snapshot-then-stream), and nothing of the past of a feed (e.g.
 * `notificationAdded`). The mark is taken off before the result is handed on. When the upstream
 * subscription errors or completes, every subscriber gets it; when the last subscriber leaves, it is
 * ended. `router_upstream_subscriptions{subgraph}` counts the open ones.
 */
export class UpstreamPool {
  private readonly clients = new Map<string, Client>();
  private readonly shared = new Map<string, Shared>();
  private readonly share: boolean;
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
    this.share = options.share ?? true;
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

  /**
   * Subscribes `sink` to `payload` on the subgraph: joins the upstream subscription open for the same
   * {@link sharingKey}, or opens one. Returns the function that ends `sink`'s part in it.
   */
  subscribe(subgraph: string, httpUrl: string, payload: SubscribePayload, sink: UpstreamSink): () => void {
    if (this.closed) {
      sink.error(new Error('the router is shutting down'));
      return () => undefined;
    }
    if (!this.share) return this.subscribeAlone(subgraph, httpUrl, payload, sink);
    const key = sharingKey(webSocketUrl(httpUrl), payload);
    const existing = this.shared.get(key);
    if (existing) {
      existing.sinks.add(sink);
      this.metrics.upstreamSubscriptionsShared.inc({ subgraph });
      if (existing.last) sink.next(structuredClone(existing.last), true);
      return () => this.leave(existing, sink);
    }
    const shared: Shared = {
      key,
      sinks: new Set([sink]),
      last: undefined,
      end: () => {
        if (this.shared.get(key) !== shared) return false;
        this.shared.delete(key);
        this.metrics.upstreamSubscriptions.dec({ subgraph });
        return true;
      },
      unsubscribe: () => undefined,
    };
    this.shared.set(key, shared);
    this.metrics.upstreamSubscriptions.inc({ subgraph });
    const each = (deliver: (sink: UpstreamSink) => void) => {
      for (const member of [...shared.sinks]) deliver(member);
    };
    shared.unsubscribe = this.clientFor(subgraph, httpUrl).subscribe(payload, {
      next: (value) => {
        const { current, result } = takeCurrentStateMark(value as FormattedExecutionResult);
        if (current) shared.last = result;
        // One subscriber and nothing kept: the result itself; otherwise a copy each.
        const copies = current || shared.sinks.size > 1;
        each((member) => member.next(copies ? structuredClone(result) : result, current));
      },
      error: (error) => {
        if (shared.end()) each((member) => member.error(error));
      },
      complete: () => {
        if (shared.end()) each((member) => member.complete());
      },
    });
    return () => this.leave(shared, sink);
  }

  private leave(shared: Shared, sink: UpstreamSink): void {
    if (shared.sinks.delete(sink) && shared.sinks.size === 0 && shared.end()) shared.unsubscribe();
  }

  /** One upstream subscription for `sink` alone (sharing switched off). */
  private subscribeAlone(
    subgraph: string,
    httpUrl: string,
    payload: SubscribePayload,
    sink: UpstreamSink,
  ): () => void {
    this.metrics.upstreamSubscriptions.inc({ subgraph });
    let open = true;
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
