import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { allJoined, applyOnce, type EventEnvelope } from '@shop/platform';
import { errorCodes, type TestSubgraph } from '@shop/platform/testing';
import type { OrderConfirmedV1 } from '@shop/schema';
import { buildApp } from '../src/app.js';
import { CONSUMER } from '../src/recommendation.consumer.js';
import { recommendationService } from '../src/recommendation.service.js';
import {
  ids,
  orderCancelled,
  orderConfirmed,
  pairCount,
  PRODUCT_RECOMMENDATIONS,
  productChanged,
  productRefs,
  publish,
  startRecommendations,
  unitsSold,
  waitForProcessed,
} from './recommendations.harness.js';

/**
 * Product.recommendations from real Kafka events: the test publishes orders' and products' events,
 * the subgraph's consumer group counts them, and the test reads the result over HTTP (`_entities`,
 * as the router asks) and, for exact counts, from the tables.
 */
describe('Product.recommendations: bought together, then the category best sellers', () => {
  let subgraph: TestSubgraph;
  /** Distinct events published (and applied directly) so far: what processed_event must reach. */
  let applied = 0;
  const customer = randomUUID();

  beforeAll(async () => {
    ({ subgraph } = await startRecommendations());
  });
  afterAll(async () => {
    await subgraph?.stop();
  });

  const send = async (events: EventEnvelope[], distinct = events.length) => {
    await publish(subgraph, events);
    applied += distinct;
    await waitForProcessed(subgraph, applied);
  };
  const recommendations = async (productId: string, first?: number) => {
    const res = await subgraph.request(PRODUCT_RECOMMENDATIONS, { r: productRefs(productId), first });
    expect(res.errors).toBeUndefined();
    return (res.data._entities[0].recommendations as { id: string }[]).map((p) => p.id);
  };

  const [P, A, B, C, D, X, Y, Z, W] = ids(9) as [string, ...string[]] as string[];
  const category = randomUUID();
  const otherCategory = randomUUID();

  it('ranks products by how often they were bought with it, never itself, then its category by units sold', async () => {
    await send([
      ...[1, 2, 3].map(() => orderConfirmed(customer, [P!, A!])),
      ...[1, 2].map(() => orderConfirmed(customer, [B!, P!])),
      orderConfirmed(customer, [P!, C!]),
      orderConfirmed(customer, [P!, [D!, 5]]),
      // The same product on two lines is one product of the order: no (P, P) pair.
      orderConfirmed(customer, [P!, [P!, 2], A!]),
      orderConfirmed(customer, [[X!, 10]]),
      orderConfirmed(customer, [[Y!, 2]]),
      productChanged(P!, category),
      productChanged(X!, category),
      productChanged(Y!, category),
      productChanged(Z!, category),
      productChanged(W!, category),
      // W moves to another category (newer event wins whatever order the two topics deliver in).
      productChanged(W!, otherCategory, true, new Date(Date.now() + 1000)),
    ]);

    // A: 4 orders, B: 2, then D and C with one order each (D sold 5 units, C 1); then P's category
    // by units sold: X (10), Y (2), Z (none); W left the category; P never.
    expect(await recommendations(P!, 20)).toEqual([A, B, D, C, X, Y, Z]);
    expect(await recommendations(P!, 3)).toEqual([A, B, D]);
    expect(await recommendations(P!)).toEqual([A, B, D, C]); // default first: 4
    expect(await pairCount(subgraph, P!, P!)).toBe(0);
    expect(await pairCount(subgraph, P!, A!)).toBe(4);
    expect(await pairCount(subgraph, A!, P!)).toBe(4);
    expect(await unitsSold(subgraph, P!)).toBe(10);
    // Bought together is symmetric: A's only partner is P (then nothing: A has no category).
    expect(await recommendations(A!, 20)).toEqual([P]);
    // Z never sold: its category's best sellers fill it (P has sold 10, X 10: tie broken by id).
    expect(await recommendations(Z!, 20)).toEqual([P, X].sort().concat([Y!]));
  });

  it('answers a page of products with one query, and an unknown product with nothing', async () => {
    subgraph.resetStatements();
    const res = await subgraph.request(PRODUCT_RECOMMENDATIONS, {
      r: productRefs(P!, A!, randomUUID(), 'not-a-uuid'),
      first: 2,
    });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { id: P, recommendations: [{ id: A }, { id: B }] },
      { id: A, recommendations: [{ id: P }] },
      { id: expect.any(String), recommendations: [] },
      { id: 'not-a-uuid', recommendations: [] },
    ]);
    expect(subgraph.statements.filter((sql) => sql.includes('co_purchase'))).toHaveLength(1);
  });

  it('refuses first outside 1 to 20 with BAD_USER_INPUT', async () => {
    for (const first of [0, -1, 21]) {
      const res = await subgraph.request(PRODUCT_RECOMMENDATIONS, { r: productRefs(P!), first });
      expect(errorCodes(res)).toEqual(['BAD_USER_INPUT']);
    }
    const ok = await subgraph.request(PRODUCT_RECOMMENDATIONS, { r: productRefs(P!), first: 20 });
    expect(ok.errors).toBeUndefined();
  });

  it('counts a redelivered event once', async () => {
    const [R1, R2, R3] = ids(3);
    const event = orderConfirmed(customer, [R1!, [R2!, 3]]);
    // Same key, so one partition, in this order: the marker is applied after both copies.
    const marker = orderConfirmed(customer, [R3!], randomUUID(), event.key);
    await send([event, event, marker], 2);
    expect(await pairCount(subgraph, R1!, R2!)).toBe(1);
    expect(await pairCount(subgraph, R2!, R1!)).toBe(1);
    expect(await unitsSold(subgraph, R2!)).toBe(3);
    expect(await recommendations(R1!)).toEqual([R2]);
  });

  it('counts many orders arriving at once exactly (two group members and parallel transactions)', async () => {
    const [Q1, Q2, Q3] = ids(3);
    // A second member of the same consumer group: partitions are shared between two consumers
    // writing to the same rows at the same time.
    const second = await buildApp(subgraph.runtime).startConsumers!();
    await allJoined(second);
    try {
      await send(Array.from({ length: 40 }, () => orderConfirmed(customer, [Q1!, [Q2!, 2], Q3!])));
    } finally {
      for (const member of second) await member.stop();
    }
    // And 20 transactions in parallel, plus the same event applied 5 times at once (counted once).
    const direct = Array.from({ length: 20 }, () => orderConfirmed(customer, [Q3!, Q1!, [Q2!, 2]]));
    const twin = orderConfirmed(customer, [Q1!, [Q2!, 2], Q3!]);
    const outcomes = await Promise.all(
      [...direct, twin, twin, twin, twin, twin].map((event: EventEnvelope<OrderConfirmedV1>) =>
        applyOnce(subgraph.runtime.orm, CONSUMER, event, (em) =>
          recommendationService.countConfirmed(em, event.payload),
        ),
      ),
    );
    applied += 21;
    expect(outcomes.filter(Boolean)).toHaveLength(21);
    expect(await pairCount(subgraph, Q1!, Q2!)).toBe(61);
    expect(await pairCount(subgraph, Q3!, Q2!)).toBe(61);
    expect(await pairCount(subgraph, Q2!, Q1!)).toBe(61);
    expect(await unitsSold(subgraph, Q2!)).toBe(122);
    expect(await unitsSold(subgraph, Q1!)).toBe(61);
    expect(await recommendations(Q1!)).toEqual([Q2, Q3]);
  });

  it('takes a cancelled confirmed order back out, even when the cancellation arrives first', async () => {
    const [S1, S2, S3, S4] = ids(4);
    const counted = orderConfirmed(customer, [S1!, S2!]);
    await send([counted]);
    expect(await recommendations(S1!)).toEqual([S2]);
    await send([orderCancelled(counted.payload.orderId, customer)]);
    expect(await pairCount(subgraph, S1!, S2!)).toBe(0);
    expect(await unitsSold(subgraph, S1!)).toBe(0);
    expect(await recommendations(S1!)).toEqual([]);

    // Cancellation first (a tombstone), the confirmation after: never counted.
    const late = orderConfirmed(customer, [S3!, S4!]);
    await send([orderCancelled(late.payload.orderId, customer)]);
    await send([late]);
    expect(await pairCount(subgraph, S3!, S4!)).toBe(0);
    expect(await recommendations(S3!)).toEqual([]);

    // An order cancelled before it was confirmed was never counted: nothing to take back.
    const kept = orderConfirmed(customer, [S3!, S4!]);
    await send([kept, orderCancelled(kept.payload.orderId, customer, 'RESERVED')]);
    expect(await pairCount(subgraph, S3!, S4!)).toBe(1);
  });
});
