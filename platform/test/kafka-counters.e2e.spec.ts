import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createKafka, createLogger, envelope, PoisonMessageError } from '../src/index.js';
import type { EventConsumer, EventProducer, KafkaClient } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';

const logger = createLogger('platform-test', { level: 'silent' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

// The counters monitoring/ alerts on: what a group dead-lettered, and what the broker acknowledged.
describe('kafka_messages_dead_lettered_total and kafka_messages_published_total on a real broker', () => {
  const namespace = `countertest-${randomUUID().slice(0, 8)}.`;
  const topic = 'test.parcel.shipped.v1';
  const group = 'parcels';
  const registry = new Registry();
  let kafka: KafkaClient;
  let producer: EventProducer;
  let consumer: EventConsumer;
  const handled: string[] = [];

  const sample = async (name: string, labels: Record<string, string>) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    return (metric?.values ?? []).find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))
      ?.value;
  };

  beforeAll(async () => {
    kafka = createKafka({ clientId: 'platform-test', brokers, logger, namespace, registry });
    await kafka.ensureTopics([topic], 1);
    producer = await kafka.producer();
    consumer = await kafka.consume({
      groupId: group,
      maxAttempts: 2,
      handlers: {
        [topic]: {
          parse: (payload) => payload as { parcel: string; poison?: boolean; flaky?: boolean },
          handle: async (event) => {
            const { parcel, poison, flaky } = event.payload as {
              parcel: string;
              poison?: boolean;
              flaky?: boolean;
            };
            if (poison) throw new PoisonMessageError('parcel unknown');
            if (flaky) throw new Error('carrier down');
            handled.push(parcel);
          },
        },
      },
    });
  });

  afterAll(async () => {
    await consumer?.stop();
    await producer?.disconnect();
    const admin = await kafka.admin();
    await admin.deleteGroups([`${namespace}${group}`]).catch(() => undefined);
    await admin
      .deleteTopics({ topics: [`${namespace}${topic}`, `${namespace}${group}.dlq`] })
      .catch(() => undefined);
    await admin.disconnect();
  });

  it('starts each handled topic at 0 and counts every dead letter once, by group and source topic', async () => {
    expect(await sample('kafka_messages_dead_lettered_total', { group, topic })).toBe(0);
    await producer.publish([envelope(topic, 'p1', { parcel: 'p1' })]);
    await producer.publish([envelope(topic, 'p2', { parcel: 'p2', poison: true })]);
    await producer.publish([envelope(topic, 'p3', { parcel: 'p3', flaky: true })]);
    await producer.publish([envelope(topic, 'p4', { parcel: 'p4' })]);
    await waitFor(() => handled.includes('p4'), 60_000, 'the last parcel handled');
    expect(handled).toEqual(['p1', 'p4']);
    // The poison message at once, the failing one after its attempts; both copies are in the DLQ.
    expect(await sample('kafka_messages_dead_lettered_total', { group, topic })).toBe(2);
  });

  it('counts the messages the broker acknowledged by logical topic, dead letters included', async () => {
    expect(await sample('kafka_messages_published_total', { topic })).toBe(4);
    expect(await sample('kafka_messages_published_total', { topic: `${group}.dlq` })).toBe(2);
  });
});
