import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import type { GraphQLResponse } from '../platform/src/testing/graphql-client.js';
import { contract } from './support/contract.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { ADDRESS, ordersOf, useCatalog } from './support/shop.js';
import { useStack } from './support/stack.js';

// A crashed subgraph comes back within seconds: with orders arriving steadily through the router, the
// orders subgraph is killed (SIGKILL: no shutdown code runs) and started again. It serves as soon as its
// database and Kafka producer are there; its consumer joins the group in the background (the killed
// member stays in the group until its session times out, which no longer holds the HTTP port closed).
// What is asserted is that order, not a number of seconds: orders are taken again while the consumer
// still waits for the group. How many seconds that takes is measured by `npm run bench:startup`.
const api = useStack();
const catalog = useCatalog(api, 'Restart');
const { settled } = ordersOf(api);

/** One order as a storefront places it: the same idempotency key, retried until accepted. */
interface Attempt {
  key: string;
  startedAt: number;
  acceptedAt?: number;
  orderId?: string;
  tries: number;
  failures: string[];
}

describe('a subgraph killed and restarted under steady orders', () => {
  it('takes orders again as soon as it is ready, before its consumer rejoins the group, and every order placed before, during and after settles', async () => {
    const customer = await api.registerCustomer();
    const lamp = await catalog.product({ name: 'Lamp', price: '4.00', stock: 1_000 });
    const attempts: Attempt[] = [];
    const place = async (attempt: Attempt) => {
      const deadline = attempt.startedAt + 60_000;
      while (Date.now() < deadline) {
        attempt.tries += 1;
        const response = await api
          .request(
            contract('PlaceOrder'),
            {
              input: {
                idempotencyKey: attempt.key,
                items: [{ productId: lamp, quantity: 1 }],
                paymentToken: 'tok_visa',
                shippingAddress: ADDRESS,
              },
            },
            customer.accessToken,
          )
          .catch((error: unknown): GraphQLResponse => ({
            status: 0,
            headers: new Headers(),
            errors: [{ message: String(error) }],
          }));
        if (!response.errors && response.data?.placeOrder?.id) {
          attempt.acceptedAt = Date.now();
          attempt.orderId = response.data.placeOrder.id;
          return;
        }
        attempt.failures.push(
          response.errors?.map((e) => e.extensions?.code ?? e.message).join(',') ?? 'no data',
        );
        await sleep(100);
      }
    };

    // Orders at a steady 4 per second, each retried with its key until accepted.
    let sending = true;
    const inFlight: Promise<void>[] = [];
    const sender = (async () => {
      while (sending) {
        const attempt: Attempt = { key: randomUUID(), startedAt: Date.now(), tries: 0, failures: [] };
        attempts.push(attempt);
        inFlight.push(place(attempt));
        await sleep(250);
      }
    })();

    await sleep(3_000);
    const orders = api.stack.processes.get('orders')!;
    await orders.kill('SIGKILL');
    await sleep(2_000);
    const restartedAt = Date.now();
    await orders.restart();
    const readyAfterMs = Date.now() - restartedAt;
    // Ready while its durable consumer still waits for the group: the killed member holds it until its
    // session times out (30 s). /health/ready says so in its body without failing on it.
    const consumerState = async () =>
      (
        (await (await fetch(`http://127.0.0.1:${orders.port}/health/ready`)).json()) as {
          consumers: { group: string; state: string }[];
        }
      ).consumers.find((c) => c.group === 'orders')?.state;
    const readiness = await fetch(`http://127.0.0.1:${orders.port}/health/ready`);
    expect(readiness.status).toBe(200);
    expect(await consumerState()).toBe('joining');
    // The next order through the router is accepted by the restarted process...
    const firstAcceptedAfterRestart = await waitFor(
      () => {
        const accepted = attempts.filter((a) => a.acceptedAt! >= restartedAt).map((a) => a.acceptedAt!);
        return accepted.length > 0 && Math.min(...accepted);
      },
      60_000,
      'an order accepted after the restart',
    );
    // ...while its consumer is still outside the group: serving never waited for the join.
    expect(await consumerState()).toBe('joining');
    await sleep(2_000);
    sending = false;
    await sender;
    await Promise.all(inFlight);

    // Every order was accepted in the end, once per key (retries with the same key are one order).
    const unaccepted = attempts.filter((a) => !a.orderId);
    expect(unaccepted.map((a) => `${a.key}: ${a.failures.join(' ')}`)).toEqual([]);
    expect(new Set(attempts.map((a) => a.orderId)).size).toBe(attempts.length);
    // Orders were refused while it was down.
    const refusedWhileDown = attempts.filter((a) => a.failures.length > 0);
    expect(refusedWhileDown.length).toBeGreaterThan(0);
    console.log(
      `orders restarted: ready after ${readyAfterMs} ms, placeOrder answered again ${firstAcceptedAfterRestart - restartedAt} ms after the restart; ${attempts.length} orders, ${refusedWhileDown.length} retried while it was down`,
    );

    // And every one of them settles: the restarted consumer catches up once the group lets it in.
    for (const attempt of attempts) {
      const order = await settled(attempt.orderId!, customer.accessToken, 90_000);
      expect({ id: order.id, status: order.status }).toEqual({ id: attempt.orderId, status: 'CONFIRMED' });
    }
    expect(await consumerState()).toBe('running');
  }, 180_000);
});
