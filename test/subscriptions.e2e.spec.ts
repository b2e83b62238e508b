import { appendFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  webSocketClient,
  type TestSubscription,
  type WebSocketTestClient,
} from '../platform/src/testing/graphql-ws-client.js';
import { metricSum } from '../platform/src/testing/metrics.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { contract } from './support/contract.js';
import { ordersOf, useCatalog, type OrderLine } from './support/shop.js';
import { useStack } from './support/stack.js';
import { authSigner } from './support/tokens.js';

// Live order tracking and notifications through the router over graphql-ws, on the real stack: the
// router plans each subscription, opens the primary on orders/notifications, and resolves fields of
// other subgraphs (products' names, orders' status) for every event.
const api = useStack();
const catalog = useCatalog(api, 'Live');
const orders = ordersOf(api);

interface OrderEvent {
  orderStatusChanged: {
    id: string;
    status: string;
    cancellationReason: string | null;
    updatedAt: string;
    total: { amount: string; currencyCode: string };
    items: { quantity: number; product: { id: string; name: string } }[];
  };
}
interface NotificationEvent {
  notificationAdded: {
    id: string;
    type: string;
    read: boolean;
    order: { id: string; status: string } | null;
  };
}

const statuses = (subscription: TestSubscription<OrderEvent>) =>
  subscription.results.map((r) => r.data?.orderStatusChanged.status);

describe('subscriptions through the router', () => {
  const clients: WebSocketTestClient[] = [];
  const connect = (token?: string, { lazy = true } = {}) => {
    const client = webSocketClient(api.stack.routerUrl, { ...(token ? { token } : {}), lazy });
    clients.push(client);
    return client;
  };
  const product = (name: string, price: string, stock: number) => catalog.product({ name, price, stock });
  async function placeOrder(token: string, items: OrderLine[], card = 'tok_visa') {
    const placed = await orders.placeOrder(token, items, card);
    expect(placed.errors).toBeUndefined();
    return placed.data.placeOrder.id as string;
  }

  /** Runs `work` while inventory is down, so an order placed meanwhile stays PENDING until it is back. */
  async function withInventoryPaused(work: () => Promise<void>) {
    const inventory = api.stack.processes.get('inventory')!;
    await inventory.stop();
    try {
      await work();
    } finally {
      await inventory.restart();
    }
  }

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('tracks a new order PENDING -> RESERVED -> CONFIRMED with products and total, and notifies it live', async () => {
    const customer = await api.registerCustomer();
    const lamp = await product('Lamp', '12.50', 5);
    // The feed must see exactly this order's notifications: it subscribes after the WELCOME exists, and
    // the order is placed once the feed is live on the notifications replica (this spec's first feed).
    await api.welcomed(customer.accessToken);
    const socket = connect(customer.accessToken);
    const feed = socket.subscribe<NotificationEvent>(contract('NotificationFeed'));
    await api.liveSubscribers('notifications', 1);

    let tracking!: TestSubscription<OrderEvent>;
    let tab!: TestSubscription<OrderEvent>;
    let orderId!: string;
    await withInventoryPaused(async () => {
      orderId = await placeOrder(customer.accessToken, [{ productId: lamp, quantity: 2 }]);
      tracking = socket.subscribe<OrderEvent>(contract('OrderStatus'), { orderId });
      await tracking.waitFor(1, 20_000);
      // A second tab of the same customer joins late: it shares the router's upstream subscription (the
      // orders subgraph serves one) and gets the order's current state from the router at once.
      tab = connect(customer.accessToken).subscribe<OrderEvent>(contract('OrderStatus'), { orderId });
      await tab.waitFor(1, 20_000);
      expect(metricSum(await api.metricsOf('orders'), 'graphql_subscriptions_active')).toBe(1);
      expect(
        metricSum(await api.metricsOf('router'), 'router_upstream_subscriptions', { subgraph: 'orders' }),
      ).toBe(1);
      // A supergraph reload while the subscription is live does not end it.
      const applied = async () =>
        Number(
          /router_supergraph_reloads_total\{[^}]*outcome="applied"[^}]*\} (\d+)/.exec(
            await api.metricsOf('router'),
          )?.[1] ?? 0,
        );
      const reloads = await applied();
      await appendFile(api.stack.supergraphPath, `\n# reloaded ${new Date().toISOString()}\n`);
      await waitFor(async () => (await applied()) > reloads, 20_000, 'the supergraph reload');
      expect(await applied()).toBe(reloads + 1);
    });
    await tracking.finished;
    expect(statuses(tracking)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED']);
    for (const result of tracking.results) {
      expect(result.errors).toBeUndefined();
      expect(result.data!.orderStatusChanged).toMatchObject({
        id: orderId,
        cancellationReason: null,
        total: { amount: '25.00', currencyCode: 'USD' },
        items: [{ quantity: 2, product: { id: lamp, name: `Lamp ${catalog.tag}` } }],
      });
    }
    const times = tracking.results.map((r) => Date.parse(r.data!.orderStatusChanged.updatedAt));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    await tab.finished;
    expect(tab.results).toEqual(tracking.results);

    const notifications = await feed.waitFor(2, 20_000);
    const byType = new Map(
      notifications.map((r) => [r.data!.notificationAdded.type, r.data!.notificationAdded]),
    );
    expect(byType.get('ORDER_PLACED')).toMatchObject({ read: false, order: { id: orderId } });
    expect(byType.get('ORDER_CONFIRMED')).toMatchObject({ order: { id: orderId, status: 'CONFIRMED' } });
    await sleep(500);
    expect(feed.results.map((r) => r.data!.notificationAdded.type).sort()).toEqual([
      'ORDER_CONFIRMED',
      'ORDER_PLACED',
    ]);
  });

  it('ends a declined order CANCELLED/PAYMENT_DECLINED and an oversold one CANCELLED/OUT_OF_STOCK', async () => {
    const customer = await api.registerCustomer();
    const socket = connect(customer.accessToken);
    const desk = await product('Desk', '99.00', 1);
    const declinedId = await placeOrder(
      customer.accessToken,
      [{ productId: desk, quantity: 1 }],
      'tok_chargeDeclined',
    );
    const declined = socket.subscribe<OrderEvent>(contract('OrderStatus'), { orderId: declinedId });
    const oversoldId = await placeOrder(customer.accessToken, [{ productId: desk, quantity: 2 }]);
    const oversold = socket.subscribe<OrderEvent>(contract('OrderStatus'), { orderId: oversoldId });
    await Promise.all([declined.finished, oversold.finished]);

    for (const [subscription, reason] of [
      [declined, 'PAYMENT_DECLINED'],
      [oversold, 'OUT_OF_STOCK'],
    ] as const) {
      const seen = statuses(subscription);
      // Whatever the snapshot caught, the rest follows in order, without repeats, ending cancelled.
      const order = ['PENDING', 'RESERVED', 'CANCELLED'];
      expect(seen.map((s) => order.indexOf(s!))).toEqual(
        [...new Set(seen.map((s) => order.indexOf(s!)))].sort(),
      );
      expect(subscription.results.at(-1)!.data!.orderStatusChanged).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: reason,
      });
    }
    expect(statuses(oversold)).not.toContain('RESERVED');
  });

  it("refuses another customer's order and an anonymous notification feed, with no data", async () => {
    const owner = await api.registerCustomer();
    const other = await api.registerCustomer();
    const lamp = await product('Vase', '5.00', 3);
    const orderId = await placeOrder(owner.accessToken, [{ productId: lamp, quantity: 1 }]);

    const spying = connect(other.accessToken).subscribe<OrderEvent>(contract('OrderStatus'), { orderId });
    await spying.finished.catch(() => undefined);
    expect(spying.results.every((r) => r.data == null)).toBe(true);
    const codes = spying.results.flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code));
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.every((c) => c === 'FORBIDDEN' || c === 'NOT_FOUND')).toBe(true);

    const anonymous = connect().subscribe<NotificationEvent>(contract('NotificationFeed'));
    await anonymous.finished.catch(() => undefined);
    expect(anonymous.results).toEqual([]);
    // Refused by the router before planning (@authenticated): an error message, not a result.
    await expect(anonymous.finished).rejects.toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    ]);

    // The admin may watch any order.
    const watching = connect(catalog.admin).subscribe<OrderEvent>(contract('OrderStatus'), { orderId });
    await watching.finished;
    expect(watching.results.at(-1)!.data!.orderStatusChanged.status).toBe('CONFIRMED');
  });

  it('ends a live subscription when its access token expires', async () => {
    const customer = await api.registerCustomer();
    const vase = await product('Bowl', '7.00', 2);
    const sign = await authSigner(api.stack);
    let socket!: WebSocketTestClient;
    let tracking!: TestSubscription<OrderEvent>;
    await withInventoryPaused(async () => {
      const orderId = await placeOrder(customer.accessToken, [{ productId: vase, quantity: 1 }]);
      // A token of auth's own signature that expires in 4 s.
      socket = connect(await sign(customer.id, Math.floor(Date.now() / 1000) + 4));
      tracking = socket.subscribe<OrderEvent>(contract('OrderStatus'), { orderId });
      await tracking.waitFor(1, 20_000);
      await tracking.finished.catch(() => undefined);
    });
    expect(statuses(tracking)[0]).toBe('PENDING');
    const last = tracking.results.at(-1)!;
    expect(last.data ?? null).toBeNull();
    expect(last.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    // Then the router closes the connection: 4403, the client reconnects with a fresh token.
    expect((await socket.closed).code).toBe(4403);
  });

  it('keeps the client subscribed while the orders subgraph restarts, and delivers the final status', async () => {
    const customer = await api.registerCustomer();
    const lamp = await product('Chair', '40.00', 2);
    // Not lazy: a lazy client closes its socket (1000) once its last subscription completes, which may
    // happen before inventory is back; this socket stays open, so any close in closeCodes is the router's.
    const socket = connect(customer.accessToken, { lazy: false });
    let tracking!: TestSubscription<OrderEvent>;
    await withInventoryPaused(async () => {
      const orderId = await placeOrder(customer.accessToken, [{ productId: lamp, quantity: 1 }]);
      tracking = socket.subscribe<OrderEvent>(contract('OrderStatus'), { orderId });
      await tracking.waitFor(1, 20_000);
      await api.stack.processes.get('orders')!.restart();
      // The router reconnects upstream (with backoff) and subscribes again: the orders subgraph answers with
      // the current state (PENDING, not sent twice). Inventory comes back once the restarted orders process
      // serves the subscription again (its only live subscriber), so every later change reaches the client.
      await api.liveSubscribers('orders', 1);
    });
    await tracking.finished;
    expect(statuses(tracking)).toEqual(['PENDING', 'RESERVED', 'CONFIRMED']);
    expect(socket.closeCodes).toEqual([]);
  });
});
