import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createKafka, createLogger, envelope } from '../src/index.js';
import type { EventConsumer } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';

const logger = createLogger('platform-test', { level: 'silent' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

// consume() resolves before the member has joined its group; joining goes on in the background.
describe('a consumer joins its group in the background', () => {
  const topic = 'test.parcel.labelled.v1';
  const namespace = `join-${randomUUID().slice(0, 8)}.`;
  const kafka = createKafka({ clientId: 'test', brokers, logger, namespace });
  const started: EventConsumer[] = [];
  const consume = async (group: string, seen: number[] = []) => {
    const consumer = await kafka.consume({
      groupId: group,
      handlers: {
        [topic]: {
          parse: (p) => p as { n: number },
          handle: async (event) => void seen.push(event.payload.n),
        },
      },
    });
    started.push(consumer);
    return consumer;
  };
  afterAll(async () => {
    await Promise.all(started.map((c) => c.stop()));
  });

  it('reports joining, then running once it has its partitions, and consumes what was published meanwhile', async () => {
    const group = `flow.${randomUUID().slice(0, 8)}`;
    const seen: number[] = [];
    const consumer = await consume(group, seen);
    const producer = await kafka.producer();
    try {
      expect(kafka.consumerStatuses().map((s) => s.group)).toEqual([group]);
      await producer.publish(Array.from({ length: 5 }, (_, i) => envelope(topic, `k${i}`, { n: i })));
      await consumer.joined;
      expect(consumer.status).toMatchObject({ group, topics: [topic], state: 'running' });
      await waitFor(() => seen.length === 5, 30_000, 'the five messages');
      expect(seen.sort()).toEqual([0, 1, 2, 3, 4]);
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }
    expect(consumer.status.state).toBe('stopped');
    expect(kafka.consumerStatuses()).toEqual([]);
  });

  it('stops cleanly while still joining: the member leaves and does not come back', async () => {
    const group = `flow.${randomUUID().slice(0, 8)}`;
    const consumer = await consume(group);
    await consumer.stop(); // at once: the join is abandoned
    expect(consumer.status.state).toBe('stopped');
    // Nothing rejoins afterwards (kafkajs restarts a crashed member unless told not to): watch a while.
    const admin = await kafka.admin();
    try {
      for (let i = 0; i < 6; i += 1) {
        const { groups } = await admin.describeGroups([`${namespace}${group}`]);
        expect(groups[0]?.members ?? []).toEqual([]);
        await sleep(500);
      }
    } finally {
      await admin.disconnect();
    }
  });
});
