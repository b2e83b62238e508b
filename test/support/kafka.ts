import { randomUUID } from 'node:crypto';
// kafkajs is not a root dependency: the specs reach the broker through the platform's adapter
// (createKafka exposes the kafkajs client it wraps as `.kafka`).
import { createKafka, createLogger, type KafkaClient } from '../../platform/src/index.js';

type RunConfig = NonNullable<Parameters<ReturnType<KafkaClient['kafka']['consumer']>['run']>[0]>;
type RawMessage = Parameters<NonNullable<RunConfig['eachMessage']>>[0]['message'];

/** One message as it sits on a topic. */
export interface TopicMessage {
  /** Logical topic name (without the stack's namespace). */
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: RawMessage['headers'];
}

/**
 * The broker as a stack's processes see it: every topic and consumer group of the stack carries its
 * namespace prefix (scripts/stack.ts), and the adapter adds and strips it.
 */
export function stackKafka(namespace: string) {
  const client = createKafka({
    clientId: 'e2e-spec',
    brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    logger: createLogger('e2e-spec', { level: 'silent' }),
    namespace,
  });
  const physical = (topic: string) => `${namespace}${topic}`;
  const logical = (topic: string) => topic.slice(namespace.length);

  async function withAdmin<T>(work: (admin: Awaited<ReturnType<KafkaClient['admin']>>) => Promise<T>) {
    const admin = await client.admin();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }

  /** The stack's topics (logical names). */
  const topics = () =>
    withAdmin(async (admin) =>
      (await admin.listTopics())
        .filter((t) => t.startsWith(namespace))
        .map(logical)
        .sort(),
    );

  /** The stack's consumer groups (logical names). */
  const groups = () =>
    withAdmin(async (admin) =>
      (await admin.listGroups()).groups
        .filter((g) => g.groupId.startsWith(namespace) && g.protocolType === 'consumer')
        .map((g) => logical(g.groupId))
        .sort(),
    );

  /** End offset per partition of each topic, as `topic:partition -> offset`. */
  const endOffsets = (names: string[]) =>
    withAdmin(async (admin) => {
      const ends = new Map<string, string>();
      for (const topic of names)
        for (const p of await admin.fetchTopicOffsets(physical(topic)))
          ends.set(`${topic}:${p.partition}`, p.high);
      return ends;
    });

  /** Partition count of a topic. */
  const partitions = (topic: string) =>
    withAdmin(async (admin) => (await admin.fetchTopicOffsets(physical(topic))).length);

  /**
   * Every message on `names` up to their end offsets at the time of the call, read by a consumer
   * group of its own (deleted afterwards), in offset order per partition.
   */
  async function readAll(names: string[], timeoutMs = 60_000): Promise<TopicMessage[]> {
    const wanted = await withAdmin(async (admin) => {
      const left = new Map<string, bigint>();
      for (const topic of names)
        for (const p of await admin.fetchTopicOffsets(physical(topic)))
          if (BigInt(p.high) > BigInt(p.low)) left.set(`${topic}:${p.partition}`, BigInt(p.high));
      return left;
    });
    if (!wanted.size) return [];
    const groupId = physical(`e2e-reader-${randomUUID()}`);
    const consumer = client.kafka.consumer({ groupId, allowAutoTopicCreation: false });
    const messages: TopicMessage[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: names.map(physical), fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ topic: physicalTopic, partition, message }) => {
          const topic = logical(physicalTopic);
          const slot = `${topic}:${partition}`;
          const end = wanted.get(slot);
          if (end === undefined || BigInt(message.offset) >= end) return;
          messages.push({
            topic,
            partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers,
          });
          if (BigInt(message.offset) + 1n >= end) wanted.delete(slot);
          if (!wanted.size) done();
        },
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        finished,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`reading timed out; partitions left: ${[...wanted.keys()].join(', ')}`)),
            timeoutMs,
          );
        }),
      ]);
      clearTimeout(timer);
    } finally {
      await consumer.disconnect();
      await withAdmin((admin) => admin.deleteGroups([groupId])).catch(() => undefined);
    }
    return messages;
  }

  /** Produces `messages` again, unchanged: same topic, partition, key, value and headers. */
  async function reproduce(messages: TopicMessage[]) {
    const producer = client.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const byTopic = new Map<string, TopicMessage[]>();
      for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic: physical(topic),
          messages: list.map((m) => ({
            partition: m.partition,
            key: m.key,
            value: m.value,
            ...(m.headers ? { headers: m.headers } : {}),
          })),
        })),
      });
    } finally {
      await producer.disconnect();
    }
  }

  /** Produces raw messages (bytes as given) to `topic` on an explicit partition. */
  async function produceRaw(topic: string, messages: { partition: number; key: string; value: string }[]) {
    const producer = client.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: physical(topic), acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
  }

  /**
   * Every durable consumer group of the stack with its lag per subscribed partition (the broker's
   * view: end offset - committed offset). A group in the middle of a rebalance shows no subscription.
   * Left out: this helper's own readers, and the per-process live-event groups (`<subgraph>.live.*`:
   * they feed subscriptions, change no state, and one of a killed process stays behind, memberless).
   */
  async function lags() {
    const result = new Map<string, Awaited<ReturnType<KafkaClient['consumerLag']>>>();
    for (const group of await groups())
      if (!group.startsWith('e2e-reader-') && !/\.live\./.test(group))
        result.set(group, await client.consumerLag(group));
    return result;
  }

  return { client, topics, groups, endOffsets, partitions, readAll, reproduce, produceRaw, lags };
}
export type StackKafka = ReturnType<typeof stackKafka>;

/**
 * Resolves once every consumer group of the stack has committed everything on every topic it
 * subscribes to (lag 0), i.e. each group's effects of every message are committed. Groups with no
 * visible subscription (rebalancing) count as not caught up.
 */
export async function caughtUp(kafka: StackKafka, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const behind: string[] = [];
      for (const [group, partitions] of await kafka.lags()) {
        if (!partitions.length) behind.push(`${group}: no subscription visible`);
        for (const p of partitions)
          if (p.lag > 0) behind.push(`${group} ${p.topic}:${p.partition} lag ${p.lag}`);
      }
      if (!behind.length) return;
      last = behind.join('; ');
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`consumer groups did not catch up within ${timeoutMs} ms: ${last}`);
}
