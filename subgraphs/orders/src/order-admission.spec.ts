import { describe, expect, it } from '@jest/globals';
import { type GraphQLError } from 'graphql';
import { Registry } from 'prom-client';
import { createOrderAdmission } from './order-admission.js';

function setUp(maxUnsettled: number, unsettled: number[]) {
  let clock = 0;
  let counts = 0;
  const registry = new Registry();
  const admission = createOrderAdmission({
    maxUnsettled,
    countTtlMs: 250,
    count: async () => unsettled[counts++] ?? unsettled.at(-1)!,
    registry,
    now: () => clock,
  });
  const refusal = async () => {
    try {
      await admission.admit();
      return undefined;
    } catch (error) {
      return error as GraphQLError;
    }
  };
  const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values[0]?.value;
  return {
    admission,
    refusal,
    metric,
    counts: () => counts,
    advance: (ms: number) => void (clock += ms),
  };
}

describe('placeOrder admission', () => {
  it('admits below the bound and refuses at it with SERVICE_UNAVAILABLE', async () => {
    const below = setUp(3, [2]);
    expect(await below.refusal()).toBeUndefined();
    const at = setUp(3, [3]);
    const refused = await at.refusal();
    expect(refused?.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(refused?.message).toMatch(/try again/);
    expect(await at.metric('orders_admission_refused_total')).toBe(1);
    expect(await at.metric('orders_unsettled')).toBe(3);
  });

  it('counts once per window however many requests ask at once, adding the orders placed since', async () => {
    const t = setUp(3, [1, 0]);
    expect(await Promise.all([t.refusal(), t.refusal(), t.refusal()])).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(t.counts()).toBe(1);
    t.admission.placed();
    expect(await t.refusal()).toBeUndefined(); // 1 counted + 1 placed
    t.admission.placed();
    expect((await t.refusal())?.extensions.code).toBe('SERVICE_UNAVAILABLE'); // 1 + 2
    expect(t.counts()).toBe(1);
    // The next window counts again (the flow settled them all) and forgets what was placed before.
    t.advance(250);
    expect(await t.refusal()).toBeUndefined();
    expect(t.counts()).toBe(2);
    expect(await t.metric('orders_unsettled')).toBe(0);
  });

  it('never counts with no bound', async () => {
    const t = setUp(0, [1_000_000]);
    expect(await t.refusal()).toBeUndefined();
    expect(t.counts()).toBe(0);
  });
});
