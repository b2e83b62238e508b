import { parseDecimal, projectionLookup, remoteEntities, type EntityManager } from '@shop/platform';
import type { ProductChangedV1 } from '@shop/schema';
import { ProductPrice } from './order.entity.js';

/** A product's catalog price as orders knows it. */
export interface PriceRow {
  productId: string;
  priceMinor: number;
  currencyCode: string;
  changedAt: Date;
}

/** What the products subgraph's `_entities` answers for a Product. */
interface RemoteProduct {
  id: string;
  price: { amount: string; currencyCode: string };
  updatedAt: string;
}

/**
 * Upserts prices into the projection, newer-only: a row is replaced only by a change that happened
 * after the one it holds (events may arrive late or twice; the `_entities` fallback may race them).
 */
export async function savePrices(em: EntityManager, rows: PriceRow[]): Promise<void> {
  for (const row of rows) {
    await em.getConnection().execute(
      `insert into product_price (product_id, price_minor, currency_code, changed_at) values (?, ?, ?, ?)
         on conflict (product_id) do update set price_minor = excluded.price_minor,
           currency_code = excluded.currency_code, changed_at = excluded.changed_at
         where product_price.changed_at < excluded.changed_at`,
      [row.productId, row.priceMinor, row.currencyCode, row.changedAt],
      'run',
      em.getTransactionContext(),
    );
  }
}

/** The projection row an event of `products.product.created.v1`/`updated.v1` carries. */
export const priceFromEvent = (payload: ProductChangedV1): PriceRow => ({
  productId: payload.productId,
  priceMinor: payload.priceMinor,
  currencyCode: payload.currencyCode,
  changedAt: new Date(payload.occurredAt),
});

/**
 * Prices of products by id: the local projection first, the products subgraph's `_entities` for the
 * misses (saved for next time). Ids nobody knows have no entry in the result.
 */
export function createPriceLookup(productsUrl: string) {
  const fetchProducts = remoteEntities<RemoteProduct>({
    url: productsUrl,
    typename: 'Product',
    selection: 'id price { amount currencyCode } updatedAt',
  });
  return (em: EntityManager, ids: readonly string[]): Promise<Map<string, PriceRow>> =>
    projectionLookup<PriceRow>({
      findLocal: async (wanted) =>
        (await em.find(ProductPrice, { productId: { $in: [...wanted] } })).map((p) => ({
          productId: p.productId,
          priceMinor: p.priceMinor,
          currencyCode: p.currencyCode,
          changedAt: p.changedAt,
        })),
      fetchRemote: async (missing) =>
        (await fetchProducts(missing)).map((p) =>
          p
            ? {
                productId: p.id.toLowerCase(),
                priceMinor: parseDecimal(p.price.amount, p.price.currencyCode, 'price'),
                currencyCode: p.price.currencyCode,
                changedAt: new Date(p.updatedAt),
              }
            : null,
        ),
      saveLocal: (rows) => savePrices(em.fork(), rows),
      idOf: (row) => row.productId,
    })(ids);
}
export type PriceLookup = ReturnType<typeof createPriceLookup>;
