import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createKafka, createLogger, envelope } from '../src/index.js';
import type { EventConsumer, KafkaClient } from '../src/index.js';

const logger = createLogger('platform-test', { level: 'silent' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('a consumer group that starts at the end (live events)', () => {
  const topic = 'test.parcel.moved.v1';
  let kafka: KafkaClient | undefined;
  const consumers: EventConsumer[] = [];
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
  });

  it('reads every message published once consume() resolved and none from before, and leaves no group behind', async () => {
    kafka = createKafka({
      clientId: 'test',
      brokers,
      logger,
      namespace: `startend-${randomUUID().slice(0, 8)}.`,
    });
    const producer = await kafka.producer();
    const old = Array.from({ length: 5 }, (_, i) => envelope(topic, `k${i}`, { n: -1 - i }));
    await kafka.ensureTopics([topic]);
    await producer.publish(old);

    const seen: number[] = [];
    const group = `live.${randomUUID().slice(0, 8)}`;
    const consumer = await kafka.consume({
      groupId: group,
      fromBeginning: false,
      startAtEnd: true,
      deleteGroupOnStop: true,
      handlers: {
        [topic]: {
          parse: (p) => p as { n: number },
          handle: async (event) => void seen.push(event.payload.n),
        },
      },
    });
    consumers.push(consumer);
    // Published the instant consume() resolves, before the consumer's first fetch.
    await producer.publish(Array.from({ length: 20 }, (_, i) => envelope(topic, `k${i % 7}`, { n: i })));
    const deadline = Date.now() + 30_000;
    while (seen.length < 20 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect((await kafka.consumerLag(group, [topic])).every((p) => p.lag === 0)).toBe(true);

    await consumer.stop();
    consumers.pop();
    const admin = await kafka.admin();
    try {
      const { groups } = await admin.listGroups();
      expect(groups.map((g) => g.groupId).filter((id) => id.endsWith(group))).toEqual([]);
    } finally {
      await admin.disconnect();
    }
    await producer.disconnect();
  });
});
