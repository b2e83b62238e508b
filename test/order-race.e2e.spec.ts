import { describe, expect, it } from '@jest/globals';
import { contract } from './support/contract.js';
import { ordersOf, useCatalog } from './support/shop.js';
import { useStack } from './support/stack.js';

// 50 orders racing for 10 units through the router: exactly 10 confirmed, the rest OUT_OF_STOCK, none
// left in a non-final state, stock never below zero. (Under load this once exposed outbox events lost
// by the relay; see platform/src/outbox.ts.)
const api = useStack();
const catalog = useCatalog(api, 'Race');
const { placeOrder, available } = ordersOf(api);

describe('order race through the router', () => {
  it('never oversells: 50 orders racing for 10 units confirm exactly 10', async () => {
    const scarce = await catalog.product({ price: '2.00', stock: 10 });
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
