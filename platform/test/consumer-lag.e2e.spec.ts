import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createKafka, createLogger, envelope } from '../src/index.js';
import type { EventConsumer, EventProducer, KafkaClient } from '../src/index.js';
import { waitFor } from '../src/testing/wait-for.js';

const logger = createLogger('platform-test', { level: 'silent' });
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** A gate the handler waits at while closed. */
function gate() {
  let open!: () => void;
  let passage = Promise.resolve();
  return {
    close() {
      passage = new Promise<void>((r) => (open = r));
    },
    open: () => open?.(),
    wait: () => passage,
  };
}

describe('kafka_consumer_lag on a real broker', () => {
  const namespace = `lagtest-${randomUUID().slice(0, 8)}.`;
  const topic = 'test.ledger.credited.v1';
  const group = 'ledger';
  const registry = new Registry();
  let kafka: KafkaClient;
  let producer: EventProducer;
  let consumer: EventConsumer;
  const handled: string[] = [];
  const door = gate();

  /** The gauge's samples for our group, summed over partitions, as /metrics would show them. */
  const scrapedLag = async () => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'kafka_consumer_lag');
    const mine = (metric?.values ?? []).filter((v) => v.labels.group === group && v.labels.topic === topic);
    return { partitions: mine.length, total: mine.reduce((sum, v) => sum + v.value, 0) };
  };
  const brokerLag = async () => (await kafka.consumerLag(group)).reduce((sum, p) => sum + p.lag, 0);

  const publish = (n: number) =>
    producer.publish(Array.from({ length: n }, (_, i) => envelope(topic, `account-${randomUUID()}`, { i })));

  beforeAll(async () => {
    // Readings are never reused here, so each scrape shows the broker's state at that moment.
    kafka = createKafka({
      clientId: 'platform-test',
      brokers,
      logger,
      namespace,
      registry,
      lagGauge: { maxAgeMs: 0 },
    });
    await kafka.ensureTopics([topic], 2);
    producer = await kafka.producer();
  });

  afterAll(async () => {
    door.open();
    await consumer?.stop();
    await producer?.disconnect();
    const admin = await kafka.admin();
    await admin.deleteGroups([`${namespace}${group}`]).catch(() => undefined);
    await admin
      .deleteTopics({ topics: [`${namespace}${topic}`, `${namespace}${group}.dlq`] })
      .catch(() => undefined);
    await admin.disconnect();
  });

  it('counts what the group has not committed, and drops to 0 once it is consumed', async () => {
    door.close();
    consumer = await kafka.consume({
      groupId: group,
      handlers: {
        [topic]: {
          parse: (p) => p,
          handle: async (event) => {
            await door.wait();
            handled.push(event.id);
          },
        },
      },
    });
    // Nothing consumed yet (the handler is held at the door): every message is lag, on both partitions.
    await publish(3);
    await waitFor(async () => (await scrapedLag()).total === 3, 30_000);
    expect((await scrapedLag()).partitions).toBe(2);
    expect(await brokerLag()).toBe(3);

    door.open();
    await waitFor(async () => (await scrapedLag()).total === 0, 30_000);
    expect(handled).toHaveLength(3);
    expect(await brokerLag()).toBe(0);

    // With offsets committed: new messages show as lag while the consumer is held, then drain.
    door.close();
    await publish(4);
    await waitFor(async () => (await scrapedLag()).total === 4, 30_000);
    expect(await brokerLag()).toBe(4);
    door.open();
    await waitFor(async () => (await scrapedLag()).total === 0, 30_000);
    expect(handled).toHaveLength(7);
    const perPartition = await kafka.consumerLag(group, [topic]);
    expect(perPartition.map((p) => [p.topic, p.lag, p.committed === p.end])).toEqual([
      [topic, 0, true],
      [topic, 0, true],
    ]);
  });

  it('drops the group from the gauge once its consumer stops', async () => {
    await consumer.stop();
    expect(await scrapedLag()).toEqual({ partitions: 0, total: 0 });
  });
});
