import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { consumerLagGauge, type PartitionLag } from './kafka.js';

type Reading = (PartitionLag & { group: string })[];

const reading = (lag: number): Reading => [
  { group: 'orders', topic: 'payments.payment.succeeded.v1', partition: 0, committed: '3', end: '3', lag },
];

/** The gauge's samples as `group/topic/partition=value`. */
async function samples(registry: Registry) {
  const [metric] = await registry.getMetricsAsJSON();
  return (metric?.values ?? []).map(
    (v) => `${v.labels.group}/${v.labels.topic}/${v.labels.partition}=${v.value}`,
  );
}

describe('consumerLagGauge', () => {
  it('serves the reading as kafka_consumer_lag{group,topic,partition} and reuses it while fresh', async () => {
    const registry = new Registry();
    let reads = 0;
    consumerLagGauge({ registry, maxAgeMs: 60_000, read: async () => reading(++reads) });
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=1']);
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=1']);
    expect(reads).toBe(1);
    expect(await registry.metrics()).toContain(
      'kafka_consumer_lag{group="orders",topic="payments.payment.succeeded.v1",partition="0"} 1',
    );
  });

  it('asks again once the reading is older than maxAgeMs, and drops series that are gone', async () => {
    const registry = new Registry();
    const readings: Reading[] = [reading(4), []];
    consumerLagGauge({ registry, maxAgeMs: 0, read: async () => readings.shift() ?? [] });
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=4']);
    expect(await samples(registry)).toEqual([]);
  });

  it('never makes a scrape wait longer than timeoutMs for a broker that does not answer', async () => {
    const registry = new Registry();
    let reads = 0;
    let answer: ((r: Reading) => void) | undefined;
    consumerLagGauge({
      registry,
      maxAgeMs: 0,
      timeoutMs: 100,
      read: () => {
        reads++;
        // The first reading answers at once; the next one hangs until the test lets it go.
        return reads === 1 ? Promise.resolve(reading(2)) : new Promise<Reading>((r) => (answer = r));
      },
    });
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=2']);

    const started = Date.now();
    // The hanging reading: the scrape gives up after ~100 ms and serves the last reading.
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=2']);
    // A second scrape joins the reading in flight rather than starting another one.
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=2']);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(reads).toBe(2);

    answer!(reading(0));
    await new Promise((r) => setImmediate(r));
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=0']);
  });

  it('keeps the last reading when one fails, and asks again on the next scrape', async () => {
    const registry = new Registry();
    const outcomes = [() => reading(7), () => Promise.reject(new Error('broker down')), () => reading(1)];
    let reads = 0;
    consumerLagGauge({ registry, maxAgeMs: 0, read: async () => outcomes[reads++]!() });
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=7']);
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=7']);
    expect(await samples(registry)).toEqual(['orders/payments.payment.succeeded.v1/0=1']);
  });
});
