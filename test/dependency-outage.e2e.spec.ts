import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTcpProxy, type TcpProxy } from '../platform/src/testing/tcp-proxy.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { contract } from './support/contract.js';
import { snapshot, sql } from './support/database.js';
import { ADDRESS, ordersOf, useCatalog } from './support/shop.js';
import { useStack } from './support/stack.js';

// When a dependency is down, clients get a code that says "retry", at the edge an HTTP 503 with
// Retry-After, and nothing is half-written; once it is back, the same request succeeds once. The whole
// stack reaches Postgres and Redis through TCP proxies, so "Postgres is down" is true for this stack
// alone while the real servers keep serving every other spec.
const local = (url: string | undefined, fallback: string) => new URL(url ?? fallback);
const postgresTarget = local(
  process.env.DATABASE_URL,
  'postgres://postgres:postgres@127.0.0.1:5432/postgres',
);
const redisTarget = local(process.env.REDIS_URL, 'redis://127.0.0.1:6379');
const proxies: { postgres?: TcpProxy; redis?: TcpProxy } = {};
beforeAll(async () => {
  proxies.postgres = await startTcpProxy({
    host: postgresTarget.hostname,
    port: Number(postgresTarget.port || 5432),
  });
  proxies.redis = await startTcpProxy({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
});
afterAll(async () => {
  await proxies.postgres?.close();
  await proxies.redis?.close();
});

const through = (target: URL, proxy: TcpProxy) => {
  const url = new URL(target);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString().replace(/\/$/, '');
};
const api = useStack({
  env: () => ({
    DATABASE_URL: through(postgresTarget, proxies.postgres!),
    REDIS_URL: through(redisTarget, proxies.redis!),
  }),
});
const catalog = useCatalog(api, 'Outage');
const { settled } = ordersOf(api);

const placeOrder = (key: string, productId: string, token: string) =>
  api.request(
    contract('PlaceOrder'),
    {
      input: {
        idempotencyKey: key,
        items: [{ productId, quantity: 1 }],
        paymentToken: 'tok_visa',
        shippingAddress: ADDRESS,
      },
    },
    token,
  );

describe('a dependency that is down', () => {
  it('Postgres: placeOrder and queries answer SERVICE_UNAVAILABLE with HTTP 503, write nothing, and the same key succeeds once it is back', async () => {
    const customer = await api.registerCustomer();
    const lamp = await catalog.product({ name: 'Lamp', price: '4.00', stock: 10 });
    const first = await placeOrder(randomUUID(), lamp, customer.accessToken);
    expect(first.errors).toBeUndefined();
    await settled(first.data.placeOrder.id, customer.accessToken);
    const ordersDb = api.stack.databases.orders!;
    const before = await snapshot(ordersDb);

    await proxies.postgres!.down();
    const key = randomUUID();
    const refused = await placeOrder(key, lamp, customer.accessToken);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.errors).toEqual([
      {
        message: 'The service is unavailable right now; try again shortly',
        path: ['placeOrder'],
        extensions: { code: 'SERVICE_UNAVAILABLE', serviceName: 'orders' },
      },
    ]);
    const query = await api.request(contract('MyOrders'), { first: 5 }, customer.accessToken);
    expect(query.status).toBe(503);
    expect(query.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    // No host, port, SQL or driver message reaches the client.
    expect(JSON.stringify([refused, query])).not.toMatch(/127\.0\.0\.1|ECONN|5432|select|insert/i);

    await proxies.postgres!.up();
    expect(await snapshot(ordersDb)).toEqual(before);
    // The client retries with the same key: one order.
    const accepted = await waitFor(
      async () => {
        const retried = await placeOrder(key, lamp, customer.accessToken);
        return retried.errors ? undefined : retried;
      },
      30_000,
      'placeOrder accepted after Postgres is back',
    );
    expect(accepted.status).toBe(200);
    const again = await placeOrder(key, lamp, customer.accessToken);
    expect(again.data.placeOrder.id).toBe(accepted.data.placeOrder.id);
    expect((await settled(accepted.data.placeOrder.id, customer.accessToken)).status).toBe('CONFIRMED');
    const rows = await sql<{ count: string }>(
      ordersDb,
      'select count(*) as count from customer_order where customer_id = ?',
      [customer.id],
    );
    expect(Number(rows[0]!.count)).toBe(2);
  }, 120_000);

  it('Redis: a cart change answers SERVICE_UNAVAILABLE with HTTP 503 and changes nothing; the cart is intact once it is back', async () => {
    const customer = await api.registerCustomer();
    const mug = await catalog.product({ name: 'Mug', price: '3.00', stock: 10 });
    const add = (quantity: number) =>
      api.request(contract('AddToCart'), { productId: mug, quantity }, customer.accessToken);
    expect((await add(2)).errors).toBeUndefined();

    await proxies.redis!.down();
    const refused = await add(1);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.errors?.map((e) => [e.extensions?.code, e.extensions?.serviceName])).toEqual([
      ['SERVICE_UNAVAILABLE', 'cart'],
    ]);

    await proxies.redis!.up();
    const cart = await waitFor(
      async () => {
        const read = await api.request(contract('Cart'), {}, customer.accessToken);
        return read.errors ? undefined : read.data;
      },
      30_000,
      'the cart readable after Redis is back',
    );
    expect(
      cart.cart.items.map((item: { quantity: number; product: { id: string } }) => [
        item.product.id,
        item.quantity,
      ]),
    ).toEqual([[mug, 2]]);
  }, 120_000);
});
