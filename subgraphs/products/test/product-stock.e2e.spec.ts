import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { envelope, type EventEnvelope } from '@shop/platform';
import { STOCK_CHANGED_V1, type StockChangedV1 } from '@shop/schema';
import { waitFor } from '@shop/platform/testing';
import { startProducts, type CreatedProduct, type ProductsUnderTest } from './products.fixture.js';

const IN_STOCK =
  'query($inStock: Boolean) { products(first: 100, filter: { inStock: $inStock }) { totalCount edges { node { id } } } }';

describe('the inStock filter follows inventory.stock.changed.v1 (eventually consistent)', () => {
  let t: ProductsUnderTest;
  let drill: CreatedProduct;
  let saw: CreatedProduct;
  let clock = Date.parse('2026-01-01T00:00:00.000Z');

  const listed = async (inStock: boolean) =>
    (await t.subgraph.request(IN_STOCK, { inStock })).data.products.edges.map(
      (e: { node: { id: string } }) => e.node.id,
    ) as string[];
  const stockEvent = (
    productId: string,
    available: number,
    changedAt = new Date((clock += 1000)).toISOString(),
  ) =>
    envelope<StockChangedV1>(STOCK_CHANGED_V1, productId, {
      productId,
      onHand: available + 1,
      reserved: 1,
      available,
      changedAt,
    });
  const publish = (...events: EventEnvelope[]) => t.subgraph.runtime.producer.publish(events);
  const processed = async (event: EventEnvelope) => {
    const rows = await t.subgraph.runtime.orm.em
      .fork()
      .getConnection()
      .execute('select 1 from processed_event where event_id = ?', [event.id]);
    return rows.length > 0;
  };

  beforeAll(async () => {
    t = await startProducts();
    const category = await t.createCategory('Workshop');
    drill = await t.createProduct({ categoryId: category.id, name: 'Cordless Drill' });
    saw = await t.createProduct({ categoryId: category.id, name: 'Circular Saw' });
  });

  afterAll(async () => {
    await t?.subgraph.stop();
  });

  it('lists a product as in stock once inventory reports available stock', async () => {
    expect(await listed(true)).toEqual([]);
    await publish(stockEvent(drill.id, 5));
    await waitFor(async () => (await listed(true)).includes(drill.id));
    expect(await listed(true)).toEqual([drill.id]);
    expect(await listed(false)).toEqual([saw.id]);
  });

  it('ignores a stale event (older changedAt than the one applied)', async () => {
    const stale = stockEvent(drill.id, 0, new Date(clock - 60_000).toISOString());
    await publish(stale);
    await waitFor(() => processed(stale));
    expect(await listed(true)).toEqual([drill.id]);
  });

  it('goes out of stock when available reaches 0, and applies a redelivered event id once', async () => {
    const soldOut = stockEvent(drill.id, 0);
    await publish(soldOut);
    await waitFor(async () => !(await listed(true)).includes(drill.id));
    const restocked = stockEvent(drill.id, 3);
    await publish(restocked);
    await waitFor(async () => (await listed(true)).includes(drill.id));
    // The sold-out event again, even dressed with a newer time: its id was applied already.
    await publish({
      ...soldOut,
      payload: { ...soldOut.payload, changedAt: new Date((clock += 1000)).toISOString() },
    });
    const marker = stockEvent(drill.id, 3);
    await publish(marker);
    await waitFor(() => processed(marker));
    expect(await listed(true)).toEqual([drill.id]);
  });

  it('dead-letters a malformed event and carries on with the next one', async () => {
    const malformed = envelope(STOCK_CHANGED_V1, saw.id, { productId: saw.id, available: 'lots' });
    await publish(malformed, stockEvent(saw.id, 2));
    await waitFor(async () => (await listed(true)).includes(saw.id));
    expect(await processed(malformed)).toBe(false);
    expect((await listed(true)).sort()).toEqual([drill.id, saw.id].sort());
  });
});
