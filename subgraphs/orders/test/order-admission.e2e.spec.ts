import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  errorCodes,
  startProductsStandIn,
  type ProductsStandIn,
  type TestSubgraph,
} from '@shop/platform/testing';
import {
  CANCEL_ORDER,
  count,
  customerToken,
  orderInput,
  PLACE_ORDER,
  startOrders,
} from './orders.harness.js';

/**
 * placeOrder's load shedding against the real orders server (real Postgres and Kafka). Without
 * inventory and payments in this test, every order placed stays PENDING: unsettled.
 */
describe('placeOrder admission (ORDER_MAX_UNSETTLED)', () => {
  let products: ProductsStandIn;
  let orders: TestSubgraph;

  beforeAll(async () => {
    products = await startProductsStandIn();
    // Counted on every call, so the spec sees each change at once.
    orders = await startOrders(products.url, { maxUnsettledOrders: 2, admissionCountMs: 0 });
  });

  afterAll(async () => {
    await orders?.stop();
    await products?.stop();
  });

  const place = (token: string, input: ReturnType<typeof orderInput>) =>
    orders.request(PLACE_ORDER, { input }, token);

  it('refuses a new order at once with 503 SERVICE_UNAVAILABLE and Retry-After while too many are unsettled, writing nothing', async () => {
    const product = products.createProduct(1250);
    const token = await customerToken(orders, randomUUID());
    const first = orderInput([{ productId: product, quantity: 1 }]);
    const placed = [
      await place(token, first),
      await place(token, orderInput([{ productId: product, quantity: 2 }])),
    ];
    expect(placed.map((r) => r.errors)).toEqual([undefined, undefined]);
    expect(placed.map((r) => r.data.placeOrder.status)).toEqual(['PENDING', 'PENDING']);

    const before = {
      orders: await count(orders.runtime, 'customer_order'),
      lines: await count(orders.runtime, 'order_line'),
    };
    const refused = await place(token, orderInput([{ productId: product, quantity: 3 }]));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(errorCodes(refused)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(refused.errors![0]!.message).toMatch(/try again shortly/);
    expect(refused.errors![0]!.extensions?.retryAfterSeconds).toBe(1);
    expect(refused.data?.placeOrder ?? null).toBeNull();
    expect({
      orders: await count(orders.runtime, 'customer_order'),
      lines: await count(orders.runtime, 'order_line'),
    }).toEqual(before);

    // A retry of an order already placed is still answered: the same order, nothing new.
    const retried = await place(token, first);
    expect(retried.errors).toBeUndefined();
    expect(retried.data.placeOrder.id).toBe(placed[0]!.data.placeOrder.id);
    expect(await count(orders.runtime, 'customer_order')).toBe(before.orders);

    const metrics = await (await fetch(orders.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^orders_admission_refused_total(\{[^}]*\})? 1$/m);
    expect(metrics).toMatch(/^orders_unsettled(\{[^}]*\})? 2$/m);

    // One order settles (the customer cancels it): there is room again.
    const cancelled = await orders.request(CANCEL_ORDER, { id: placed[1]!.data.placeOrder.id }, token);
    expect(cancelled.errors).toBeUndefined();
    const admitted = await place(token, orderInput([{ productId: product, quantity: 3 }]));
    expect(admitted.errors).toBeUndefined();
    expect(admitted.data.placeOrder.status).toBe('PENDING');
    expect(await count(orders.runtime, 'customer_order')).toBe(before.orders + 1);
  });
});
