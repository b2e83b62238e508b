import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from './database.js';
import type { EventEnvelope, EventProducer } from './kafka.js';
import { envelope } from './kafka.js';
import type { Logger } from './logger.js';
import { traceCarrier, type TraceCarrier } from './trace-context.js';

/**
 * What the `envelope` column holds: the event as published, plus (tracing on) the W3C trace context of
 * the transaction that recorded it, which the relay's send span continues and then drops: consumers see
 * it in the message headers, never in the envelope.
 */
type StoredEnvelope = EventEnvelope & { traceContext?: TraceCarrier };

/**
 * One event waiting to be published. Rows are written in the same transaction as the state
 * change they describe and deleted by the relay once Kafka has acknowledged them.
 */
export const OutboxMessage = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox_message',
  properties: {
    /** Publication order. */
    seq: p.bigint('number').primary().autoincrement(),
    eventId: p.uuid().unique(),
    topic: p.string(),
    key: p.string(),
    envelope: p.json<EventEnvelope>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type OutboxMessage = InferEntity<typeof OutboxMessage>;

/**
 * Records `payload` as an event of `topic` keyed by `key` in `em`'s unit of work: it is written by
 * the same flush/commit as the entities it describes, or not at all. With tracing on, the active trace
 * context is stored with it, so the event's Kafka hop continues the trace of the change that made it.
 * Returns the envelope.
 */
export function recordEvent<P>(em: EntityManager, topic: string, key: string, payload: P): EventEnvelope<P> {
  const event = envelope(topic, key, payload);
  const traceContext = traceCarrier();
  const stored: StoredEnvelope = traceContext ? { ...(event as EventEnvelope), traceContext } : event;
  em.create(OutboxMessage, { eventId: event.id, topic, key, envelope: stored });
  return event;
}

export interface OutboxRelayOptions {
  orm: Database;
  producer: EventProducer;
  logger: Logger;
  /**
   * Poll period in ms while there is work or another replica's relay holds the lock (default 100);
   * `nudge()` wakes the relay at once after a commit.
   */
  intervalMs?: number;
  /**
   * Idle, the poll period doubles from `intervalMs` after each empty poll up to this (default 1000):
   * rows a commit did not nudge for (another replica's, a crash's leftovers) still go out within it,
   * and an idle service does not query its database ten times a second.
   */
  idleMaxMs?: number;
  /** Rows published per transaction (default 200). */
  batchSize?: number;
  /** Registers `outbox_backlog` (rows waiting) when given. */
  registry?: Registry;
  /**
   * Publish at all (default true). An operator switch (`OUTBOX_RELAY_ENABLED=false`), e.g. during a
   * broker incident: events keep being recorded with their state changes and wait in `outbox_message`
   * (the backlog gauge keeps counting them) until a relay with publishing enabled runs. Disabled,
   * `nudge()` does nothing, `flush()` rejects and `stop()` publishes nothing.
   */
  enabled?: boolean;
}

export interface OutboxRelay {
  /** Publishes what is waiting now, without waiting for the next tick. */
  nudge(): void;
  /** Publishes until the table is empty (or fails); used by shutdown and tests. */
  flush(): Promise<void>;
  /** Stops polling after a final flush attempt. */
  stop(): Promise<void>;
}

/**
 * Publishes outbox rows to Kafka at least once, in insertion order (each message's send span continuing
 * the trace its row was recorded in, tracing on). One transaction per batch:
 * lock the oldest rows, publish them (acks from all in-sync replicas), delete them, commit. A crash
 * after the publish and before the commit publishes the batch again: consumers deduplicate by
 * event id. A transaction-scoped advisory lock keeps a single relay active per database, so two
 * replicas never publish one aggregate's events out of order. Publish failures are logged and
 * retried on the next tick with nothing lost.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { orm, producer, logger } = options;
  const intervalMs = options.intervalMs ?? 100;
  const idleMaxMs = Math.max(intervalMs, options.idleMaxMs ?? 1000);
  const batchSize = options.batchSize ?? 200;
  const enabled = options.enabled ?? true;
  const log = logger.child({ component: 'outbox-relay' });
  if (!enabled) log.warn('outbox relay disabled: events wait in outbox_message until a relay publishes them');
  const backlog = options.registry
    ? new Gauge({
        name: 'outbox_backlog',
        help: 'Outbox rows waiting to be published.',
        registers: [options.registry],
      })
    : undefined;
  let running = true;
  let timer: NodeJS.Timeout | undefined;
  /** The wait after the next empty poll: doubles while idle, back to `intervalMs` on any work. */
  let idleDelay = intervalMs;
  /** Whether the last batch found another relay holding the lock (its rows may still be waiting). */
  let lockedOut = false;

  /** Publishes one batch; resolves how many rows went out (0 when empty or another relay holds the lock). */
  async function publishBatch(): Promise<number> {
    lockedOut = false;
    const em = orm.em.fork();
    return em.transactional(async (tx) => {
      const conn = tx.getConnection();
      const ctx = tx.getTransactionContext();
      const [lock] = await conn.execute<{ locked: boolean }[]>(
        `select pg_try_advisory_xact_lock(hashtext('outbox_message_relay')) as locked`,
        [],
        'all',
        ctx,
      );
      if (!lock?.locked) {
        lockedOut = true;
        return 0;
      }
      const rows = await conn.execute<{ seq: string; envelope: StoredEnvelope }[]>(
        `select seq, envelope from outbox_message order by seq limit ?`,
        [batchSize],
        'all',
        ctx,
      );
      if (rows.length === 0) return 0;
      const published = rows.map(({ envelope: { traceContext, ...event } }) => ({ event, traceContext }));
      await producer.publish(
        published.map((p) => p.event),
        {},
        { traceContexts: published.map((p) => p.traceContext) },
      );
      // Delete exactly the rows published, not `seq <= last`: a transaction that took a lower seq but
      // committed after the select would be deleted unpublished (sequence order is not commit order).
      await conn.execute(
        `delete from outbox_message where seq in (${rows.map(() => '?').join(', ')})`,
        rows.map((r) => r.seq),
        'run',
        ctx,
      );
      return rows.length;
    });
  }

  async function drainOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await publishBatch();
      total += n;
      if (n < batchSize) return total;
    }
  }

  /** Runs drains one after another in this process, whoever asks (timer, nudge, flush, stop). */
  let chain: Promise<unknown> = Promise.resolve();
  function drain(): Promise<number> {
    const run = chain.then(drainOnce, drainOnce);
    chain = run.catch(() => undefined);
    return run;
  }

  async function tick() {
    timer = undefined;
    let next = intervalMs;
    try {
      const n = enabled ? await drain() : 0;
      if (n) log.debug({ published: n }, 'outbox published');
      if (n > 0 || lockedOut) idleDelay = intervalMs;
      else {
        next = idleDelay;
        idleDelay = Math.min(idleMaxMs, idleDelay * 2);
      }
      if (backlog) {
        const [row] = await orm.em
          .fork()
          .getConnection()
          .execute<{ n: string }[]>('select count(*) as n from outbox_message');
        backlog.set(Number(row?.n ?? 0));
      }
    } catch (error) {
      log.warn({ err: error }, 'outbox publish failed; will retry');
      idleDelay = intervalMs;
    }
    if (running && !timer) schedule(next);
  }

  function schedule(delay: number) {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void tick(), delay);
  }

  schedule(0);
  return {
    nudge() {
      if (!running || !enabled) return;
      idleDelay = intervalMs;
      schedule(0);
    },
    async flush() {
      if (!enabled) throw new Error('the outbox relay is disabled; nothing can be flushed');
      await drain();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!enabled) return;
      await drain().catch((error) =>
        log.warn({ err: error }, 'final outbox flush failed; rows stay for next start'),
      );
    },
  };
}
