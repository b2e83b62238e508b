import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '../platform/src/testing/graphql-client.js';
import { contract } from './support/contract.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { ADDRESS, ordersOf, useCatalog } from './support/shop.js';
import { useStack } from './support/stack.js';

// Orders settling through Kafka on the real stack: orders -> inventory -> payments -> orders, with the
// cart reacting, all observed through the router as a storefront would.
const api = useStack();

const catalog = useCatalog(api, 'Flow');
const { placeOrder, settled, available } = ordersOf(api);
const product = (price: string, stock: number) => catalog.product({ price, stock });

describe('order flow through the router', () => {
  it('confirms an order, empties the cart of it, then cancels it with a refund and the stock back', async () => {
    const customer = await api.registerCustomer();
    const lamp = await product('10.00', 5);
    await api.request(contract('AddToCart'), { productId: lamp, quantity: 2 }, customer.accessToken);

    const placed = await placeOrder(customer.accessToken, [{ productId: lamp, quantity: 2 }]);
    expect(placed.errors).toBeUndefined();
    expect(placed.data.placeOrder).toMatchObject({
      status: 'PENDING',
      total: { amount: '20.00', currencyCode: 'USD' },
      items: [{ quantity: 2, unitPrice: { amount: '10.00', currencyCode: 'USD' }, product: { id: lamp } }],
    });
    const orderId = placed.data.placeOrder.id;

    const order = await settled(orderId, customer.accessToken);
    expect(order).toMatchObject({
      status: 'CONFIRMED',
      cancellationReason: null,
      payment: { status: 'SUCCEEDED', amount: { amount: '20.00', currencyCode: 'USD' } },
      customer: { id: customer.id, email: customer.email },
      shippingAddress: ADDRESS,
    });
    expect(order.statusHistory.map((s: { status: string }) => s.status)).toEqual([
      'PENDING',
      'RESERVED',
      'CONFIRMED',
    ]);
    expect(await available(lamp)).toBe(3);
    await waitFor(
      async () =>
        (await api.request(contract('Cart'), {}, customer.accessToken)).data?.cart.totalQuantity === 0,
    );

    const mine = await api.request(contract('MyOrders'), { first: 10 }, customer.accessToken);
    expect(mine.data.me.orders.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([orderId]);

    const cancelled = await api.request(contract('CancelOrder'), { id: orderId }, customer.accessToken);
    expect(cancelled.data.cancelOrder).toEqual({
      id: orderId,
      status: 'CANCELLED',
      cancellationReason: 'CUSTOMER_CANCELLED',
    });
    await waitFor(async () => {
      const after = (await api.request(contract('Order'), { id: orderId }, customer.accessToken)).data?.order;
      return after?.payment?.status === 'REFUNDED' && (await available(lamp)) === 5;
    });
    const again = await api.request(contract('CancelOrder'), { id: orderId }, customer.accessToken);
    expect(errorCodes(again)).toEqual(['BAD_USER_INPUT']);
  });

  it('cancels a declined payment with its reservation released, and an out-of-stock order with nothing charged', async () => {
    const customer = await api.registerCustomer();
    const mug = await product('4.50', 3);

    const declined = await placeOrder(
      customer.accessToken,
      [{ productId: mug, quantity: 2 }],
      'tok_chargeDeclined',
    );
    const declinedOrder = await settled(declined.data.placeOrder.id, customer.accessToken);
    expect(declinedOrder).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'PAYMENT_DECLINED',
      payment: { status: 'DECLINED' },
    });
    await waitFor(async () => (await available(mug)) === 3);

    const tooMany = await placeOrder(customer.accessToken, [{ productId: mug, quantity: 4 }]);
    const outOfStock = await settled(tooMany.data.placeOrder.id, customer.accessToken);
    expect(outOfStock.status).toBe('CANCELLED');
    expect(outOfStock.cancellationReason).toBe('OUT_OF_STOCK');
    // Nothing was charged: the payment intent (if payments has recorded it yet) was never taken.
    expect([undefined, 'PENDING']).toContain(outOfStock.payment?.status);
    expect(await available(mug)).toBe(3);
  });

  it('refuses bad orders, replays an idempotency key, and hides other customers’ orders', async () => {
    const customer = await api.registerCustomer();
    const other = await api.registerCustomer();
    const pen = await product('1.25', 10);
    const bad = await placeOrder(customer.accessToken, [{ productId: pen, quantity: 1 }], 'visa-4242');
    expect(errorCodes(bad)).toEqual(['BAD_USER_INPUT']);
    expect(
      errorCodes(await placeOrder(customer.accessToken, [{ productId: randomUUID(), quantity: 1 }])),
    ).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await placeOrder(customer.accessToken, [{ productId: pen, quantity: 101 }]))).toEqual([
      'BAD_USER_INPUT',
    ]);

    const input = {
      idempotencyKey: randomUUID(),
      items: [{ productId: pen, quantity: 1 }],
      paymentToken: 'tok_visa',
      shippingAddress: ADDRESS,
    };
    const first = await api.request(contract('PlaceOrder'), { input }, customer.accessToken);
    const replay = await api.request(contract('PlaceOrder'), { input }, customer.accessToken);
    expect(replay.data.placeOrder.id).toBe(first.data.placeOrder.id);
    const conflict = await api.request(
      contract('PlaceOrder'),
      { input: { ...input, items: [{ productId: pen, quantity: 2 }] } },
      customer.accessToken,
    );
    expect(errorCodes(conflict)).toEqual(['CONFLICT']);

    const peek = await api.request(contract('Order'), { id: first.data.placeOrder.id }, other.accessToken);
    expect(peek.data?.order ?? null).toBeNull();
    expect(
      errorCodes(
        await api.request(contract('CancelOrder'), { id: first.data.placeOrder.id }, other.accessToken),
      ),
    ).toEqual(['NOT_FOUND']);
    await settled(first.data.placeOrder.id, customer.accessToken);
    expect(await available(pen)).toBe(9);
  });

  it('notifies the customer and feeds recommendations from confirmed orders', async () => {
    const first = await api.registerCustomer();
    const second = await api.registerCustomer();
    const tent = await product('120.00', 10);
    const stove = await product('35.00', 10);

    const bought = await placeOrder(first.accessToken, [
      { productId: tent, quantity: 1 },
      { productId: stove, quantity: 1 },
    ]);
    const orderId = bought.data.placeOrder.id;
    expect((await settled(orderId, first.accessToken)).status).toBe('CONFIRMED');

    // Notifications: WELCOME on registration, ORDER_PLACED and ORDER_CONFIRMED with the order joined from orders.
    const feed = await waitFor(async () => {
      const response = await api.request(contract('MyNotifications'), { first: 10 }, first.accessToken);
      const nodes = response.data?.me.notifications.edges.map((e: { node: any }) => e.node) ?? [];
      return nodes.length >= 3 ? response.data.me.notifications : undefined;
    });
    const types = feed.edges.map((e: { node: { type: string } }) => e.node.type).sort();
    expect(types).toEqual(['ORDER_CONFIRMED', 'ORDER_PLACED', 'WELCOME']);
    const confirmed = feed.edges.find(
      (e: { node: { type: string } }) => e.node.type === 'ORDER_CONFIRMED',
    ).node;
    expect(confirmed.order).toEqual({ id: orderId, status: 'CONFIRMED' });
    expect(feed.unreadCount).toBe(3);
    const read = await api.request(contract('MarkNotificationRead'), { id: confirmed.id }, first.accessToken);
    expect(read.data.markNotificationRead).toEqual({ id: confirmed.id, read: true });
    const others = await api.request(
      contract('MarkNotificationRead'),
      { id: confirmed.id },
      second.accessToken,
    );
    expect(errorCodes(others)).toEqual(['NOT_FOUND']);
    const all = await api.request(contract('MarkAllNotificationsRead'), {}, first.accessToken);
    expect(all.data.markAllNotificationsRead).toBe(2);
    const unread = await api.request(contract('MyNotifications'), { unreadOnly: true }, first.accessToken);
    expect(unread.data.me.notifications).toMatchObject({ totalCount: 0, unreadCount: 0 });

    // Recommendations: bought together shows up within seconds; the product itself never does.
    const tentPage = await waitFor(async () => {
      const response = await api.request(contract('Product'), { id: tent });
      const ids = response.data?.product.recommendations.map((p: { id: string }) => p.id) ?? [];
      return ids.includes(stove) ? response.data.product : undefined;
    });
    expect(tentPage.recommendations[0]).toMatchObject({
      id: stove,
      price: { amount: '35.00', currencyCode: 'USD' },
    });
    expect(tentPage.recommendations.map((p: { id: string }) => p.id)).not.toContain(tent);

    // A second customer who bought the tent is offered the stove, not the tent again.
    const secondOrder = await placeOrder(second.accessToken, [{ productId: tent, quantity: 1 }]);
    expect((await settled(secondOrder.data.placeOrder.id, second.accessToken)).status).toBe('CONFIRMED');
    const forYou = await waitFor(async () => {
      const response = await api.request(contract('ForYou'), { first: 4 }, second.accessToken);
      const ids = response.data?.me.recommendedProducts.map((p: { id: string }) => p.id) ?? [];
      return ids.includes(stove) ? ids : undefined;
    });
    expect(forYou).not.toContain(tent);
  });
});
