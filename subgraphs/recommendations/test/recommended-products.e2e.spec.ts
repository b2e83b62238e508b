import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@shop/platform';
import { errorCodes, type TestSubgraph } from '@shop/platform/testing';
import {
  ids,
  orderConfirmed,
  productChanged,
  publish,
  startRecommendations,
  USER_RECOMMENDED,
  userRefs,
  waitForProcessed,
} from './recommendations.harness.js';

/**
 * User.recommendedProducts from real Kafka events, read over HTTP through `_entities` (as the router
 * asks for `me { recommendedProducts }`), with real signed tokens.
 */
describe('User.recommendedProducts: for the customer themself, leaving out what they bought', () => {
  let subgraph: TestSubgraph;
  let applied = 0;
  const customer = randomUUID();
  const other = randomUUID();
  const [A, B, C, D, E, F, G] = ids(7) as string[];

  beforeAll(async () => {
    ({ subgraph } = await startRecommendations());
    const category = randomUUID();
    const events: EventEnvelope[] = [
      // Other customers' orders.
      orderConfirmed(other, [A!, C!]),
      orderConfirmed(other, [A!, C!]),
      orderConfirmed(other, [B!, D!]),
      orderConfirmed(other, [A!, [E!, 3]]),
      orderConfirmed(other, [[G!, 5]]),
      // The customer's own.
      orderConfirmed(customer, [A!, B!]),
      productChanged(A!, category),
      productChanged(F!, category),
      productChanged(G!, randomUUID()),
    ];
    await publish(subgraph, events);
    applied += events.length;
    await waitForProcessed(subgraph, applied);
  });
  afterAll(async () => {
    await subgraph?.stop();
  });

  const recommended = (userId: string, token: string | undefined, first?: number) =>
    subgraph.request(USER_RECOMMENDED, { r: userRefs(userId), first }, token);
  const idsOf = (res: Awaited<ReturnType<typeof recommended>>) => {
    expect(res.errors).toBeUndefined();
    return (res.data._entities[0].recommendedProducts as { id: string }[]).map((p) => p.id);
  };

  it('ranks what was bought with their purchases, then their categories, then overall best sellers', async () => {
    const token = await subgraph.issuer.token(customer, { roles: ['CUSTOMER'] });
    // Bought with A or B: C twice; E and D once each (E sold 3 units, D 1). Then A's category: F.
    // Then overall best sellers: G (5). Never A or B (bought).
    expect(idsOf(await recommended(customer, token, 20))).toEqual([C, E, D, F, G]);
    expect(idsOf(await recommended(customer, token, 2))).toEqual([C, E]);
    expect(idsOf(await recommended(customer, token))).toEqual([C, E, D, F]); // default first: 4
  });

  it('shows a new customer the overall best sellers', async () => {
    const newcomer = randomUUID();
    const token = await subgraph.issuer.token(newcomer, { roles: ['CUSTOMER'] });
    // Units sold: G 5, A 4 (three orders of others, one of the customer), E 3, C 2, B 2, D 1.
    expect(idsOf(await recommended(newcomer, token, 3))).toEqual([G, A, E]);
  });

  it('a confirmed order of the customer shows within seconds and is left out from then on', async () => {
    const buyer = randomUUID();
    const token = await subgraph.issuer.token(buyer, { roles: ['CUSTOMER'] });
    const started = Date.now();
    await publish(subgraph, [orderConfirmed(buyer, [C!])]);
    applied += 1;
    await waitForProcessed(subgraph, applied);
    expect(Date.now() - started).toBeLessThan(5_000);
    // Bought C: A was bought with C twice, then the overall best sellers without C.
    expect(idsOf(await recommended(buyer, token, 3))).toEqual([A, G, E]);
  });

  it('is only for the user themself or an admin', async () => {
    const own = await subgraph.issuer.token(customer, { roles: ['CUSTOMER'] });
    const stranger = await subgraph.issuer.token(other, { roles: ['CUSTOMER'] });
    const admin = await subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });
    expect(errorCodes(await recommended(customer, undefined))).toEqual(['UNAUTHENTICATED']);
    const refused = await recommended(customer, stranger);
    expect(errorCodes(refused)).toEqual(['FORBIDDEN']);
    expect(JSON.stringify(refused.data ?? null)).not.toContain(C!);
    expect(idsOf(await recommended(customer, admin, 20))).toEqual(
      idsOf(await recommended(customer, own, 20)),
    );
  });

  it('refuses first outside 1 to 20 with BAD_USER_INPUT', async () => {
    const token = await subgraph.issuer.token(customer, { roles: ['CUSTOMER'] });
    for (const first of [0, 21]) {
      expect(errorCodes(await recommended(customer, token, first))).toEqual(['BAD_USER_INPUT']);
    }
  });
});
