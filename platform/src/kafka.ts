import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import {
  AssignerProtocol,
  Kafka,
  logLevel,
  Partitioners,
  type Consumer,
  type Message,
  type PartitionMetadata,
  type RecordMetadata,
  type IHeaders,
  type Producer,
  type Admin,
  type KafkaMessage,
  type EachMessagePayload,
} from 'kafkajs';
import { Counter, Gauge, type Registry } from 'prom-client';
import { isDependencyUnavailable } from './errors.js';
import { startSendSpans, withProcessSpan } from './kafka-tracing.js';
import type { StartsInBackground } from './lifecycle.js';
import type { Logger } from './logger.js';
import { ATTR_MESSAGING_MESSAGE_ID } from './semconv.js';
import type { TraceCarrier } from './trace-context.js';

/**
 * The one place the project touches kafkajs. kafkajs has had no release since 2023; keeping it
 * behind this adapter means a replacement client changes this file only.
 */

/** Every event on every topic travels in this envelope (JSON, UTF-8). */
export interface EventEnvelope<P = unknown> {
  /** Unique per event; consumers deduplicate on it. */
  id: string;
  /** The topic name, e.g. `orders.order.placed.v1`. */
  type: string;
  /** ISO-8601 instant the fact happened (the producing transaction). */
  occurredAt: string;
  /** The aggregate id, also the Kafka message key, so one aggregate's events stay in order. */
  key: string;
  payload: P;
}

/** Builds an envelope for `payload` with a fresh id. */
export function envelope<P>(
  type: string,
  key: string,
  payload: P,
  occurredAt = new Date(),
): EventEnvelope<P> {
  return { id: randomUUID(), type, occurredAt: occurredAt.toISOString(), key, payload };
}

export interface KafkaOptions {
  clientId: string;
  brokers: string[];
  logger: Logger;
  /**
   * Prefix for every topic and consumer group this client touches (default none). Lets several
   * stacks (a dev stack, a test run) share one broker without reading each other's events; the
   * envelope's `type` and the handlers' keys stay the logical topic names.
   */
  namespace?: string;
  /**
   * Registers `kafka_consumer_lag{group,topic,partition}` and `kafka_consumer_joined{group}` for every
   * consumer this client starts (default none; see {@link consumerLagGauge} for how and when the broker
   * is asked), `kafka_messages_published_total{topic}` (messages the broker acknowledged, counted
   * after the ack, by logical topic: events the outbox relay published and dead letters) and
   * `kafka_messages_dead_lettered_total{group,topic}` (messages of `topic` a group wrote to its
   * dead-letter topic; every handled topic starts at 0 when the consumer starts, so the first dead
   * letter is an increase Prometheus sees).
   */
  registry?: Registry;
  /** Tuning of the lag gauge (defaults: readings reused for 2 s, a scrape waits at most 1.5 s). */
  lagGauge?: Pick<ConsumerLagGaugeOptions, 'maxAgeMs' | 'timeoutMs'>;
}

/** One partition's consumer lag as the broker sees it. */
export interface PartitionLag {
  /** Logical topic name (without the namespace). */
  topic: string;
  partition: number;
  /** The group's committed offset (the next message it will read), or -1 when it has committed none. */
  committed: string;
  /** The partition's end offset (high watermark): the offset the next message will get. */
  end: string;
  /**
   * Messages the group has not committed yet: `end - committed`; with nothing committed, counted from
   * the earliest retained offset (where the kit's consumers start, `fromBeginning` by default).
   */
  lag: number;
}

export interface KafkaClient {
  readonly kafka: Kafka;
  /** Creates the topics that do not exist yet (partitions default 3). */
  ensureTopics(topics: string[], partitions?: number): Promise<void>;
  /** An idempotent producer waiting for all in-sync replicas (acks=-1); connected. */
  producer(): Promise<EventProducer>;
  /**
   * Starts a consumer group member; see {@link ConsumeOptions}. Resolves once its topics exist and,
   * for `startAtEnd`, its start offsets are fixed; joining the group happens in the background (see
   * {@link EventConsumer.joined}), so a service can serve requests while a rebalance takes its time.
   */
  consume(options: ConsumeOptions): Promise<EventConsumer>;
  /** What every consumer this client started is doing (for `/health/ready`'s body). */
  consumerStatuses(): ConsumerStatus[];
  /**
   * The lag of consumer group `groupId` (logical name) on `topics` (logical names), asked from the
   * broker: its committed offsets against the partitions' end offsets. Without `topics`, the topics
   * its active members subscribe to (none when the group has no member). Rejects when the broker
   * cannot answer.
   */
  consumerLag(groupId: string, topics?: string[]): Promise<PartitionLag[]>;
  /** A connected admin client (physical topic and group names); disconnect it when done. */
  admin(): Promise<Admin>;
}

export interface PublishOptions {
  /**
   * The trace context each event was recorded in (index-aligned with the events; an outbox row keeps
   * it): its message's send span continues that trace instead of the active one. Default none.
   */
  traceContexts?: readonly (TraceCarrier | undefined)[];
}

export interface EventProducer {
  /**
   * Publishes envelopes, each keyed by its aggregate; resolves once every broker ack is in. With tracing
   * on, each message gets a `send <topic>` span (a child of `options.traceContexts[i]`, else of the active
   * context) whose W3C trace context rides in the message's `traceparent`/`tracestate` headers.
   */
  publish(events: EventEnvelope[], headers?: IHeaders, options?: PublishOptions): Promise<void>;
  disconnect(): Promise<void>;
}

/** Validates and types a raw payload; throw to reject it (it then goes to the dead-letter topic). */
export type PayloadParser<P> = (payload: unknown) => P;

export interface TopicHandler<P = unknown> {
  parse: PayloadParser<P>;
  handle: (
    event: EventEnvelope<P>,
    meta: { topic: string; partition: number; offset: string },
  ) => Promise<void>;
}

export interface ConsumeOptions {
  groupId: string;
  handlers: Record<string, TopicHandler<any>>;
  /** A new group starts at the earliest offset (default true) so nothing published before it is missed. */
  fromBeginning?: boolean;
  /**
   * The group is new and starts exactly at the topics' end offsets as they are when `consume` is
   * called (read before it resolves; the member seeks there when it first joins and commits them), so
   * every message published after `consume` resolves is read, however long the join takes.
   * (`fromBeginning: false` alone resolves "latest" only at the first fetch, a moment later.)
   */
  startAtEnd?: boolean;
  /**
   * Attempts per message before it is dead-lettered (default 5), with exponential backoff from 100 ms.
   * A failure caused by a dependency that is down (`isDependencyUnavailable`) uses up no attempt: the
   * message is tried again (every 2 s at most) until the dependency is back.
   */
  maxAttempts?: number;
  /** Dead-letter topic (default `<groupId>.dlq`). */
  deadLetterTopic?: string;
  /**
   * The group belongs to this process alone (e.g. a replica's live-event stream): it is deleted from
   * the broker when the consumer stops, instead of lingering until its offsets expire. Default false.
   */
  deleteGroupOnStop?: boolean;
}

/**
 * What a consumer group member is doing: `joining` its group (first join, or again after a failure),
 * `running` (partitions assigned, consuming), `rebalancing`, `retrying` (the join or the consumer
 * failed; a new attempt follows with backoff), `stopped`.
 */
export type ConsumerState = 'joining' | 'running' | 'rebalancing' | 'retrying' | 'stopped';

export interface ConsumerStatus {
  /** Logical group id (without the namespace). */
  group: string;
  /** Logical topics. */
  topics: string[];
  state: ConsumerState;
  /** ISO-8601 instant of the last state change. */
  since: string;
  /** The last failure's message, while `retrying`. */
  error?: string;
}

/** A consumer group member; a `Stoppable` for `runService` that starts in the background. */
export interface EventConsumer extends StartsInBackground {
  /** `consumer:<groupId>`, for shutdown logs. */
  readonly name: string;
  readonly groupId: string;
  /** Resolves the first time the member has joined its group and been given its partitions. */
  readonly joined: Promise<void>;
  readonly status: ConsumerStatus;
  /** Leaves the group (also while still joining) and disconnects. */
  stop(): Promise<void>;
}

/** Raised by parsers and handlers for a message that can never succeed: no retries, straight to DLQ. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Lag of `group` on `topics` (physical names), read with `admin`: one offset fetch for the group and
 * one end-offset fetch per topic. Committed offsets below the earliest retained one (retention
 * deleted the messages) count from the earliest.
 */
async function readLag(
  admin: Admin,
  group: string,
  topics: string[],
  fromBeginning = true,
  startAt?: ReadonlyMap<string, string>,
) {
  if (!topics.length) return [];
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId: group, topics }),
    Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) }))),
  ]);
  const committedOf = new Map(
    committed.flatMap(({ topic, partitions }) =>
      partitions.map((p) => [`${topic}:${p.partition}`, p.offset]),
    ),
  );
  return ends.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, high, low }) => {
      const offset = committedOf.get(`${topic}:${partition}`) ?? '-1';
      // A group that starts at the end owes what arrived since it fixed its start offsets (`startAt`),
      // or, without them, nothing it has not committed yet.
      const startOffset = startAt?.get(`${topic}:${partition}`);
      const start = fromBeginning ? BigInt(low) : BigInt(startOffset ?? high);
      const from = BigInt(offset) < 0n ? start : BigInt(offset) < BigInt(low) ? BigInt(low) : BigInt(offset);
      const lag = BigInt(high) > from ? Number(BigInt(high) - from) : 0;
      return { topic, partition, committed: offset, end: high, lag };
    }),
  );
}

export interface ConsumerLagGaugeOptions {
  registry: Registry;
  /** Reads the lag of every running consumer (`group` and `topic` as they should appear in labels). */
  read: () => Promise<(PartitionLag & { group: string })[]>;
  /** A reading younger than this is reused by the next scrape instead of asking again (ms, default 2000). */
  maxAgeMs?: number;
  /** A scrape waits at most this long for a fresh reading, then serves the last one (ms, default 1500). */
  timeoutMs?: number;
  logger?: Logger;
}

/**
 * Registers the gauge `kafka_consumer_lag{group,topic,partition}`: messages on a partition that a
 * consumer group has not committed yet. The value is read from the broker when Prometheus scrapes,
 * not counted in-process: the group's committed offset against the partition's end offset, so a
 * consumer stuck in a handler or retrying shows its backlog growing, and a message counts until its
 * effect is committed (offsets are committed after the effect).
 *
 * A scrape never hangs on a slow broker: it waits at most `timeoutMs` for a reading and otherwise
 * serves the last one (series keep their last value; a reading that fails is logged and retried on
 * the next scrape). At most one reading is in flight, and a reading younger than `maxAgeMs` is
 * reused, so many scrapers do not multiply the load on the broker.
 */
export function consumerLagGauge(options: ConsumerLagGaugeOptions): Gauge<'group' | 'topic' | 'partition'> {
  const { read, logger } = options;
  const maxAgeMs = options.maxAgeMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 1_500;
  let latest: (PartitionLag & { group: string })[] = [];
  let readAt = -Infinity;
  let inFlight: Promise<void> | undefined;

  const refresh = () => {
    const startedAt = Date.now();
    inFlight = read()
      .then(
        (lags) => {
          latest = lags;
          readAt = startedAt;
        },
        (error: unknown) =>
          logger?.warn({ err: error }, 'consumer lag could not be read; serving the last reading'),
      )
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return new Gauge({
    name: 'kafka_consumer_lag',
    help: 'Messages on a partition the consumer group has not committed yet (end offset - committed offset).',
    labelNames: ['group', 'topic', 'partition'],
    registers: [options.registry],
    async collect() {
      const pending = inFlight ?? (Date.now() - readAt >= maxAgeMs ? refresh() : undefined);
      if (pending) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([pending, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
        clearTimeout(timer);
      }
      this.reset();
      for (const { group, topic, partition, lag } of latest)
        this.set({ group, topic, partition: String(partition) }, lag);
    },
  });
}

/** Creates the adapter. Nothing connects until a producer, consumer or admin is asked for. */
export function createKafka({
  clientId,
  brokers,
  logger,
  namespace = '',
  registry,
  lagGauge,
}: KafkaOptions): KafkaClient {
  const log = logger.child({ component: 'kafka' });
  const physical = (topic: string) => `${namespace}${topic}`;
  const logical = (topic: string) =>
    namespace && topic.startsWith(namespace) ? topic.slice(namespace.length) : topic;
  const kafka = new Kafka({
    clientId,
    brokers,
    retry: { initialRetryTime: 200, retries: 10 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }) => {
        const { message, ...rest } = entry;
        if (level <= logLevel.ERROR) log.error(rest, message);
        else if (level === logLevel.WARN) log.warn(rest, message);
      },
  });

  /** Groups started by `consume` and not stopped, with their (logical) topics, for the lag gauge and statuses. */
  const running = new Map<
    symbol,
    {
      groupId: string;
      topics: string[];
      fromBeginning: boolean;
      startAt: ReadonlyMap<string, string> | undefined;
      status: ConsumerStatus;
    }
  >();

  /** Connects an admin, runs `work`, disconnects. */
  async function withAdmin<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = kafka.admin();
    try {
      await admin.connect();
      return await work(admin);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  const logicalLag = (lags: Awaited<ReturnType<typeof readLag>>): PartitionLag[] =>
    lags.map((l) => ({ ...l, topic: logical(l.topic) }));

  async function consumerLag(groupId: string, topics?: string[]): Promise<PartitionLag[]> {
    return withAdmin(async (admin) => {
      let wanted = topics?.map(physical);
      if (!wanted) {
        const { groups } = await admin.describeGroups([physical(groupId)]);
        wanted = [
          ...new Set(
            (groups[0]?.members ?? []).flatMap(
              (m) => AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? [],
            ),
          ),
        ];
      }
      return logicalLag(await readLag(admin, physical(groupId), wanted));
    });
  }

  const published = registry
    ? new Counter({
        name: 'kafka_messages_published_total',
        help: 'Messages the broker acknowledged, by logical topic (outbox events and dead letters).',
        labelNames: ['topic'],
        registers: [registry],
      })
    : undefined;
  const deadLettered = registry
    ? new Counter({
        name: 'kafka_messages_dead_lettered_total',
        help: 'Messages a consumer group wrote to its dead-letter topic, by group and the topic they came from.',
        labelNames: ['group', 'topic'],
        registers: [registry],
      })
    : undefined;

  if (registry) {
    new Gauge({
      name: 'kafka_consumer_joined',
      help: 'Whether the consumer group member is in its group and consuming (1) or joining, rebalancing or retrying (0).',
      labelNames: ['group'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { status } of running.values())
          this.set({ group: status.group }, status.state === 'running' ? 1 : 0);
      },
    });
    consumerLagGauge({
      registry,
      logger: log,
      ...lagGauge,
      read: () =>
        running.size === 0
          ? Promise.resolve([])
          : withAdmin(async (admin) => {
              const lags = await Promise.all(
                [...running.values()].map(async ({ groupId, topics, fromBeginning, startAt }) =>
                  logicalLag(
                    await readLag(admin, physical(groupId), topics.map(physical), fromBeginning, startAt),
                  ).map((l) => ({
                    ...l,
                    group: groupId,
                  })),
                ),
              );
              return lags.flat();
            }),
    });
  }

  /**
   * Runs `work` until it succeeds, at most 20 times with growing pauses (about 30 s in all). A broker
   * that has just started answers "not hosting this partition", "not the leader" or "coordinator
   * loading" for a while; two services creating the same topic at once race into "already exists".
   */
  async function brokerRetry<T>(what: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= 20) throw error;
        log.warn({ err: error, attempt }, `${what}: broker not ready yet; retrying`);
        await sleep(Math.min(250 * attempt, 3_000));
      }
    }
  }

  /** Creates the missing topics and waits until each has a leader (retried while the broker warms up). */
  async function ensureTopics(topics: string[], partitions = 3) {
    const wanted = [...new Set(topics.map(physical))];
    await brokerRetry('topics', () =>
      withAdmin(async (admin) => {
        const existing = new Set(await admin.listTopics());
        const missing = wanted.filter((t) => !existing.has(t));
        if (missing.length) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
          });
        }
        await admin.fetchTopicMetadata({ topics: wanted });
      }),
    );
  }

  /** Partitions of each physical topic, as last read (kept 5 minutes, as kafkajs keeps its metadata). */
  const partitionCache = new Map<string, { partitions: PartitionMetadata[]; readAt: number }>();
  async function partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    const cached = partitionCache.get(topic);
    if (cached && Date.now() - cached.readAt < 5 * 60_000) return cached.partitions;
    await ensureTopics([logical(topic)]);
    const partitions = await brokerRetry('topic metadata', () =>
      withAdmin(async (admin) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions),
    );
    partitionCache.set(topic, { partitions, readAt: Date.now() });
    return partitions;
  }

  async function producer(): Promise<EventProducer> {
    const p: Producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
    // An idempotent producer asks the metadata's "controller" for its id, and kafkajs gives up at the
    // first connection refused or reset there: while a node is dead but not fenced yet (its restart,
    // broker.session.timeout.ms), metadata may still name it. Another attempt reads metadata again.
    await brokerRetry('producer', () => p.connect());
    // The partition kafkajs itself would pick (murmur2 of the key, as Java's default partitioner).
    const partitionFor = Partitioners.DefaultPartitioner();

    /**
     * Sends `messages` (each with its partition set) and resolves once the broker acknowledged every
     * partition written to. kafkajs 2.2.4 can resolve `sendBatch` without writing some of them: when a
     * partition's leader dies mid-send, its retry skips every broker that answered the first attempt,
     * even one that now leads the moved partition (tulios/kafkajs#1303; seen here as 3 of 30 messages
     * missing after a SIGKILLed broker). The partitions missing from the answer are sent again, so
     * nothing acknowledged to the caller is lost; at most 5 rounds, then it rejects. (A partition that
     * nobody answered for may, rarely, have been written by a broker that died before answering: the
     * consumers deduplicate by event id.)
     */
    async function sendAll(byTopic: Map<string, Message[]>) {
      let pending = byTopic;
      for (let round = 1; ; round++) {
        const answered: RecordMetadata[] = await p.sendBatch({
          acks: -1,
          topicMessages: [...pending].map(([topic, messages]) => ({ topic, messages })),
        });
        const written = new Set(
          answered.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}\u0000${r.partition}`),
        );
        const missing = new Map<string, Message[]>();
        for (const [topic, messages] of pending) {
          const left = messages.filter((m) => !written.has(`${topic}\u0000${m.partition}`));
          if (left.length) missing.set(topic, left);
        }
        if (!missing.size) return;
        const partitions = [...missing].flatMap(([topic, messages]) => [
          ...new Set(messages.map((m) => `${topic}[${m.partition}]`)),
        ]);
        if (round >= 5) throw new Error(`the broker did not acknowledge ${partitions.join(', ')}`);
        log.warn({ partitions, round }, 'a send resolved without these partitions; sending them again');
        pending = missing;
      }
    }

    return {
      async publish(events, headers = {}, options = {}) {
        if (!events.length) return;
        const spans = startSendSpans(
          events.map((e) => ({ topic: e.type, key: e.key, id: e.id })),
          options.traceContexts,
          clientId,
        );
        try {
          const byTopic = new Map<string, Message[]>();
          for (const [index, e] of events.entries()) {
            const topic = physical(e.type);
            const message: Message = {
              key: e.key,
              value: JSON.stringify(e),
              headers: { ...headers, ...spans.headers(index), 'event-id': e.id, 'event-type': e.type },
            };
            message.partition = partitionFor({
              topic,
              partitionMetadata: await partitionsOf(topic),
              message,
            });
            byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
          }
          await sendAll(byTopic);
          spans.end();
          for (const e of events) published?.inc({ topic: e.type });
        } catch (error) {
          spans.end(error);
          throw error;
        }
      },
      disconnect: () => p.disconnect(),
    };
  }

  async function consume(options: ConsumeOptions): Promise<EventConsumer> {
    const { groupId, handlers } = options;
    const maxAttempts = options.maxAttempts ?? 5;
    const deadLetterTopic = options.deadLetterTopic ?? `${groupId}.dlq`;
    const topics = Object.keys(handlers);
    for (const topic of topics) deadLettered?.inc({ group: groupId, topic }, 0);
    await ensureTopics([...topics, deadLetterTopic]);
    const dlq = await producer();
    // The end offsets as they are now: where a `startAtEnd` member seeks once it has joined.
    const startAt = options.startAtEnd
      ? await brokerRetry('start offsets', () =>
          withAdmin(async (admin) => {
            const ends = new Map<string, string>();
            for (const topic of topics)
              for (const { partition, high } of await admin.fetchTopicOffsets(physical(topic)))
                ends.set(`${physical(topic)}:${partition}`, high);
            return ends;
          }),
        )
      : undefined;
    let stopped = false;
    const consumer: Consumer = kafka.consumer({
      groupId: physical(groupId),
      allowAutoTopicCreation: false,
      // After a stop, a failure of the join being abandoned must not start the member again.
      retry: { initialRetryTime: 200, retries: 10, restartOnFailure: async () => !stopped },
      // A fetch returns as soon as messages arrive; this only bounds an idle long poll, which a stop
      // waits for (kafkajs' default of 5 s made every consumer add up to 5 s to a graceful shutdown).
      maxWaitTimeInMs: 1_000,
    });
    const clog = log.child({ groupId });

    const deadLetter = async (topic: string, partition: number, message: KafkaMessage, reason: string) => {
      clog.error({ topic, partition, offset: message.offset, reason }, 'message dead-lettered');
      const value = message.value?.toString('utf8') ?? '';
      const dead = envelope(deadLetterTopic, message.key?.toString('utf8') ?? '', {
        reason,
        topic,
        partition,
        offset: message.offset,
        value,
      });
      await dlq.publish([dead], { 'dlq-reason': reason.slice(0, 500), 'dlq-topic': topic });
      deadLettered?.inc({ group: groupId, topic });
    };

    const status: ConsumerStatus = {
      group: groupId,
      topics,
      state: 'joining',
      since: new Date().toISOString(),
    };
    const setState = (state: ConsumerState, error?: string) => {
      if (status.state === 'stopped') return;
      status.state = state;
      status.since = new Date().toISOString();
      if (error) status.error = error;
      else delete status.error;
    };
    let markJoined!: () => void;
    const joined = new Promise<void>((resolve) => (markJoined = resolve));
    let seeked = false;
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      // Emitted inside the join, before the first fetch: a seek made here decides where that fetch reads.
      if (startAt && !seeked) {
        seeked = true;
        const positions = Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition, offset: startAt.get(`${topic}:${partition}`) })),
        );
        for (const { topic, partition, offset } of positions)
          if (offset !== undefined) consumer.seek({ topic, partition, offset });
        // Committed too, so a later rejoin resumes here rather than at "latest".
        void consumer
          .commitOffsets(
            positions.filter((p) => p.offset !== undefined) as {
              topic: string;
              partition: number;
              offset: string;
            }[],
          )
          .catch((error: unknown) => clog.warn({ err: error }, 'start offsets not committed yet'));
      }
      attempt = 0;
      setState('running');
      markJoined();
    });
    consumer.on(consumer.events.REBALANCING, () => setState('rebalancing'));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      // kafkajs rejoins by itself after a retriable failure (payload.restart); otherwise join again below.
      if (payload.restart) setState('joining', payload.error.message);
      else retryLater(payload.error);
    });

    const inProcessSpan =
      (handle: (payload: EachMessagePayload, span: Span) => Promise<void>) => (payload: EachMessagePayload) =>
        withProcessSpan(
          {
            topic: logical(payload.topic),
            partition: payload.partition,
            offset: payload.message.offset,
            key: payload.message.key?.toString('utf8'),
            headers: payload.message.headers,
            groupId,
            clientId,
          },
          (span) => handle(payload, span),
        );
    const run = () =>
      consumer.run({
        // Each message's offset is committed once eachMessage has resolved (threshold 1), that is once
        // its effect or its dead-letter copy is durable: at-least-once. kafkajs' own commit after
        // eachMessage is used rather than `consumer.commitOffsets` inside it: when the group's
        // coordinator moves to another node while the old one stays up (a restarted node taking its
        // partitions' leadership back), `consumer.commitOffsets` retries NOT_COORDINATOR against the
        // old node for minutes and then again for every redelivery, since kafkajs finds a coordinator
        // again only when rejoining; an error of the commit after eachMessage makes the runner rejoin.
        autoCommit: true,
        autoCommitThreshold: 1,
        // Each message is processed in a `process <topic>` span continuing the trace in its headers.
        eachMessage: inProcessSpan(async ({ topic: physicalTopic, partition, message, heartbeat }, span) => {
          const topic = logical(physicalTopic);
          const handler = handlers[topic]!;
          const meta = { topic, partition, offset: message.offset };
          let event: EventEnvelope<unknown> | undefined;
          try {
            const raw = JSON.parse(message.value?.toString('utf8') ?? '') as EventEnvelope;
            if (!raw || typeof raw.id !== 'string' || typeof raw.key !== 'string') {
              throw new PoisonMessageError('not an event envelope');
            }
            span.setAttribute(ATTR_MESSAGING_MESSAGE_ID, raw.id);
            event = { ...raw, payload: handler.parse(raw.payload) };
          } catch (error) {
            await deadLetter(topic, partition, message, `invalid event: ${(error as Error).message}`);
          }
          let unavailable = 0;
          for (let attempt = 1; event && attempt <= maxAttempts; attempt++) {
            try {
              await handler.handle(event, meta);
              break;
            } catch (error) {
              const poison = error instanceof PoisonMessageError;
              // A dependency that is down (Postgres restarting, Redis away) is no fault of the message:
              // it is tried again until the dependency is back, without using up its attempts, rather
              // than dead-lettered with its effect never applied. Stopping meanwhile leaves it
              // uncommitted, for the group's next member.
              if (!poison && isDependencyUnavailable(error)) {
                if (stopped) throw error;
                unavailable += 1;
                attempt -= 1;
                clog.warn(
                  { err: error, topic, offset: message.offset, unavailable },
                  'handler failed: a dependency is unavailable; retrying',
                );
                await heartbeat().catch(() => undefined);
                await sleep(Math.min(100 * 2 ** Math.min(unavailable - 1, 5), 2_000));
                continue;
              }
              if (poison || attempt === maxAttempts) {
                await deadLetter(
                  topic,
                  partition,
                  message,
                  `${(error as Error).message} (after ${attempt} attempt(s))`,
                );
                break;
              }
              clog.warn({ err: error, topic, offset: message.offset, attempt }, 'handler failed; retrying');
              await sleep(100 * 2 ** (attempt - 1));
            }
          }
        }),
      });
    // Joining happens in the background: a rebalance waits for every member (a crashed one until its
    // session times out), and nothing a request needs depends on it.
    let attempt = 0;
    let retryTimer: NodeJS.Timeout | undefined;
    let current: Promise<void> = Promise.resolve();
    const retryLater = (error: Error) => {
      if (stopped) return;
      setState('retrying', error.message);
      clog.warn({ err: error, attempt }, 'consumer is not in its group; joining again');
      retryTimer = setTimeout(begin, Math.min(500 * attempt, 5_000));
    };
    function begin() {
      attempt += 1;
      current = (async () => {
        try {
          await consumer.connect();
          if (stopped) return;
          await consumer.subscribe({
            topics: topics.map(physical),
            fromBeginning: options.fromBeginning ?? true,
          });
          if (stopped) return;
          // Resolves once joined, or once kafkajs has dealt with a failed join (the CRASH handler above).
          await run();
        } catch (error) {
          await consumer.disconnect().catch(() => undefined);
          retryLater(error as Error);
        }
      })();
    }
    begin();
    const registration = Symbol(groupId);
    running.set(registration, {
      groupId,
      topics,
      fromBeginning: options.fromBeginning ?? true,
      startAt,
      status,
    });
    return {
      name: `consumer:${groupId}`,
      groupId,
      joined,
      status,
      async stop() {
        stopped = true;
        clearTimeout(retryTimer);
        setState('stopped');
        running.delete(registration);
        // Ends a join in progress too (kafkajs then does not restart: restartOnFailure says no).
        await consumer.disconnect();
        await current;
        // The attempt that was in flight may have connected after the first disconnect.
        await consumer.disconnect();
        await dlq.disconnect();
        if (options.deleteGroupOnStop) {
          await withAdmin((admin) => admin.deleteGroups([physical(groupId)])).catch((error: unknown) =>
            clog.warn({ err: error }, 'consumer group not deleted; it expires with its offsets'),
          );
        }
      },
    };
  }

  return {
    kafka,
    ensureTopics,
    producer,
    consume,
    consumerStatuses: () =>
      [...running.values()].map(({ status }) => ({ ...status, topics: [...status.topics] })),
    consumerLag,
    async admin() {
      const admin = kafka.admin();
      await admin.connect();
      return admin;
    },
  };
}
