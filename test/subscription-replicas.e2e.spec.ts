import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  webSocketClient,
  type TestSubscription,
  type WebSocketTestClient,
} from '../platform/src/testing/graphql-ws-client.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { contract } from './support/contract.js';
import { sql } from './support/database.js';
import { ordersOf, useCatalog } from './support/shop.js';
import { useStack } from './support/stack.js';

// Two replicas of orders and of notifications (same databases, Kafka namespace and consumer groups),
// each behind its own router. The durable consumers split the work between the replicas; every replica
// follows the live events itself, so a subscriber on either router gets every event, once.
const api = useStack({ replicas: ['orders', 'notifications'] });
const catalog = useCatalog(api, 'Replicas');
const { placeOrder } = ordersOf(api);

interface OrderEvent {
  orderStatusChanged: { id: string; status: string; items: { product: { name: string } }[] };
}
interface NotificationEvent {
  notificationAdded: { id: string; type: string; order: { id: string; status: string } | null };
}

describe('subscriptions with two replicas of orders and notifications', () => {
  const clients: WebSocketTestClient[] = [];
  const connect = (url: string, token: string) => {
    const client = webSocketClient(url, { token });
    clients.push(client);
    return client;
  };
  let productId: string;

  beforeAll(async () => {
    productId = await catalog.product({ name: 'Replica lamp', price: '3.00', stock: 50 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('delivers every status change and every notification once to subscribers on both routers', async () => {
    const customer = await api.registerCustomer();
    // The feeds count this customer's order notifications exactly: the WELCOME comes first, and each
    // feed is live on its notifications replica (router -> notifications, router-2 -> notifications-2)
    // before the first order is placed.
    await api.welcomed(customer.accessToken);
    // ...and its event has reached both replicas' live consumers: published from the outbox (the row is
    // visible before the relay publishes it) and no live group behind. A feed subscribing before that
    // would receive the WELCOME live.
    await waitFor(
      async () => {
        const [row] = await sql<{ n: string }>(
          api.stack.databases.notifications!,
          'select count(*) as n from outbox_message',
        );
        if (row!.n !== '0') return false;
        for (const name of ['notifications', 'notifications-2']) {
          const lags = [
            ...(await api.metricsOf(name)).matchAll(
              /^kafka_consumer_lag\{[^}]*group="[^"]*\.live\.[^"]*"[^}]*\} (\S+)$/gm,
            ),
          ];
          if (lags.length === 0 || lags.some((lag) => Number(lag[1]) !== 0)) return false;
        }
        return true;
      },
      30_000,
      'the WELCOME event to reach both notifications replicas',
    );
    const routers = [api.stack.routerUrl, api.stack.secondRouterUrl!];
    const sockets = routers.map((url) => connect(url, customer.accessToken));
    const feeds = sockets.map((s) => s.subscribe<NotificationEvent>(contract('NotificationFeed')));
    await Promise.all(['notifications', 'notifications-2'].map((name) => api.liveSubscribers(name, 1)));

    // Inventory is paused so every order is still PENDING when it is subscribed to: each subscriber must
    // then see the whole PENDING -> RESERVED -> CONFIRMED, whichever orders replica processes it.
    const inventory = api.stack.processes.get('inventory')!;
    await inventory.stop();
    const orderIds: string[] = [];
    let tracking: TestSubscription<OrderEvent>[];
    try {
      for (let i = 0; i < 4; i += 1) {
        const placed = await placeOrder(customer.accessToken, [{ productId, quantity: 1 }]);
        expect(placed.errors).toBeUndefined();
        orderIds.push(placed.data.placeOrder.id);
      }
      tracking = orderIds.flatMap((orderId) =>
        sockets.map((s) => s.subscribe<OrderEvent>(contract('OrderStatus'), { orderId })),
      );
      await Promise.all(tracking.map((t) => t.waitFor(1, 20_000)));
    } finally {
      await inventory.restart();
    }
    await Promise.all(tracking.map((t) => t.finished));
    for (const subscription of tracking) {
      expect(subscription.results.map((r) => r.data!.orderStatusChanged.status)).toEqual([
        'PENDING',
        'RESERVED',
        'CONFIRMED',
      ]);
      expect(subscription.results[0]!.data!.orderStatusChanged.items[0]!.product.name).toBe(
        `Replica lamp ${catalog.tag}`,
      );
    }

    // Two notifications per order (placed, confirmed), to each router's subscriber, once.
    for (const feed of feeds) {
      await feed.waitFor(orderIds.length * 2, 30_000);
      await sleep(1_000);
      const added = feed.results.map((r) => r.data!.notificationAdded);
      expect(added).toHaveLength(orderIds.length * 2);
      expect(new Set(added.map((n) => n.id)).size).toBe(added.length);
      expect(added.map((n) => `${n.type} ${n.order!.id}`).sort()).toEqual(
        orderIds.flatMap((id) => [`ORDER_CONFIRMED ${id}`, `ORDER_PLACED ${id}`]).sort(),
      );
    }
  });
});
