import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { contract } from './support/contract.js';
import { useStack } from './support/stack.js';

// 50 orders racing for 10 units through the router: exactly 10 confirmed, the rest OUT_OF_STOCK, none
// left in a non-final state, stock never below zero. (Under load this once exposed outbox events lost
// by the relay; see platform/src/outbox.ts.)
const api = useStack();
const address = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
const PRODUCT = 'query($id: ID!) { product(id: $id) { id availableQuantity } }';

describe('order race through the router', () => {
  let admin: string;
  let categoryId: string;
  const tag = randomUUID().slice(0, 8);
  let serial = 0;

  async function product(price: string, stock: number) {
    const created = await api.request(
      contract('CreateProduct'),
      { input: { sku: `RACE-${tag}-${serial++}`, name: `Race ${tag} ${serial}`, price, categoryId } },
      admin,
    );
    const id = created.data.createProduct.id as string;
    if (stock) await api.request(contract('AdjustStock'), { productId: id, delta: stock }, admin);
    return id;
  }
  const available = async (id: string) =>
    (await api.request(PRODUCT, { id })).data.product.availableQuantity as number;
  const placeOrder = (token: string, items: { productId: string; quantity: number }[]) =>
    api.request(
      contract('PlaceOrder'),
      { input: { idempotencyKey: randomUUID(), items, paymentToken: 'tok_visa', shippingAddress: address } },
      token,
    );

  beforeAll(async () => {
    admin = await api.adminToken();
    categoryId = await api.createCategory(admin, `Race ${tag}`);
  });

  it('never oversells: 50 orders racing for 10 units confirm exactly 10', async () => {
    const scarce = await product('2.00', 10);
    // Accounts first, a few at a time (password hashing is deliberately expensive); then the race.
    const buyers: Awaited<ReturnType<typeof api.registerCustomer>>[] = [];
    while (buyers.length < 50)
      buyers.push(...(await Promise.all(Array.from({ length: 5 }, () => api.registerCustomer()))));
    const placed = await Promise.all(
      buyers.map((b) => placeOrder(b.accessToken, [{ productId: scarce, quantity: 1 }])),
    );
    for (const response of placed) expect(response.errors).toBeUndefined();
    // Poll the 50 orders in rounds, one request at a time, rather than in 50 tight loops, so the
    // checking does not itself load the stack it measures. None may stay in a non-final state.
    const outcomes: { status: string; cancellationReason: string | null }[] = new Array(placed.length);
    const waiting = new Set(placed.map((_, i) => i));
    const lastSeen = new Map<string, string>();
    const deadline = Date.now() + 90_000;
    while (waiting.size && Date.now() < deadline) {
      for (const i of [...waiting]) {
        const id = placed[i]!.data.placeOrder.id;
        const order = (await api.request(contract('Order'), { id }, buyers[i]!.accessToken)).data?.order;
        if (order && ['CONFIRMED', 'CANCELLED'].includes(order.status)) {
          outcomes[i] = order;
          waiting.delete(i);
        } else {
          lastSeen.set(id, `${order?.status}:${order?.payment?.status}`);
        }
      }
      if (waiting.size) await new Promise((r) => setTimeout(r, 500));
    }
    // Orders still not final, with their last status and payment status.
    expect(
      [...waiting].map(
        (i) => `${placed[i]!.data.placeOrder.id} ${lastSeen.get(placed[i]!.data.placeOrder.id)}`,
      ),
    ).toEqual([]);
    const statuses = outcomes.map((o) => `${o.status}:${o.cancellationReason ?? ''}`);
    expect(statuses.filter((s) => s === 'CONFIRMED:')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'CANCELLED:OUT_OF_STOCK')).toHaveLength(40);
    expect(await available(scarce)).toBe(0);
  }, 180_000);
});
