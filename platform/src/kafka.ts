import { randomUUID } from 'node:crypto';
import {
  Kafka,
  logLevel,
  type Consumer,
  type IHeaders,
  type Producer,
  type Admin,
  type KafkaMessage,
} from 'kafkajs';
import type { Logger } from './logger.js';

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
}

export interface KafkaClient {
  readonly kafka: Kafka;
  /** Creates the topics that do not exist yet (partitions default 3). */
  ensureTopics(topics: string[], partitions?: number): Promise<void>;
  /** An idempotent producer waiting for all in-sync replicas (acks=-1); connected. */
  producer(): Promise<EventProducer>;
  /** Starts a consumer group; see {@link ConsumeOptions}. */
  consume(options: ConsumeOptions): Promise<EventConsumer>;
  admin(): Promise<Admin>;
}

export interface EventProducer {
  /** Publishes envelopes, each keyed by its aggregate; resolves once every broker ack is in. */
  publish(events: EventEnvelope[], headers?: IHeaders): Promise<void>;
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
  /** Attempts per message before it is dead-lettered (default 5), with exponential backoff from 100 ms. */
  maxAttempts?: number;
  /** Dead-letter topic (default `<groupId>.dlq`). */
  deadLetterTopic?: string;
}

/** A running consumer group member; a `Stoppable` for `runService`. */
export interface EventConsumer {
  /** `consumer:<groupId>`, for shutdown logs. */
  readonly name: string;
  readonly groupId: string;
  stop(): Promise<void>;
}

/** Raised by parsers and handlers for a message that can never succeed: no retries, straight to DLQ. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the adapter. Nothing connects until a producer, consumer or admin is asked for. */
export function createKafka({ clientId, brokers, logger, namespace = '' }: KafkaOptions): KafkaClient {
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

  /**
   * Creates the missing topics and waits until each has a leader. A broker that has just started
   * answers "not hosting this partition" or "coordinator loading" for a while: those retriable
   * errors are retried with backoff for up to ~30 s before giving up.
   */
  async function ensureTopics(topics: string[], partitions = 3) {
    const wanted = [...new Set(topics.map(physical))];
    for (let attempt = 1; ; attempt++) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        const existing = new Set(await admin.listTopics());
        const missing = wanted.filter((t) => !existing.has(t));
        if (missing.length) {
          await admin.createTopics({
            waitForLeaders: true,
            topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: -1 })),
          });
        }
        await admin.fetchTopicMetadata({ topics: wanted });
        return;
      } catch (error) {
        // Any failure here is retried (bounded): besides the broker's retriable answers, two
        // services creating the same topic at once race into "already exists".
        if (attempt >= 20) throw error;
        log.warn({ err: error, attempt }, 'topics not ready yet; retrying');
        await sleep(Math.min(250 * attempt, 3_000));
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  }

  async function producer(): Promise<EventProducer> {
    const p: Producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
    await p.connect();
    return {
      async publish(events, headers = {}) {
        if (!events.length) return;
        const byTopic = new Map<string, EventEnvelope[]>();
        for (const e of events) byTopic.set(e.type, [...(byTopic.get(e.type) ?? []), e]);
        await p.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, list]) => ({
            topic: physical(topic),
            messages: list.map((e) => ({
              key: e.key,
              value: JSON.stringify(e),
              headers: { ...headers, 'event-id': e.id, 'event-type': e.type },
            })),
          })),
        });
      },
      disconnect: () => p.disconnect(),
    };
  }

  async function consume(options: ConsumeOptions): Promise<EventConsumer> {
    const { groupId, handlers } = options;
    const maxAttempts = options.maxAttempts ?? 5;
    const deadLetterTopic = options.deadLetterTopic ?? `${groupId}.dlq`;
    const topics = Object.keys(handlers);
    await ensureTopics([...topics, deadLetterTopic]);
    const dlq = await producer();
    const consumer: Consumer = kafka.consumer({ groupId: physical(groupId), allowAutoTopicCreation: false });
    await consumer.connect();
    await consumer.subscribe({ topics: topics.map(physical), fromBeginning: options.fromBeginning ?? true });
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
    };

    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic: physicalTopic, partition, message }) => {
        const topic = logical(physicalTopic);
        const handler = handlers[topic]!;
        const meta = { topic, partition, offset: message.offset };
        let event: EventEnvelope<unknown> | undefined;
        try {
          const raw = JSON.parse(message.value?.toString('utf8') ?? '') as EventEnvelope;
          if (!raw || typeof raw.id !== 'string' || typeof raw.key !== 'string') {
            throw new PoisonMessageError('not an event envelope');
          }
          event = { ...raw, payload: handler.parse(raw.payload) };
        } catch (error) {
          await deadLetter(topic, partition, message, `invalid event: ${(error as Error).message}`);
        }
        for (let attempt = 1; event && attempt <= maxAttempts; attempt++) {
          try {
            await handler.handle(event, meta);
            break;
          } catch (error) {
            const poison = error instanceof PoisonMessageError;
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
        // Committed only after the effect (or the dead-letter copy) is durable: at-least-once.
        await consumer.commitOffsets([
          { topic: physicalTopic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    return {
      name: `consumer:${groupId}`,
      groupId,
      async stop() {
        await consumer.disconnect();
        await dlq.disconnect();
      },
    };
  }

  return {
    kafka,
    ensureTopics,
    producer,
    consume,
    async admin() {
      const admin = kafka.admin();
      await admin.connect();
      return admin;
    },
  };
}
