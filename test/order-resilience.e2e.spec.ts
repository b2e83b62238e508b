import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '../platform/src/testing/graphql-client.js';
import { contract } from './support/contract.js';
import { differences, snapshot, sql } from './support/database.js';
import { caughtUp, stackKafka, type StackKafka } from './support/kafka.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { ordersOf, useCatalog } from './support/shop.js';
import { useStack } from './support/stack.js';

// The order flow under failure, on one isolated stack (nine subgraphs and the router as real
// processes, real Postgres, Redis and Kafka), driven through the router like a storefront:
// - a crash of orders between the database commit and the Kafka publish loses no order;
// - every event delivered twice charges, reserves, notifies and counts nothing twice;
// - a poison message is dead-lettered with its reason and the consumers carry on;
// - an order over the line limit is refused and leaves nothing behind.
// Specs share the stack in this order; the replay spec runs last so it redelivers everything before it.
const api = useStack();

const catalog = useCatalog(api, 'Resilience');
const orders = ordersOf(api);
const { placeOrder, order, available } = orders;
const ORDER_PLACED = 'orders.order.placed.v1';
const ORDER_STATUS_CHANGED = 'orders.order.status-changed.v1';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('order flow resilience through the router', () => {
  let kafka: StackKafka;
  const db = (name: string) => api.stack.databases[name]!;

  const product = (price: string, stock: number) => catalog.product({ price, stock });
  /** Polls the order until it reaches a final status; resolves it. */
  const settled = (id: string, token: string, timeoutMs = 60_000) => orders.settled(id, token, timeoutMs);

  const notificationTypes = async (token: string) => {
    const feed = (await api.request(contract('MyNotifications'), { first: 50 }, token)).data.me.notifications;
    return feed.edges.map((e: { node: { type: string } }) => e.node.type).sort() as string[];
  };

  /** Outbox rows waiting in any of the stack's databases. */
  async function outboxRows() {
    let total = 0;
    for (const name of Object.keys(api.stack.databases)) {
      const tables = await sql(
        db(name),
        `select 1 from information_schema.tables where table_name = 'outbox_message'`,
      );
      if (!tables.length) continue;
      const [row] = await sql<{ n: string }>(db(name), 'select count(*) as n from outbox_message');
      total += Number(row?.n ?? 0);
    }
    return total;
  }

  /** Waits until every event is published and every consumer group has committed all of them. */
  async function quiescent(timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await outboxRows()) === 0) {
        await caughtUp(kafka, Math.max(deadline - Date.now(), 1_000));
        // A consumer's effect may have recorded a new event meanwhile: then go round again.
        if ((await outboxRows()) === 0) return;
      }
      if (Date.now() > deadline) throw new Error('the stack did not go quiet');
      await sleep(250);
    }
  }

  beforeAll(async () => {
    kafka = stackKafka(api.stack.kafkaNamespace);
  });

  it('refuses an order of 51 distinct lines with BAD_USER_INPUT and creates nothing', async () => {
    const customer = await api.registerCustomer();
    const ids: string[] = [];
    while (ids.length < 51)
      ids.push(...(await Promise.all(Array.from({ length: 3 }, () => product('1.00', 2)))));
    const lines = ids.map((productId) => ({ productId, quantity: 1 }));

    const refused = await placeOrder(customer.accessToken, lines);
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(refused.data?.placeOrder ?? null).toBeNull();

    // Nothing stored, nothing published, nothing reserved (given the flow a moment to react).
    const mine = await api.request(contract('MyOrders'), { first: 10 }, customer.accessToken);
    expect(mine.data.me.orders.edges).toEqual([]);
    expect(
      await sql(db('orders'), 'select id from customer_order where customer_id = ?', [customer.id]),
    ).toEqual([]);
    await sleep(1_000);
    expect(await Promise.all(ids.map(available))).toEqual(ids.map(() => 2));

    // The 51st line is what is refused: the first 50 of the same lines make a valid order.
    const accepted = await placeOrder(customer.accessToken, lines.slice(0, 50));
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data.placeOrder.items).toHaveLength(50);
    expect((await settled(accepted.data.placeOrder.id, customer.accessToken)).status).toBe('CONFIRMED');
    expect(await available(ids[50]!)).toBe(2);
  }, 180_000);

  it('settles an order committed while orders could not publish, after orders is killed and restarted', async () => {
    const orders = api.stack.processes.get('orders')!;
    const customer = await api.registerCustomer();
    const lamp = await product('10.00', 5);

    // Operator switch: orders commits its orders and their events, but its relay publishes nothing.
    await orders.restart({ env: { OUTBOX_RELAY_ENABLED: 'false' } });
    let orderId: string;
    try {
      const placed = await placeOrder(customer.accessToken, [{ productId: lamp, quantity: 2 }]);
      expect(placed.errors).toBeUndefined();
      expect(placed.data.placeOrder.status).toBe('PENDING');
      orderId = placed.data.placeOrder.id;

      // Committed with its event; the event waits in orders' outbox and nothing downstream moves.
      const waiting = await sql(
        db('orders'),
        'select topic, key from outbox_message where key = ? order by seq',
        [orderId],
      );
      expect(waiting).toEqual([
        { topic: ORDER_PLACED, key: orderId },
        { topic: ORDER_STATUS_CHANGED, key: orderId },
      ]);
      await sleep(2_000);
      expect((await order(orderId, customer.accessToken)).status).toBe('PENDING');
      expect(await available(lamp)).toBe(5);
      expect(await api.metricsOf('orders')).toMatch(/^outbox_backlog\{[^}]*\} [1-9]/m);
    } catch (error) {
      // Leave orders as the later specs need it: running, relay on.
      await orders.restart();
      throw error;
    }

    // The crash: no shutdown code runs, so nothing gets a last chance to publish. Then orders is back
    // with its relay on (before any assertion, so a failure here leaves the stack usable).
    await orders.kill('SIGKILL');
    const killedBy = orders.child.signalCode;
    const leftover = await sql(db('orders'), 'select topic from outbox_message where key = ? order by seq', [
      orderId,
    ]);
    await orders.restart();
    expect(killedBy).toBe('SIGKILL');
    expect(leftover).toEqual([{ topic: ORDER_PLACED }, { topic: ORDER_STATUS_CHANGED }]);

    // Back with the relay on: the event leaves and the order settles, exactly once.
    const confirmed = await settled(orderId, customer.accessToken, 120_000);
    expect(confirmed).toMatchObject({
      status: 'CONFIRMED',
      cancellationReason: null,
      payment: { status: 'SUCCEEDED', amount: { amount: '20.00', currencyCode: 'USD' } },
    });
    expect(confirmed.statusHistory.map((s: { status: string }) => s.status)).toEqual([
      'PENDING',
      'RESERVED',
      'CONFIRMED',
    ]);
    await quiescent();
    expect(await sql(db('orders'), 'select topic from outbox_message where key = ?', [orderId])).toEqual([]);
    expect(await sql(db('payments'), 'select status from payment where order_id = ?', [orderId])).toEqual([
      { status: 'SUCCEEDED' },
    ]);
    expect(
      await sql(db('payments'), 'select amount_minor from sandbox_charge where idempotency_key = ?', [
        orderId,
      ]),
    ).toEqual([{ amount_minor: 2000 }]);
    expect(
      await sql(db('inventory'), 'select quantity, status from stock_reservation where order_id = ?', [
        orderId,
      ]),
    ).toEqual([{ quantity: 2, status: 'COMMITTED' }]);
    expect(await available(lamp)).toBe(3);
    expect(await notificationTypes(customer.accessToken)).toEqual([
      'ORDER_CONFIRMED',
      'ORDER_PLACED',
      'WELCOME',
    ]);
  }, 300_000);

  it('dead-letters poison order.placed messages with their reason, and still confirms the next valid order', async () => {
    const customer = await api.registerCustomer();
    const mug = await product('4.50', 3);
    const poison = randomUUID();
    // Both kinds of poison on every partition, so whichever partition the valid order lands on, it
    // comes after them: bytes that are not JSON, and an envelope whose payload breaks the contract.
    const partitions = await kafka.partitions(ORDER_PLACED);
    const notJson = `{"poison": "${poison}", this is not JSON`;
    const badPayload = (partition: number) =>
      JSON.stringify({
        id: randomUUID(),
        type: ORDER_PLACED,
        occurredAt: new Date().toISOString(),
        key: poison,
        payload: { orderId: 'not-an-order-id', poison, partition },
      });
    await kafka.produceRaw(
      ORDER_PLACED,
      Array.from({ length: partitions }, (_, partition) => [
        { partition, key: poison, value: notJson },
        { partition, key: poison, value: badPayload(partition) },
      ]).flat(),
    );

    const placed = await placeOrder(customer.accessToken, [{ productId: mug, quantity: 1 }]);
    expect(placed.errors).toBeUndefined();
    expect((await settled(placed.data.placeOrder.id, customer.accessToken)).status).toBe('CONFIRMED');
    expect(await available(mug)).toBe(2);
    await quiescent();

    // Every group consuming order.placed copied each poison message to its dead-letter topic with the reason.
    const consumers = [...(await kafka.lags())]
      .filter(([, lag]) => lag.some((p) => p.topic === ORDER_PLACED))
      .map(([group]) => group)
      .sort();
    expect(consumers).toEqual(expect.arrayContaining(['cart', 'inventory', 'notifications', 'payments']));
    for (const group of consumers) {
      const dead = (await kafka.readAll([`${group}.dlq`]))
        .map((m) => ({
          envelope: JSON.parse(m.value!.toString('utf8')),
          headerTopic: m.headers?.['dlq-topic']?.toString(),
        }))
        .filter(({ envelope }) => envelope.key === poison);
      expect({ group, count: dead.length }).toEqual({ group, count: 2 * partitions });
      for (const { envelope, headerTopic } of dead) {
        expect(envelope.type).toBe(`${group}.dlq`);
        expect(envelope.payload.topic).toBe(ORDER_PLACED);
        expect(headerTopic).toBe(ORDER_PLACED);
        if (envelope.payload.value === notJson) {
          expect(envelope.payload.reason).toMatch(/^invalid event: .*JSON/);
        } else {
          expect(JSON.parse(envelope.payload.value).payload.poison).toBe(poison);
          expect(envelope.payload.reason).toMatch(/^invalid event: .*orderId/s);
        }
      }
      const kinds = dead.map(({ envelope }) =>
        envelope.payload.value === notJson ? 'not-json' : 'bad-payload',
      );
      expect(kinds.filter((k) => k === 'not-json')).toHaveLength(partitions);
      expect(new Set(dead.map(({ envelope }) => envelope.payload.partition)).size).toBe(partitions);
    }
  }, 240_000);

  it('delivers every event of the stack twice: nothing is charged, reserved, notified or counted twice', async () => {
    const buyer = await api.registerCustomer();
    const declinedBuyer = await api.registerCustomer();
    const tent = await product('120.00', 10);
    const stove = await product('35.00', 10);

    await api.request(contract('AddToCart'), { productId: tent, quantity: 1 }, buyer.accessToken);
    const bought = await placeOrder(buyer.accessToken, [
      { productId: tent, quantity: 1 },
      { productId: stove, quantity: 1 },
    ]);
    const declined = await placeOrder(
      declinedBuyer.accessToken,
      [{ productId: tent, quantity: 2 }],
      'tok_chargeDeclined',
    );
    const boughtId = bought.data.placeOrder.id as string;
    const declinedId = declined.data.placeOrder.id as string;
    expect((await settled(boughtId, buyer.accessToken)).status).toBe('CONFIRMED');
    expect(await settled(declinedId, declinedBuyer.accessToken)).toMatchObject({
      status: 'CANCELLED',
      cancellationReason: 'PAYMENT_DECLINED',
    });
    // The ordered tent left the cart; it goes back in, and a replayed order.placed must not remove it again.
    await waitFor(
      async () => (await api.request(contract('Cart'), {}, buyer.accessToken)).data?.cart.totalQuantity === 0,
    );
    await api.request(contract('AddToCart'), { productId: tent, quantity: 1 }, buyer.accessToken);
    await quiescent();

    /** What a double delivery could change: every row of every database, and what customers see. */
    const observe = async () => {
      const databases: Record<string, Record<string, string[]>> = {};
      for (const name of Object.keys(api.stack.databases)) databases[name] = await snapshot(db(name));
      const views = {
        bought: await order(boughtId, buyer.accessToken),
        declined: await order(declinedId, declinedBuyer.accessToken),
        buyerNotifications: await notificationTypes(buyer.accessToken),
        declinedNotifications: await notificationTypes(declinedBuyer.accessToken),
        cart: (await api.request(contract('Cart'), {}, buyer.accessToken)).data.cart,
        stock: { tent: await available(tent), stove: await available(stove) },
        recommendations: (await api.request(contract('Product'), { id: tent })).data.product.recommendations
          .map((p: { id: string }) => p.id)
          .sort(),
      };
      return { databases, views };
    };
    const before = await observe();
    expect(before.views).toMatchObject({
      bought: { status: 'CONFIRMED', payment: { status: 'SUCCEEDED' } },
      declined: { status: 'CANCELLED', payment: { status: 'DECLINED' } },
      buyerNotifications: ['ORDER_CONFIRMED', 'ORDER_PLACED', 'WELCOME'],
      cart: { totalQuantity: 1 },
      stock: { tent: 9, stove: 9 },
    });
    expect(before.views.recommendations).toContain(stove);
    // The snapshot sees the rows that matter (an empty one would compare equal whatever happened).
    expect(before.databases.payments!.payment!.length).toBeGreaterThanOrEqual(2);
    expect(before.databases.inventory!.stock_reservation!.length).toBeGreaterThanOrEqual(3);
    expect(before.databases.notifications!.notification!.length).toBeGreaterThanOrEqual(5);
    expect(before.databases.recommendations!.co_purchase!.length).toBeGreaterThanOrEqual(2);

    // Every message of every topic of the stack (not the dead-letter copies), produced again unchanged.
    const topics = (await kafka.topics()).filter((t) => !t.endsWith('.dlq'));
    const endsBefore = await kafka.endOffsets(topics);
    const messages = await kafka.readAll(topics);
    expect([...new Set(messages.map((m) => m.topic))]).toEqual(
      expect.arrayContaining([
        'auth.user.registered.v1',
        'products.product.created.v1',
        'inventory.stock.changed.v1',
        'inventory.stock.reserved.v1',
        'orders.order.placed.v1',
        'orders.order.confirmed.v1',
        'orders.order.cancelled.v1',
        'payments.payment.succeeded.v1',
        'payments.payment.declined.v1',
      ]),
    );
    await kafka.reproduce(messages);
    const ends = await kafka.endOffsets(topics);
    // Each partition grew by exactly its own messages: every one is on the broker twice now.
    const grown = new Map(
      [...ends]
        .map(([slot, end]) => [slot, Number(BigInt(end) - BigInt(endsBefore.get(slot) ?? '0'))] as const)
        .filter(([, n]) => n !== 0),
    );
    const copies = new Map<string, number>();
    for (const m of messages)
      copies.set(`${m.topic}:${m.partition}`, (copies.get(`${m.topic}:${m.partition}`) ?? 0) + 1);
    expect(grown).toEqual(copies);

    // Every consumer group has committed every copy, so each copy's effect (if any) is committed too.
    await quiescent();
    const after = await observe();
    expect(differences(before.databases, after.databases)).toEqual([]);
    expect(after.views).toEqual(before.views);
    // No consumer reacted to a copy with an event of its own.
    expect(await kafka.endOffsets(topics)).toEqual(ends);
    // In the words of the issue: one payment per order, one reservation per line, one notification each.
    expect(
      await sql(db('payments'), 'select status from payment where order_id in (?, ?) order by status', [
        boughtId,
        declinedId,
      ]),
    ).toEqual([{ status: 'DECLINED' }, { status: 'SUCCEEDED' }]);
    expect(
      await sql(db('inventory'), 'select count(*)::int as n from stock_reservation where order_id = ?', [
        boughtId,
      ]),
    ).toEqual([{ n: 2 }]);

    // The consumer lag every subgraph reports on /metrics agrees: all caught up, every group present.
    const groups = [...(await kafka.lags()).keys()].sort();
    await waitFor(async () => {
      const reported = new Map<string, number>();
      for (const subgraph of Object.keys(api.stack.subgraphUrls))
        for (const [, group, lag] of (await api.metricsOf(subgraph)).matchAll(
          /^kafka_consumer_lag\{[^}]*group="([^"]+)"[^}]*\} (\d+)$/gm,
        ))
          // Live-event groups (per process, feeding subscriptions) are reported too; compare durable ones.
          if (!/\.live\./.test(group!)) reported.set(group!, (reported.get(group!) ?? 0) + Number(lag));
      return (
        [...reported.keys()].sort().join() === groups.join() && [...reported.values()].every((v) => v === 0)
      );
    }, 30_000);
  }, 420_000);
});
