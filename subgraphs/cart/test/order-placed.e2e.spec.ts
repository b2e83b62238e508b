import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { envelope, type EventEnvelope } from '@shop/platform';
import {
  type ProductsStandIn,
  startProductsStandIn,
  type TestSubgraph,
  waitFor,
} from '@shop/platform/testing';
import { ORDER_PLACED_V1 } from '@shop/schema';
import {
  addToCart,
  customer,
  deleteKeys,
  linesOf,
  orderPlaced,
  readCart,
  startCart,
  testKeyPrefix,
} from './cart.harness.js';

interface DeadLetter {
  reason: string;
  topic: string;
  value: string;
}

describe('ordered items leave the cart (orders.order.placed.v1)', () => {
  let products: ProductsStandIn;
  let cart: TestSubgraph;
  const prefix = testKeyPrefix();
  const deadLetters: EventEnvelope<DeadLetter>[] = [];
  let dlqReader: { stop(): Promise<void> } | undefined;

  beforeAll(async () => {
    products = await startProductsStandIn();
    cart = await startCart({ productsUrl: products.url, redisKeyPrefix: prefix });
    // Reads cart's dead-letter topic (in this test's Kafka namespace) as an operator would.
    dlqReader = await cart.runtime.kafka.consume({
      groupId: `cart-test-dlq-reader-${randomUUID().slice(0, 8)}`,
      deadLetterTopic: 'cart-test-dlq-reader.dlq',
      handlers: {
        'cart.dlq': {
          parse: (payload) => payload as DeadLetter,
          handle: async (event: EventEnvelope<DeadLetter>) => void deadLetters.push(event),
        },
      },
    });
  });

  afterAll(async () => {
    await dlqReader?.stop();
    if (cart) await deleteKeys(cart.runtime.redis!, prefix);
    await cart?.stop();
    await products?.stop();
  });

  const lineIds = async (token: string) => (await readCart(cart, token)).items.map((i) => i.product.id);

  it('removes only the ordered products, only from that customer, and only once', async () => {
    const alice = await customer(cart);
    const bob = await customer(cart);
    const [a, b, c] = [products.createProduct(100), products.createProduct(200), products.createProduct(300)];
    for (const id of [a, b, c]) await addToCart(cart, alice.token, id, 2);
    await addToCart(cart, bob.token, a, 1);

    const placed = orderPlaced(alice.id, [
      [a, 2],
      [c, 2],
    ]);
    await cart.runtime.producer.publish([placed]);
    await waitFor(async () => (await lineIds(alice.token)).length === 1, 45_000, 'the ordered lines to go');
    const afterOrder = await readCart(cart, alice.token);
    expect(linesOf(afterOrder)).toEqual([[b, 2]]);
    expect(afterOrder.subtotal.amount).toBe('4.00');
    expect(linesOf(await readCart(cart, bob.token))).toEqual([[a, 1]]);

    // Alice puts one of the ordered products back in her cart; then the order event is delivered
    // again (a relay or consumer restart), followed by a new event on the same key (same partition,
    // so handled after the redelivery) that removes b.
    await addToCart(cart, alice.token, a, 5);
    const next = orderPlaced(alice.id, [[b, 2]], placed.payload.orderId);
    await cart.runtime.producer.publish([placed, next]);
    await waitFor(async () => !(await lineIds(alice.token)).includes(b), 45_000, 'the next event');

    expect(linesOf(await readCart(cart, alice.token))).toEqual([[a, 5]]);
  });

  it('takes off only the ordered units: what was added again before the event, or never ordered, stays', async () => {
    const { id, token } = await customer(cart);
    const [a, b, c] = [products.createProduct(100), products.createProduct(200), products.createProduct(300)];
    await addToCart(cart, token, a, 2);
    await addToCart(cart, token, b, 5);
    await addToCart(cart, token, c, 1);
    // The order takes the cart's 2 of a, 3 of the 5 of b, and 4 of c (more than the line holds). Before
    // its event arrives, the customer adds a again: that unit is new, and must stay.
    const placed = orderPlaced(id, [
      [a, 2],
      [b, 3],
      [c, 4],
    ]);
    await addToCart(cart, token, a, 1);
    await cart.runtime.producer.publish([placed]);
    await waitFor(async () => !(await lineIds(token)).includes(c), 45_000, 'the order event');
    // Lines keep their places (a was added first) and the units beyond the order.
    expect(linesOf(await readCart(cart, token))).toEqual([
      [a, 1],
      [b, 2],
    ]);

    // A redelivery takes nothing more off.
    const marker = orderPlaced(id, [[b, 2]], placed.payload.orderId);
    await cart.runtime.producer.publish([placed, marker]);
    await waitFor(async () => !(await lineIds(token)).includes(b), 45_000, 'the marker');
    expect(linesOf(await readCart(cart, token))).toEqual([[a, 1]]);
  });

  it('records each applied event in Redis with a TTL', async () => {
    const { id, token } = await customer(cart);
    const a = products.createProduct();
    await addToCart(cart, token, a, 1);
    const placed = orderPlaced(id, [a]);
    await cart.runtime.producer.publish([placed]);
    await waitFor(async () => (await lineIds(token)).length === 0, 45_000, 'the ordered line to go');
    const ttl = await cart.runtime.redis!.ttl(`processed:{${id}}:${placed.id}`);
    expect(ttl).toBeGreaterThan(6 * 24 * 3600);
    expect(ttl).toBeLessThanOrEqual(7 * 24 * 3600);
  });

  it('is fine with an order of products the cart does not hold, or a customer with no cart', async () => {
    const { id, token } = await customer(cart);
    const a = products.createProduct();
    await addToCart(cart, token, a, 1);
    const stranger = randomUUID();
    const first = orderPlaced(id, [randomUUID()]);
    const noCart = orderPlaced(stranger, [a], first.payload.orderId);
    const marker = orderPlaced(id, [a], first.payload.orderId);
    await cart.runtime.producer.publish([first, noCart, marker]);
    await waitFor(async () => (await lineIds(token)).length === 0, 45_000, 'the marker');
    expect(await cart.runtime.redis!.exists(`customer:{${stranger}}`)).toBe(0);
  });

  it('leaves the cart alone for an order placed before the 7-day dedupe window (a replay)', async () => {
    const { id, token } = await customer(cart);
    const [a, b] = [products.createProduct(), products.createProduct()];
    await addToCart(cart, token, a, 1);
    await addToCart(cart, token, b, 1);
    const old = orderPlaced(id, [a], randomUUID(), new Date(Date.now() - 8 * 24 * 3600 * 1000));
    const marker = orderPlaced(id, [b], old.payload.orderId);
    await cart.runtime.producer.publish([old, marker]);
    await waitFor(async () => !(await lineIds(token)).includes(b), 45_000, 'the marker');
    expect(linesOf(await readCart(cart, token))).toEqual([[a, 1]]);
  });

  it('sends a malformed event to cart.dlq and goes on with the next one', async () => {
    const { id, token } = await customer(cart);
    const [a, b] = [products.createProduct(), products.createProduct()];
    await addToCart(cart, token, a, 1);
    await addToCart(cart, token, b, 1);

    const orderId = randomUUID();
    const malformed = envelope(ORDER_PLACED_V1, orderId, { orderId, customerId: id, items: 'a, please' });
    const valid = orderPlaced(id, [a], orderId);
    await cart.runtime.producer.publish([malformed, valid]);

    await waitFor(async () => !(await lineIds(token)).includes(a), 45_000, 'the valid event');
    expect(linesOf(await readCart(cart, token))).toEqual([[b, 1]]);
    await waitFor(
      () => deadLetters.some((dead) => JSON.parse(dead.payload.value).id === malformed.id),
      45_000,
      'the dead letter',
    );
    const dead = deadLetters.find((d) => JSON.parse(d.payload.value).id === malformed.id)!;
    expect(dead.payload.topic).toBe(ORDER_PLACED_V1);
    expect(dead.payload.reason).toMatch(/invalid event/);
    expect(deadLetters.some((d) => JSON.parse(d.payload.value).id === valid.id)).toBe(false);
  });
});
