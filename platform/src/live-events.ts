import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { GraphQLError } from 'graphql';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventEnvelope, KafkaClient, PayloadParser } from './kafka.js';
import type { StartsInBackground, Stoppable } from './lifecycle.js';
import type { Logger } from './logger.js';
import type { ReadinessCheck } from './server.js';
import { rememberTraceContext } from './trace-context.js';

/**
 * Live events: each replica of a subgraph runs its own Kafka consumer (a consumer group of its own,
 * starting at the latest offset) and fans every event out in memory to the subscriptions it serves.
 * So every replica sees every event, whichever replica a client's subscription landed on; nothing
 * is shared between replicas and nothing is committed on anyone's behalf. The subgraph's durable
 * consumer group (the one that changes state) is a different, shared group and is not affected.
 */

/** `extensions.code` of the error ending a subscriber that fell more than its buffer behind. */
export const SLOW_SUBSCRIBER = 'SLOW_SUBSCRIBER';
/** `extensions.code` of the error ending subscribers when the replica stops its live events. */
export const SHUTTING_DOWN = 'SHUTTING_DOWN';

/** The error a subscriber sees when its buffer overflowed: it should resubscribe (and reload). */
export const slowSubscriber = (capacity: number) =>
  new GraphQLError(`Subscriber fell behind by more than ${capacity} events; subscribe again`, {
    extensions: { code: SLOW_SUBSCRIBER },
  });
/** The error subscribers see when the replica shuts down: subscribe again (to another replica). */
export const shuttingDown = () =>
  new GraphQLError('Server shutting down; subscribe again', { extensions: { code: SHUTTING_DOWN } });

export interface BoundedBufferOptions {
  /** Most items held for a subscriber that has not asked for them yet. */
  capacity: number;
  /** Called once when the buffer stops accepting items (return, end, fail or overflow). */
  onClose?: () => void;
  /** Called on overflow with the number of items discarded (the buffered ones and the refused one). */
  onOverflow?: (dropped: number) => void;
}

/** A subscriber's queue: a producer pushes, the subscriber iterates. */
export interface BoundedBuffer<T> extends AsyncIterableIterator<T> {
  /**
   * Hands `item` to a waiting `next()` or queues it. When `capacity` items are already queued the
   * buffer overflows instead: the queue is discarded, the iterator fails with SLOW_SUBSCRIBER and
   * false is returned. False too once the buffer is closed.
   */
  push(item: T): boolean;
  /**
   * Ends the iterator after the queued items (done). A `last` item given is queued after them first,
   * even when the buffer is full (how the stream ended: an error to report, a final result).
   */
  end(...last: [] | [T]): void;
  /** Ends the iterator now with `error` (queued items are discarded). */
  fail(error: unknown): void;
  /** Ends the iterator now, discarding the queue and releasing a pending `next()` (the subscriber left). */
  return(): Promise<IteratorResult<T>>;
  /** Items queued now. */
  readonly size: number;
  /** True once the buffer accepts no more items. */
  readonly closed: boolean;
}

type Waiter<T> = { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void };

const DONE: IteratorResult<never> = Object.freeze({ value: undefined, done: true });

/**
 * A class rather than a closure per method: one object of a fixed shape per subscriber, its methods on
 * the prototype (ten thousand subscribers each held ten closures, their context and an object in
 * dictionary mode, about 1 KiB, before).
 */
class BoundedQueue<T> implements BoundedBuffer<T> {
  private readonly queue: T[] = [];
  private waiters: Waiter<T>[] | undefined;
  private isClosed = false;
  private ended = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly capacity: number,
    private readonly onClose: (() => void) | undefined,
    private readonly onOverflow: ((dropped: number) => void) | undefined,
  ) {}

  push(item: T): boolean {
    if (this.isClosed) return false;
    const waiter = this.waiters?.shift();
    if (waiter) {
      waiter.resolve({ value: item, done: false });
      return true;
    }
    if (this.queue.length >= this.capacity) {
      const dropped = this.queue.length + 1;
      this.failNow(slowSubscriber(this.capacity));
      this.onOverflow?.(dropped);
      return false;
    }
    this.queue.push(item);
    return true;
  }

  end(...last: [] | [T]): void {
    if (this.isClosed) return;
    if (last.length) {
      const waiter = this.waiters?.shift();
      if (waiter) waiter.resolve({ value: last[0], done: false });
      else this.queue.push(last[0]);
    }
    this.ended = true;
    this.close();
    this.releaseWaiters();
  }

  fail(error: unknown): void {
    if (this.isClosed) return;
    this.failNow(error);
  }

  get size(): number {
    return this.queue.length;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      this.ended = true;
      return Promise.reject(error);
    }
    if (this.ended || this.isClosed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => (this.waiters ??= []).push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.failure = undefined;
    this.ended = true;
    this.close();
    this.releaseWaiters();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.onClose?.();
  }

  /** Pending `next()` calls end (done). */
  private releaseWaiters(): void {
    const waiting = this.waiters;
    this.waiters = undefined;
    for (const w of waiting ?? []) w.resolve(DONE);
  }

  private failNow(error: unknown): void {
    this.queue.length = 0;
    this.failure = { error };
    this.close();
    const waiting = this.waiters;
    this.waiters = undefined;
    if (waiting?.length) {
      this.failure = undefined;
      this.ended = true;
      waiting[0]!.reject(error);
      for (const w of waiting.slice(1)) w.resolve(DONE);
    }
  }
}

/**
 * A bounded, single-consumer async queue. Memory per subscriber never exceeds `capacity` items (and
 * the one `last` item of `end`): a subscriber that cannot keep up is ended with an error (the client
 * is told and may resubscribe) rather than slowing the producer or growing without bound; the owner
 * learns of it through `onOverflow` (the router disconnects the slow client, a subgraph counts it). `return()` (the client leaving)
 * discards the queue and releases a pending `next()` at once.
 */
export function createBoundedBuffer<T>({
  capacity,
  onClose,
  onOverflow,
}: BoundedBufferOptions): BoundedBuffer<T> {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError('capacity must be a positive integer');
  return new BoundedQueue<T>(capacity, onClose, onOverflow);
}

export interface LiveSubscribeOptions<E> {
  /** Only events with this key (the aggregate id, e.g. an order id); indexed, so cheap at scale. */
  key?: string;
  /** Only events this returns true for (runs for every event of the key, or every event). */
  filter?: (event: E) => boolean;
  /** Overrides the hub's buffer size for this subscriber. */
  bufferSize?: number;
}

export interface LiveHubOptions {
  /** Events buffered per subscriber before it is ended with SLOW_SUBSCRIBER (default 256). */
  bufferSize?: number;
  /** An event was queued for a subscriber. */
  onDelivered?: (event: { type: string }) => void;
  /** `count` events were discarded for a subscriber that overflowed. */
  onDropped?: (count: number) => void;
  /** The number of subscribers changed. */
  onSubscribers?: (count: number) => void;
}

/** In-memory fan-out of events to subscribers, each with its own bounded buffer. */
export interface LiveHub<E extends { key: string; type: string }> {
  /** A new subscriber; it receives events published from now on, in publish order. */
  subscribe(options?: LiveSubscribeOptions<E>): AsyncIterableIterator<E>;
  /** Queues `event` for every matching subscriber (never blocks, never throws). */
  publish(event: E): void;
  /** Ends every subscriber with `error` (or done without one). */
  close(error?: unknown): void;
  readonly subscribers: number;
}

/** The fan-out behind {@link createLiveEvents}, apart from Kafka (pure, unit-tested). */
export function createLiveHub<E extends { key: string; type: string }>(
  options: LiveHubOptions = {},
): LiveHub<E> {
  const bufferSize = options.bufferSize ?? 256;
  interface Entry {
    buffer: BoundedBuffer<E>;
    filter: ((event: E) => boolean) | undefined;
  }
  const byKey = new Map<string, Set<Entry>>();
  const everything = new Set<Entry>();
  let count = 0;

  const deliver = (entry: Entry, event: E) => {
    let wanted: boolean;
    try {
      wanted = entry.filter ? entry.filter(event) : true;
    } catch (error) {
      entry.buffer.fail(error);
      return;
    }
    if (wanted && entry.buffer.push(event)) options.onDelivered?.(event);
  };

  return {
    subscribe({ key, filter, bufferSize: own } = {}) {
      let set = key === undefined ? everything : byKey.get(key);
      if (!set) byKey.set(key!, (set = new Set()));
      const home = set;
      const entry: Entry = {
        filter,
        buffer: createBoundedBuffer<E>({
          capacity: own ?? bufferSize,
          // Fires once, when the subscriber leaves, overflows or is ended: stop delivering to it.
          onClose: () => {
            home.delete(entry);
            if (key !== undefined && !home.size && byKey.get(key) === home) byKey.delete(key);
            count--;
            options.onSubscribers?.(count);
          },
          ...(options.onDropped ? { onOverflow: options.onDropped } : {}),
        }),
      };
      home.add(entry);
      count++;
      options.onSubscribers?.(count);
      return entry.buffer;
    },
    publish(event) {
      // Copies: a subscriber closing while we deliver (overflow, failing filter) edits the sets.
      for (const entry of [...(byKey.get(event.key) ?? [])]) deliver(entry, event);
      for (const entry of [...everything]) deliver(entry, event);
    },
    close(error) {
      const all = [...everything, ...[...byKey.values()].flatMap((set) => [...set])];
      for (const entry of all) {
        if (error === undefined) entry.buffer.end();
        else entry.buffer.fail(error);
      }
    },
    get subscribers() {
      return count;
    },
  };
}

/** One topic's payload type per topic name, e.g. `{ 'orders.order.status-changed.v1': StatusChanged }`. */
export type TopicPayloads = Record<string, unknown>;

/** A live event: the envelope of one of the topics, its `type` narrowed to that topic. */
export type LiveEvent<M extends TopicPayloads> = {
  [T in keyof M & string]: EventEnvelope<M[T]> & { type: T };
}[keyof M & string];

export interface LiveEventsOptions<M extends TopicPayloads> {
  kafka: KafkaClient;
  /** The subgraph's name: prefix of the consumer group (`<name>.live.<instance>`). */
  name: string;
  /** The topics to follow and each one's payload parser (e.g. a zod schema's `parse`). */
  topics: { [T in keyof M & string]: PayloadParser<M[T]> };
  logger: Logger;
  /** Where the live-event metrics are registered (the service's registry); none when omitted. */
  registry?: Registry;
  /** Events buffered per subscriber before it is ended with SLOW_SUBSCRIBER (default 256). */
  bufferSize?: number;
  /** This replica's part of the consumer group id (default `<hostname>-<pid>-<random>`). */
  instanceId?: string;
  /** How many of the latest event ids are remembered to skip an event seen again (default 10 000). */
  dedupeWindow?: number;
}

/**
 * Remembers the last `capacity` ids: `seen(id)` says whether `id` is among them, and remembers it when
 * it is not (the oldest is then forgotten once more than `capacity` are held).
 */
export function recentIds(capacity: number): { seen(id: string): boolean; readonly size: number } {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError('capacity must be a positive integer');
  const ids = new Set<string>();
  return {
    seen(id) {
      if (ids.has(id)) return true;
      ids.add(id);
      if (ids.size > capacity) ids.delete(ids.values().next().value!);
      return false;
    },
    get size() {
      return ids.size;
    },
  };
}

/** A replica's live view of some topics. */
export interface LiveEvents<E extends { key: string; type: string }> {
  /** The consumer group of this replica (unique per process). */
  readonly groupId: string;
  /**
   * A subscriber receiving the events consumed from now on (none before `start()`), in Kafka order
   * per key. Ends with SLOW_SUBSCRIBER when it falls `bufferSize` events behind and with
   * SHUTTING_DOWN when the live events stop. `return()` unsubscribes.
   */
  subscribe(options?: LiveSubscribeOptions<E>): AsyncIterableIterator<E>;
  /**
   * Starts this replica's consumer (topics created when missing) and resolves once its start offsets
   * are fixed: every event published after it resolves reaches the subscribers, even though the
   * consumer joins Kafka in the background (`joined`; until then events wait on the broker). Call it
   * from `startConsumers` (before the service listens); the Stoppable ends every subscriber with
   * SHUTTING_DOWN and leaves the group.
   */
  start(): Promise<Stoppable & StartsInBackground>;
  /** Readiness check: true once started and until stopped. */
  readonly ready: ReadinessCheck;
  readonly subscribers: number;
}

function metricOnce<M>(registry: Registry | undefined, name: string, create: (registers: Registry[]) => M) {
  if (!registry) return undefined;
  return (registry.getSingleMetric(name) as M | undefined) ?? create([registry]);
}

/**
 * Live events for one subgraph replica, built without side effects (`buildApp` may call it);
 * `start()` joins Kafka. Each replica consumes in a consumer group of its own
 * (`<name>.live.<hostname>-<pid>-<random>`), starting at the latest offset: subscriptions want what
 * happens from now on, and their snapshot covers the past. No retries and no dead-lettering: a
 * payload its parser refuses is logged and skipped (the durable consumer group is where bad
 * messages are dealt with). Kafka delivers at least once, so an event may come again: read again
 * after the consumer rejoins its group (a commit refused while the group's coordinator moved), or
 * published again by an outbox relay that crashed between sending it and marking it sent. An event
 * whose id is among the latest `dedupeWindow` ids is skipped, so a subscriber receives it once.
 * Metrics: `live_events_delivered_total{topic}` (queued for a subscriber),
 * `live_events_dropped_total{reason}` (`overflow`: discarded with a slow subscriber, `invalid`:
 * refused by the parser), `live_events_duplicates_total` (an event seen again, skipped),
 * `live_subscribers` (gauge).
 */
export function createLiveEvents<M extends TopicPayloads>(
  options: LiveEventsOptions<M>,
): LiveEvents<LiveEvent<M>> {
  const log = options.logger.child({ component: 'live-events' });
  const instance = options.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const groupId = `${options.name}.live.${instance}`;
  const delivered = metricOnce(
    options.registry,
    'live_events_delivered_total',
    (registers) =>
      new Counter({
        name: 'live_events_delivered_total',
        help: 'Live events queued for a subscription on this replica, by topic.',
        labelNames: ['topic'],
        registers,
      }),
  );
  const dropped = metricOnce(
    options.registry,
    'live_events_dropped_total',
    (registers) =>
      new Counter({
        name: 'live_events_dropped_total',
        help: 'Live events not delivered: overflow (a slow subscriber was ended) or invalid (payload refused).',
        labelNames: ['reason'],
        registers,
      }),
  );
  const duplicates = metricOnce(
    options.registry,
    'live_events_duplicates_total',
    (registers) =>
      new Counter({
        name: 'live_events_duplicates_total',
        help: 'Live events skipped because the same event (by id) was consumed before: Kafka delivers at least once.',
        registers,
      }),
  );
  const subscribersGauge = metricOnce(
    options.registry,
    'live_subscribers',
    (registers) =>
      new Gauge({ name: 'live_subscribers', help: 'Live-event subscribers on this replica.', registers }),
  );
  const hub = createLiveHub<LiveEvent<M>>({
    bufferSize: options.bufferSize ?? 256,
    onDelivered: (event) => delivered?.inc({ topic: event.type }),
    onDropped: (count) => {
      dropped?.inc({ reason: 'overflow' }, count);
      log.warn({ dropped: count }, 'slow subscriber ended');
    },
    onSubscribers: (count) => subscribersGauge?.set(count),
  });
  let running = false;
  const recent = recentIds(options.dedupeWindow ?? 10_000);

  const parsers = options.topics as Record<string, PayloadParser<unknown>>;
  const handlers = Object.fromEntries(
    Object.entries(parsers).map(([topic, parse]) => [
      topic,
      {
        // The adapter's own parse step would dead-letter a refused payload; parse here instead.
        parse: (payload: unknown) => payload,
        handle: async (event: EventEnvelope<unknown>) => {
          if (recent.seen(event.id)) {
            duplicates?.inc();
            log.debug({ topic, eventId: event.id }, 'live event skipped: seen before');
            return;
          }
          let payload: unknown;
          try {
            payload = parse(event.payload);
          } catch (error) {
            dropped?.inc({ reason: 'invalid' });
            log.warn({ err: error, topic, eventId: event.id }, 'live event skipped: invalid payload');
            return;
          }
          // Subscribers take the event in their own async flow: the event carries its Kafka message's trace
          // context (this handler's process span) so their processing continues that trace.
          hub.publish(rememberTraceContext({ ...event, payload } as LiveEvent<M>));
        },
      },
    ]),
  );

  return {
    groupId,
    subscribe: (subscribeOptions) => hub.subscribe(subscribeOptions),
    async start() {
      const consumer = await options.kafka.consume({
        groupId,
        handlers,
        fromBeginning: false,
        // Exactly from "now": an event published once start() resolved is never missed.
        startAtEnd: true,
        maxAttempts: 1,
        // One shared topic per subgraph for the (never expected) non-envelope message, instead of
        // the adapter's default `<groupId>.dlq`, which would create a topic per process start.
        deadLetterTopic: `${options.name}.live.dlq`,
        // One group per process start: gone with the process, not left on the broker.
        deleteGroupOnStop: true,
      });
      running = true;
      log.info({ groupId, topics: Object.keys(parsers) }, 'live events started');
      return {
        name: `live-events:${options.name}`,
        joined: consumer.joined,
        async stop() {
          running = false;
          hub.close(shuttingDown());
          await consumer.stop();
        },
      };
    },
    ready: async () => running,
    get subscribers() {
      return hub.subscribers;
    },
  };
}

/** {@link createLiveEvents} and `start()` in one call, for code that has no build/run split. */
export async function startLiveEvents<M extends TopicPayloads>(
  options: LiveEventsOptions<M>,
): Promise<LiveEvents<LiveEvent<M>> & { stop(): Promise<void> }> {
  const live = createLiveEvents(options);
  const stoppable = await live.start();
  return Object.assign(live, { stop: async () => void (await stoppable.stop()) });
}
