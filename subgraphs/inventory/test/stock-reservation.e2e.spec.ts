import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type ProductsStandIn, startProductsStandIn, type TestSubgraph } from '@shop/platform/testing';
import { createReservationService, type ReservationService } from '../src/reservation.service.js';
import { STOCK_CHANGED_V1, type StockChangedV1 } from '@shop/schema';
import { knownProduct, PRODUCT_ENTITIES, setStock, startInventory, stockRow } from './inventory.harness.js';

const MINUTE = 60_000;

describe('stock reservations on the real database', () => {
  let products: ProductsStandIn;
  let inventory: TestSubgraph;
  let reservations: ReservationService;

  beforeAll(async () => {
    products = await startProductsStandIn();
    inventory = await startInventory({ productsUrl: products.url, consumers: false });
    // The relay is stopped so every recorded event stays in the outbox for the assertions below.
    await inventory.runtime.relay.stop();
    reservations = createReservationService({ orm: inventory.runtime.orm, relay: inventory.runtime.relay });
  });

  afterAll(async () => {
    // Test events are not for anyone else: drop them rather than publish them at shutdown.
    await inventory?.runtime.orm.em.fork().execute('delete from outbox_message', [], 'run');
    await inventory?.stop();
    await products?.stop();
  });

  const product = async (onHand: number, reserved = 0) => {
    const id = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, id, onHand, reserved);
    return id;
  };

  /** The stock.changed events recorded for a product, oldest first. */
  const stockEvents = async (productId: string) => {
    const rows = await inventory.runtime.orm.em
      .fork()
      .execute<{ topic: string; envelope: { payload: StockChangedV1 } }[]>(
        `select topic, envelope from outbox_message where key = ? order by seq`,
        [productId],
      );
    expect(rows.every((r) => r.topic === STOCK_CHANGED_V1)).toBe(true);
    return rows.map((r) => {
      const { onHand, reserved, available } = r.envelope.payload;
      return { onHand, reserved, available };
    });
  };

  const statuses = async (orderId: string) =>
    (
      await inventory.runtime.orm.em
        .fork()
        .execute<{ product_id: string; quantity: number; status: string }[]>(
          `select product_id, quantity, status from stock_reservation where order_id = ? order by product_id`,
          [orderId],
        )
    ).map((r) => ({ productId: r.product_id, quantity: r.quantity, status: r.status }));

  it('reserves every line of an order, holding the units out of availableQuantity', async () => {
    const a = await product(10);
    const b = await product(3);
    const orderId = randomUUID();

    const result = await reservations.reserveAll(
      orderId,
      [
        { productId: a, quantity: 4 },
        { productId: b, quantity: 3 },
      ],
      15 * MINUTE,
    );
    expect(result.reserved).toBe(true);
    if (!result.reserved) return;
    expect(result.replayed).toBe(false);
    expect(result.reservations.map((r) => [r.productId, r.quantity, r.status])).toEqual(
      [
        [a, 4, 'RESERVED'],
        [b, 3, 'RESERVED'],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
    expect(result.reservations[0]!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 14 * MINUTE);

    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 4 });
    expect(await stockRow(inventory.runtime, b)).toEqual({ onHand: 3, reserved: 3 });
    const seen = await inventory.request(PRODUCT_ENTITIES, {
      r: [a, b].map((id) => ({ __typename: 'Product', id })),
    });
    expect(seen.data._entities).toEqual([
      { id: a, inStock: true, availableQuantity: 6 },
      { id: b, inStock: false, availableQuantity: 0 },
    ]);
    expect(await stockEvents(a)).toEqual([{ onHand: 10, reserved: 4, available: 6 }]);
    expect(await stockEvents(b)).toEqual([{ onHand: 3, reserved: 3, available: 0 }]);
  });

  it('merges lines of the same product', async () => {
    const a = await product(5);
    const orderId = randomUUID();
    const result = await reservations.reserveAll(
      orderId,
      [
        { productId: a, quantity: 2 },
        { productId: a, quantity: 3 },
      ],
      MINUTE,
    );
    expect(result.reserved).toBe(true);
    expect(await statuses(orderId)).toEqual([{ productId: a, quantity: 5, status: 'RESERVED' }]);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 5, reserved: 5 });
  });

  it('reserves nothing when one line is short, and says which', async () => {
    const plenty = await product(100);
    const short = await product(5, 3);
    const orderId = randomUUID();

    const result = await reservations.reserveAll(
      orderId,
      [
        { productId: plenty, quantity: 1 },
        { productId: short, quantity: 3 },
      ],
      MINUTE,
    );
    expect(result).toEqual({
      reserved: false,
      shortages: [{ productId: short, requested: 3, available: 2 }],
    });
    expect(await stockRow(inventory.runtime, plenty)).toEqual({ onHand: 100, reserved: 0 });
    expect(await stockRow(inventory.runtime, short)).toEqual({ onHand: 5, reserved: 3 });
    expect(await statuses(orderId)).toEqual([]);
    expect(await stockEvents(plenty)).toEqual([]);
  });

  it('rejects a product inventory does not know as a shortage of everything', async () => {
    const known = await product(10);
    const unknown = randomUUID();
    const result = await reservations.reserveAll(
      randomUUID(),
      [
        { productId: known, quantity: 1 },
        { productId: unknown, quantity: 1 },
      ],
      MINUTE,
    );
    expect(result).toEqual({
      reserved: false,
      shortages: [{ productId: unknown, requested: 1, available: 0 }],
    });
    expect(await stockRow(inventory.runtime, known)).toEqual({ onHand: 10, reserved: 0 });
  });

  it('refuses malformed input, changing nothing', async () => {
    const a = await product(10);
    await expect(reservations.reserveAll(randomUUID(), [], MINUTE)).rejects.toThrow(RangeError);
    await expect(
      reservations.reserveAll(randomUUID(), [{ productId: a, quantity: 0 }], MINUTE),
    ).rejects.toThrow(RangeError);
    await expect(
      reservations.reserveAll(randomUUID(), [{ productId: a, quantity: 1.5 }], MINUTE),
    ).rejects.toThrow(RangeError);
    await expect(reservations.reserveAll('order-1', [{ productId: a, quantity: 1 }], MINUTE)).rejects.toThrow(
      TypeError,
    );
    await expect(reservations.reserveAll(randomUUID(), [{ productId: a, quantity: 1 }], 0)).rejects.toThrow(
      RangeError,
    );
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 0 });
  });

  it('is idempotent per order: a repeat (even concurrent) reserves once', async () => {
    const a = await product(10);
    const orderId = randomUUID();
    const lines = [{ productId: a, quantity: 2 }];

    const results = await Promise.all(
      Array.from({ length: 5 }, () => reservations.reserveAll(orderId, lines, MINUTE)),
    );
    expect(results.every((r) => r.reserved)).toBe(true);
    expect(results.filter((r) => r.reserved && !r.replayed)).toHaveLength(1);
    const ids = new Set(results.flatMap((r) => (r.reserved ? r.reservations.map((x) => x.id) : [])));
    expect(ids.size).toBe(1);

    const again = await reservations.reserveAll(orderId, lines, MINUTE);
    expect(again).toMatchObject({ reserved: true, replayed: true });
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 2 });
    expect(await statuses(orderId)).toEqual([{ productId: a, quantity: 2, status: 'RESERVED' }]);
    expect(await stockEvents(a)).toHaveLength(1);
  });

  it('lets exactly 10 of 20 concurrent orders have the last 10 units, never going below zero', async () => {
    const a = await product(10);
    const conn = inventory.runtime.orm.em.fork();
    // Watches the row during the race; the CHECK constraint would also refuse a negative level.
    let lowest = Infinity;
    let racing = true;
    const watcher = (async () => {
      while (racing) {
        const [row] = await conn.execute<{ available: number }[]>(
          'select on_hand - reserved as available from stock where product_id = ?',
          [a],
        );
        lowest = Math.min(lowest, row!.available);
      }
    })();

    const orders = Array.from({ length: 20 }, () => randomUUID());
    const results = await Promise.all(
      orders.map((orderId) => reservations.reserveAll(orderId, [{ productId: a, quantity: 1 }], MINUTE)),
    );
    racing = false;
    await watcher;

    expect(results.filter((r) => r.reserved)).toHaveLength(10);
    expect(results.filter((r) => !r.reserved)).toEqual(
      Array.from({ length: 10 }, () => ({
        reserved: false,
        shortages: [{ productId: a, requested: 1, available: 0 }],
      })),
    );
    expect(lowest).toBeGreaterThanOrEqual(0);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 10 });
    const [count] = await conn.execute<{ n: string }[]>(
      `select count(*) as n from stock_reservation where product_id = ? and status = 'RESERVED'`,
      [a],
    );
    expect(Number(count!.n)).toBe(10);
    expect(await stockEvents(a)).toHaveLength(10);
  });

  it('does not deadlock when concurrent orders list shared products in opposite orders', async () => {
    const a = await product(10);
    const b = await product(100);
    // Every order wants 2 of a and 1 of b; half list b first. a runs out after 5 orders.
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => {
        const lines = [
          { productId: a, quantity: 2 },
          { productId: b, quantity: 1 },
        ];
        return reservations.reserveAll(randomUUID(), i % 2 ? lines.reverse() : lines, MINUTE);
      }),
    );
    expect(results.filter((r) => r.reserved)).toHaveLength(5);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 10 });
    expect(await stockRow(inventory.runtime, b)).toEqual({ onHand: 100, reserved: 5 });
  });

  it('commits an order: the units leave the stock on hand, once', async () => {
    const a = await product(10);
    const b = await product(4);
    const orderId = randomUUID();
    await reservations.reserveAll(
      orderId,
      [
        { productId: a, quantity: 3 },
        { productId: b, quantity: 1 },
      ],
      MINUTE,
    );

    const committed = await reservations.commit(orderId);
    expect(committed.map((r) => r.status)).toEqual(['COMMITTED', 'COMMITTED']);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 7, reserved: 0 });
    expect(await stockRow(inventory.runtime, b)).toEqual({ onHand: 3, reserved: 0 });
    expect((await statuses(orderId)).map((r) => r.status)).toEqual(['COMMITTED', 'COMMITTED']);

    expect(await reservations.commit(orderId)).toEqual([]);
    expect(await reservations.release(orderId)).toEqual([]);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 7, reserved: 0 });
    expect(await stockEvents(a)).toEqual([
      { onHand: 10, reserved: 3, available: 7 },
      { onHand: 7, reserved: 0, available: 7 },
    ]);
    // A committed order is not reserved again by a replayed reserveAll.
    expect(await reservations.reserveAll(orderId, [{ productId: a, quantity: 3 }], MINUTE)).toMatchObject({
      reserved: true,
      replayed: true,
    });
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 7, reserved: 0 });
  });

  it('releases an order: the units are available again, once, even when releases race', async () => {
    const a = await product(6);
    const orderId = randomUUID();
    await reservations.reserveAll(orderId, [{ productId: a, quantity: 6 }], MINUTE);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 6, reserved: 6 });

    const moved = await Promise.all([
      reservations.release(orderId),
      reservations.release(orderId),
      reservations.commit(orderId),
    ]);
    expect(moved.flat()).toHaveLength(1);
    const [settled] = moved.flat();
    const expected = settled!.status === 'RELEASED' ? { onHand: 6, reserved: 0 } : { onHand: 0, reserved: 0 };
    expect(await stockRow(inventory.runtime, a)).toEqual(expected);
    expect(await stockEvents(a)).toHaveLength(2);
  });

  it('releases an order so another can have its units', async () => {
    const a = await product(1);
    const first = randomUUID();
    await reservations.reserveAll(first, [{ productId: a, quantity: 1 }], MINUTE);
    expect(
      (await reservations.reserveAll(randomUUID(), [{ productId: a, quantity: 1 }], MINUTE)).reserved,
    ).toBe(false);

    expect((await reservations.release(first)).map((r) => r.status)).toEqual(['RELEASED']);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 1, reserved: 0 });
    expect(
      (await reservations.reserveAll(randomUUID(), [{ productId: a, quantity: 1 }], MINUTE)).reserved,
    ).toBe(true);
  });

  it('releases expired reservations only', async () => {
    const a = await product(10);
    const soon = randomUUID();
    const later = randomUUID();
    await reservations.reserveAll(soon, [{ productId: a, quantity: 2 }], 1_000);
    await reservations.reserveAll(later, [{ productId: a, quantity: 3 }], 60 * MINUTE);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 5 });

    // Not yet due.
    expect((await reservations.releaseExpired(new Date())).filter((r) => r.productId === a)).toEqual([]);

    const released = await reservations.releaseExpired(new Date(Date.now() + 2_000));
    expect(released.filter((r) => r.productId === a).map((r) => [r.orderId, r.status])).toEqual([
      [soon, 'RELEASED'],
    ]);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 10, reserved: 3 });
    expect(await statuses(later)).toEqual([{ productId: a, quantity: 3, status: 'RESERVED' }]);
    expect((await stockEvents(a)).at(-1)).toEqual({ onHand: 10, reserved: 3, available: 7 });

    // Nothing left to release twice.
    expect(
      (await reservations.releaseExpired(new Date(Date.now() + 2_000))).filter((r) => r.productId === a),
    ).toEqual([]);
  });

  it('keeps adjustStock below the reservations impossible, also at the database', async () => {
    const a = await product(5);
    await reservations.reserveAll(randomUUID(), [{ productId: a, quantity: 4 }], MINUTE);
    // Even a writer that skipped the service's checks is refused by the CHECK constraint.
    await expect(
      inventory.runtime.orm.em
        .fork()
        .execute('update stock set on_hand = 3 where product_id = ?', [a], 'run'),
    ).rejects.toThrow(/stock_on_hand_covers_reserved/);
    expect(await stockRow(inventory.runtime, a)).toEqual({ onHand: 5, reserved: 4 });
  });
});
