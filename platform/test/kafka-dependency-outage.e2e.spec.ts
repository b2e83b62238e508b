import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createKafka, createLogger, envelope } from '../src/index.js';
import type { EventConsumer, EventProducer, KafkaClient } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';

const logger = createLogger('platform-test', { level: 'silent' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** What node-postgres throws while Postgres restarts: the database is down, not the message bad. */
const postgresDown = () =>
  Object.assign(new Error('Client has encountered a connection error and is not queryable'), {
    name: 'DriverException',
  });

// A consumer whose database is down for longer than its attempts last: the message waits for it and
// its effect is applied once it is back, instead of being dead-lettered (which lost orders in a soak:
// an order.placed dead-lettered during a Postgres fast restart left its order PENDING for good).
describe('a consumer whose dependency is down, on a real broker', () => {
  const namespace = `outagetest-${randomUUID().slice(0, 8)}.`;
  const topic = 'test.parcel.shipped.v1';
  const group = 'parcels';
  const registry = new Registry();
  let kafka: KafkaClient;
  let producer: EventProducer;
  let consumer: EventConsumer;
  const handled: string[] = [];
  const tries = new Map<string, number>();

  const deadLettered = async () =>
    (await registry.getMetricsAsJSON())
      .find((m) => m.name === 'kafka_messages_dead_lettered_total')
      ?.values.find((v) => v.labels.group === group && v.labels.topic === topic)?.value;

  beforeAll(async () => {
    kafka = createKafka({ clientId: 'platform-test', brokers, logger, namespace, registry });
    await kafka.ensureTopics([topic], 1);
    producer = await kafka.producer();
    consumer = await kafka.consume({
      groupId: group,
      maxAttempts: 2,
      handlers: {
        [topic]: {
          parse: (payload) => payload as { parcel: string; downFor?: number; broken?: boolean },
          handle: async (event) => {
            const {
              parcel,
              downFor = 0,
              broken,
            } = event.payload as {
              parcel: string;
              downFor?: number;
              broken?: boolean;
            };
            const attempt = (tries.get(parcel) ?? 0) + 1;
            tries.set(parcel, attempt);
            if (attempt <= downFor) throw postgresDown();
            if (broken) throw new Error('a bug in the handler');
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

  it('retries past its attempts while the dependency is down, applies the effect once, dead-letters nothing', async () => {
    // Down for 6 tries with 2 attempts allowed; then a handler bug, still dead-lettered after 2.
    await producer.publish([envelope(topic, 'p1', { parcel: 'p1', downFor: 6 })]);
    await producer.publish([envelope(topic, 'p2', { parcel: 'p2', broken: true })]);
    await producer.publish([envelope(topic, 'p3', { parcel: 'p3' })]);
    await waitFor(() => handled.includes('p3'), 60_000, 'the last parcel handled');
    expect(handled).toEqual(['p1', 'p3']);
    expect(tries.get('p1')).toBe(7);
    expect(tries.get('p2')).toBe(2);
    expect(await deadLettered()).toBe(1);
  });
});
