import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  errorCodes,
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubgraph,
  waitFor,
} from '@shop/platform/testing';
import {
  adminToken,
  count,
  customerToken,
  observe,
  ORDER,
  orderInput,
  PLACE_ORDER,
  sleep,
  startOrders,
  type Observed,
} from './orders.harness.js';

/**
 * placeOrder, order(id), me.orders and the entities over HTTP against the real orders server (real
 * Postgres and Kafka), with a real products stand-in answering `_entities` for prices.
 */
describe('placeOrder and reading orders', () => {
  let products: ProductsStandIn;
  let orders: TestSubgraph;
  let seen: Observed;

  beforeAll(async () => {
    products = await startProductsStandIn();
    orders = await startOrders(products.url);
    seen = await observe(orders.runtime);
  });

  afterAll(async () => {
    await seen?.consumer.stop();
    await orders?.stop();
    await products?.stop();
  });

  const placedFor = (orderId: string) => seen.placed.filter((e) => e.payload.orderId === orderId);
  const tables = async () => ({
    orders: await count(orders.runtime, 'customer_order'),
    lines: await count(orders.runtime, 'order_line'),
    history: await count(orders.runtime, 'order_status_change'),
    // Events are checked on Kafka (the outbox drains on its own): all placed events seen so far.
    placedEvents: (await waitForQuietOutbox(), seen.placed.length),
  });
  /** Waits until the relay has published every recorded event and the observer has had time to read it. */
  const waitForQuietOutbox = async () => {
    await waitFor(
      async () => (await count(orders.runtime, 'outbox_message')) === 0,
      30_000,
      'an empty outbox',
    );
    await sleep(300);
  };

  it('places an order PENDING, priced from the catalog, and publishes orders.order.placed.v1', async () => {
    const a = products.createProduct(1999);
    const b = products.createProduct(500);
    const customerId = randomUUID();
    const token = await customerToken(orders, customerId);

    const res = await orders.request(
      PLACE_ORDER,
      {
        input: orderInput(
          [
            { productId: a, quantity: 2 },
            { productId: b, quantity: 3 },
          ],
          { paymentToken: 'tok_visa' },
        ),
      },
      token,
    );

    expect(res.errors).toBeUndefined();
    const order = res.data.placeOrder;
    expect(order.status).toBe('PENDING');
    expect(order.cancellationReason).toBeNull();
    expect(order.total).toEqual({ amount: '54.98', currencyCode: 'USD' });
    expect(order.items).toEqual([
      {
        quantity: 2,
        unitPrice: { amount: '19.99', currencyCode: 'USD' },
        lineTotal: { amount: '39.98', currencyCode: 'USD' },
        product: { id: a },
      },
      {
        quantity: 3,
        unitPrice: { amount: '5.00', currencyCode: 'USD' },
        lineTotal: { amount: '15.00', currencyCode: 'USD' },
        product: { id: b },
      },
    ]);
    expect(order.shippingAddress).toEqual({
      line1: '1 Main St',
      line2: null,
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    });
    expect(order.statusHistory).toEqual([{ status: 'PENDING', at: order.createdAt }]);
    expect(order.customer).toEqual({ id: customerId });

    await waitFor(() => placedFor(order.id).length > 0, 30_000, 'the placed event');
    const [event] = placedFor(order.id);
    expect(event!.key).toBe(order.id);
    expect(event!.payload).toEqual({
      orderId: order.id,
      customerId,
      items: [
        { productId: a, quantity: 2, unitPriceMinor: 1999 },
        { productId: b, quantity: 3, unitPriceMinor: 500 },
      ],
      totalMinor: 5498,
      currencyCode: 'USD',
      paymentToken: 'tok_visa',
      placedAt: order.createdAt,
    });

    // The price was snapshotted: a later catalog change does not touch the stored order.
    products.catalog.get(a)!.priceMinor = 9900;
    const again = await orders.request(ORDER, { id: order.id }, token);
    expect(again.data.order.items[0].unitPrice.amount).toBe('19.99');
  });

  it('merges lines naming the same product', async () => {
    const a = products.createProduct(100);
    const res = await orders.request(
      PLACE_ORDER,
      {
        input: orderInput([
          { productId: a, quantity: 2 },
          { productId: a, quantity: 3 },
        ]),
      },
      await customerToken(orders),
    );
    expect(res.data.placeOrder.items).toEqual([expect.objectContaining({ quantity: 5, product: { id: a } })]);
    expect(res.data.placeOrder.total.amount).toBe('5.00');
  });

  it('replays the same idempotency key: the same order, one event', async () => {
    const a = products.createProduct(350);
    const token = await customerToken(orders);
    const input = orderInput([{ productId: a, quantity: 1 }]);
    const first = await orders.request(PLACE_ORDER, { input }, token);
    const before = await tables();
    const second = await orders.request(PLACE_ORDER, { input }, token);
    expect(second.errors).toBeUndefined();
    expect(second.data.placeOrder.id).toBe(first.data.placeOrder.id);
    expect(await tables()).toEqual(before);
    await waitFor(() => placedFor(first.data.placeOrder.id).length > 0);
    await sleep(500);
    expect(placedFor(first.data.placeOrder.id)).toHaveLength(1);

    // The key is per customer: another customer's identical key places their own order.
    const other = await orders.request(PLACE_ORDER, { input }, await customerToken(orders));
    expect(other.data.placeOrder.id).not.toBe(first.data.placeOrder.id);
  });

  it('refuses the same key with other items (CONFLICT), changing nothing', async () => {
    const a = products.createProduct(200);
    const token = await customerToken(orders);
    const input = orderInput([{ productId: a, quantity: 1 }]);
    await orders.request(PLACE_ORDER, { input }, token);
    const before = await tables();
    for (const changed of [
      { ...input, items: [{ productId: a, quantity: 2 }] },
      { ...input, paymentToken: 'tok_other' },
      { ...input, shippingAddress: { ...input.shippingAddress, city: 'Paris' } },
    ]) {
      const res = await orders.request(PLACE_ORDER, { input: changed }, token);
      expect(errorCodes(res)).toEqual(['CONFLICT']);
    }
    expect(await tables()).toEqual(before);
  });

  it('places one order for concurrent identical requests', async () => {
    const a = products.createProduct(400);
    const customerId = randomUUID();
    const token = await customerToken(orders, customerId);
    const input = orderInput([{ productId: a, quantity: 1 }]);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => orders.request(PLACE_ORDER, { input }, token)),
    );
    for (const r of results) expect(r.errors).toBeUndefined();
    expect(new Set(results.map((r) => r.data.placeOrder.id)).size).toBe(1);
    const [row] = await orders.runtime.orm.em
      .fork()
      .execute<{ n: string }[]>('select count(*) as n from customer_order where customer_id = ?', [
        customerId,
      ]);
    expect(Number(row!.n)).toBe(1);
    const id = results[0]!.data.placeOrder.id;
    await waitFor(() => placedFor(id).length > 0);
    await sleep(500);
    expect(placedFor(id)).toHaveLength(1);
  });

  it('refuses bad input with BAD_USER_INPUT and stores nothing', async () => {
    const a = products.createProduct(100);
    const token = await customerToken(orders);
    const line = { productId: a, quantity: 1 };
    const before = await tables();
    const cases: [string, Record<string, unknown>][] = [
      ['unknown product', orderInput([line, { productId: randomUUID(), quantity: 1 }])],
      ['malformed product id', orderInput([{ productId: 'nope', quantity: 1 }])],
      ['quantity 0', orderInput([{ productId: a, quantity: 0 }])],
      ['quantity 101', orderInput([{ productId: a, quantity: 101 }])],
      [
        'merged quantity 101',
        orderInput([
          { productId: a, quantity: 60 },
          { productId: a, quantity: 41 },
        ]),
      ],
      ['no lines', orderInput([])],
      [
        '51 lines',
        orderInput(
          Array.from({ length: 51 }, () => ({ productId: products.createProduct(100), quantity: 1 })),
        ),
      ],
      ['bad token', orderInput([line], { paymentToken: 'visa' })],
      ['empty key', orderInput([line], { idempotencyKey: '' })],
      ['long key', orderInput([line], { idempotencyKey: 'k'.repeat(101) })],
      [
        'empty line1',
        orderInput([line], { shippingAddress: { line1: ' ', city: 'B', postalCode: '1', country: 'DE' } }),
      ],
      [
        'long city',
        orderInput([line], {
          shippingAddress: { line1: 'x', city: 'c'.repeat(101), postalCode: '1', country: 'DE' },
        }),
      ],
      [
        'long postal code',
        orderInput([line], {
          shippingAddress: { line1: 'x', city: 'B', postalCode: '1'.repeat(21), country: 'DE' },
        }),
      ],
      [
        'unknown country',
        orderInput([line], { shippingAddress: { line1: 'x', city: 'B', postalCode: '1', country: 'ZZ' } }),
      ],
    ];
    for (const [what, input] of cases) {
      const res = await orders.request(PLACE_ORDER, { input }, token);
      expect({ what, codes: errorCodes(res) }).toEqual({ what, codes: ['BAD_USER_INPUT'] });
    }
    expect(await tables()).toEqual(before);
  });

  it('refuses anonymous callers with UNAUTHENTICATED', async () => {
    const a = products.createProduct(100);
    const before = await tables();
    const res = await orders.request(PLACE_ORDER, { input: orderInput([{ productId: a, quantity: 1 }]) });
    expect(errorCodes(res)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await orders.request(ORDER, { id: randomUUID() }))).toEqual(['UNAUTHENTICATED']);
    expect(await tables()).toEqual(before);
  });

  it('shows an order to its customer and admins only (null for anyone else)', async () => {
    const a = products.createProduct(100);
    const owner = await customerToken(orders);
    const placed = await orders.request(
      PLACE_ORDER,
      { input: orderInput([{ productId: a, quantity: 1 }]) },
      owner,
    );
    const id = placed.data.placeOrder.id;

    expect((await orders.request(ORDER, { id }, owner)).data.order.id).toBe(id);
    expect((await orders.request(ORDER, { id }, await adminToken(orders))).data.order.id).toBe(id);
    const other = await orders.request(ORDER, { id }, await customerToken(orders));
    expect(other.errors).toBeUndefined();
    expect(other.data.order).toBeNull();
    expect((await orders.request(ORDER, { id: randomUUID() }, owner)).data.order).toBeNull();
    expect((await orders.request(ORDER, { id: 'not-a-uuid' }, owner)).data.order).toBeNull();
  });

  it('resolves Order entities in one batch, null for orders the caller may not see', async () => {
    const a = products.createProduct(100);
    const owner = await customerToken(orders);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await orders.request(
        PLACE_ORDER,
        { input: orderInput([{ productId: a, quantity: i + 1 }]) },
        owner,
      );
      ids.push(r.data.placeOrder.id);
    }
    const foreign = await orders.request(
      PLACE_ORDER,
      { input: orderInput([{ productId: a, quantity: 1 }]) },
      await customerToken(orders),
    );
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id status total { amount } } } }`;
    const representations = [...ids, foreign.data.placeOrder.id].map((id) => ({ __typename: 'Order', id }));
    orders.resetStatements();
    const res = await orders.request(query, { r: representations }, owner);
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([
      { id: ids[0], status: 'PENDING', total: { amount: '1.00' } },
      { id: ids[1], status: 'PENDING', total: { amount: '2.00' } },
      { id: ids[2], status: 'PENDING', total: { amount: '3.00' } },
      null,
    ]);
    expect(orders.statements.filter((s) => /from "customer_order"/.test(s))).toHaveLength(1);
  });

  it('lists a user’s orders newest first with keyset paging (User.orders)', async () => {
    const a = products.createProduct(100);
    const customerId = randomUUID();
    const token = await customerToken(orders, customerId);
    const placed: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await orders.request(
        PLACE_ORDER,
        { input: orderInput([{ productId: a, quantity: 1 }]) },
        token,
      );
      placed.push(r.data.placeOrder.id);
    }
    // Someone else's order never shows up.
    await orders.request(
      PLACE_ORDER,
      { input: orderInput([{ productId: a, quantity: 1 }]) },
      await customerToken(orders),
    );
    const query = `query($r: [_Any!]!, $first: Int, $after: String) {
      _entities(representations: $r) { ... on User { id orders(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor hasPreviousPage startCursor } edges { cursor node { id } } } } } }`;
    const page = async (first: number, after?: string, as = token, user = customerId) =>
      orders.request(query, { r: [{ __typename: 'User', id: user }], first, after }, as);

    const p1 = await page(2);
    expect(p1.errors).toBeUndefined();
    const c1 = p1.data._entities[0].orders;
    expect(c1.totalCount).toBe(5);
    expect(c1.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([placed[4], placed[3]]);
    expect(c1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const c2 = (await page(2, c1.pageInfo.endCursor)).data._entities[0].orders;
    expect(c2.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([placed[2], placed[1]]);
    expect(c2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const c3 = (await page(2, c2.pageInfo.endCursor)).data._entities[0].orders;
    expect(c3.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([placed[0]]);
    expect(c3.pageInfo.hasNextPage).toBe(false);

    expect(errorCodes(await page(0))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await page(101))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await page(2, 'garbage'))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await page(2, undefined, await customerToken(orders)))).toEqual(['FORBIDDEN']);
    const asAdmin = await page(10, undefined, await adminToken(orders));
    expect(asAdmin.data._entities[0].orders.totalCount).toBe(5);
    expect(
      errorCodes(await orders.request(query, { r: [{ __typename: 'User', id: customerId }], first: 2 })),
    ).toEqual(['UNAUTHENTICATED']);
  });
});
