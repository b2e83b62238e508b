import {
  badUserInput,
  projectionLookup,
  recordEvent,
  type EntityManager,
  type OutboxRelay,
} from '@shop/platform';
import { availableOf, Stock, type StockLevel } from './stock.entity.js';
import { STOCK_CHANGED_V1, type StockChangedV1 } from '@shop/schema';

/** The largest |delta| `adjustStock` accepts. */
export const MAX_STOCK_DELTA = 1_000_000;
/** Stock on hand is a Postgres `int`; an adjustment that would pass this is refused, not overflowed. */
const MAX_ON_HAND = 2_147_483_647;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Product ids are UUIDs (stock rows are keyed by them); anything else names no product. */
export const isProductId = (id: string): boolean => UUID.test(id);

/** The canonical spelling of a product id (Postgres prints UUIDs in lower case). */
export const normalizeProductId = (id: string): string => id.toLowerCase();

/**
 * Asks the products subgraph which of `ids` exist (its `_entities`); resolves one entry per id, null
 * for unknown ones. Built with the kit's `remoteEntities`.
 */
export type FetchProducts = (
  ids: readonly string[],
  headers?: Record<string, string>,
) => Promise<({ id: string } | null)[]>;

/**
 * Records `inventory.stock.changed.v1` for `level` in `em`'s unit of work, so the event commits
 * with the change it describes or not at all.
 */
export function recordStockChanged(em: EntityManager, level: StockLevel, changedAt = new Date()): void {
  const payload: StockChangedV1 = {
    productId: level.productId,
    onHand: level.onHand,
    reserved: level.reserved,
    available: availableOf(level),
    changedAt: changedAt.toISOString(),
  };
  recordEvent(em, STOCK_CHANGED_V1, level.productId, payload);
}

/**
 * Reads the stock of `ids` in ONE statement (the batch behind `Product.__resolveReference`).
 * Resolves the rows found, any order; ids that are not UUIDs are skipped without a query.
 */
export async function findStockLevels(em: EntityManager, ids: readonly string[]): Promise<StockLevel[]> {
  const wanted = [...new Set(ids.filter(isProductId).map(normalizeProductId))];
  if (wanted.length === 0) return [];
  const rows = await em.find(
    Stock,
    { productId: { $in: wanted } },
    { fields: ['productId', 'onHand', 'reserved'] },
  );
  return rows.map((row) => ({ productId: row.productId, onHand: row.onHand, reserved: row.reserved }));
}

/**
 * Makes sure a stock row exists for each product id (0 on hand, 0 reserved), leaving existing rows
 * alone. Used by the `products.product.created.v1` consumer and when products confirms a product
 * inventory had not heard of yet; both may race, hence `on conflict do nothing`.
 */
export async function learnProducts(em: EntityManager, productIds: readonly string[]): Promise<void> {
  const ids = [...new Set(productIds.map(normalizeProductId))];
  if (ids.length === 0) return;
  await em.execute(
    `insert into stock (product_id, on_hand, reserved, updated_at)
     values ${ids.map(() => '(?, 0, 0, now())').join(', ')}
     on conflict (product_id) do nothing`,
    ids,
    'run',
  );
}

export interface StockServiceOptions {
  /** Woken after each commit so the `stock.changed` event leaves at once. */
  relay: Pick<OutboxRelay, 'nudge'>;
  /** The products subgraph's `_entities`, asked about ids with no stock row yet. */
  fetchProducts: FetchProducts;
}

export type StockService = ReturnType<typeof createStockService>;

/** Stock on hand: the admin's adjustments and the product projection behind them. */
export function createStockService({ relay, fetchProducts }: StockServiceOptions) {
  /**
   * True when the product exists: it has a stock row, or products confirms it through `_entities`
   * (then its row is created, so the next call is local). This is what makes a product usable in
   * `adjustStock` as soon as `createProduct` has returned, before its event arrives here.
   */
  async function productExists(em: EntityManager, productId: string, headers: Record<string, string>) {
    const lookup = projectionLookup<{ id: string }>({
      findLocal: async (ids) =>
        (await em.find(Stock, { productId: { $in: [...ids] } }, { fields: ['productId'] })).map((s) => ({
          id: s.productId,
        })),
      fetchRemote: (ids) => fetchProducts(ids, headers),
      saveLocal: (products) =>
        learnProducts(
          em,
          products.map((p) => p.id),
        ),
      idOf: (product) => normalizeProductId(product.id),
    });
    return (await lookup([productId])).has(productId);
  }

  return {
    /**
     * Adds `delta` to a product's stock on hand and records `inventory.stock.changed.v1`, in one
     * transaction. The caller has checked the ADMIN role. BAD_USER_INPUT, changing nothing, for a
     * delta of 0 or beyond ±1,000,000, an unknown product, or a result below what is reserved (or
     * below 0). The check and the write are one conditional UPDATE, so concurrent adjustments can
     * never take stock below its reservations; the table's CHECK constraint backs it up.
     */
    async adjust(
      em: EntityManager,
      rawProductId: string,
      delta: number,
      { requestId }: { requestId?: string } = {},
    ): Promise<StockLevel> {
      if (!Number.isInteger(delta) || delta === 0 || Math.abs(delta) > MAX_STOCK_DELTA) {
        throw badUserInput(
          `delta must be a non-zero integer between -${MAX_STOCK_DELTA} and ${MAX_STOCK_DELTA}`,
          'delta',
        );
      }
      if (!isProductId(rawProductId))
        throw badUserInput(`No product has the id ${rawProductId}`, 'productId');
      const productId = normalizeProductId(rawProductId);
      if (!(await productExists(em, productId, requestId ? { 'x-request-id': requestId } : {}))) {
        throw badUserInput(`No product has the id ${productId}`, 'productId');
      }

      const level = await em.transactional(async (tx) => {
        const [row] = await tx.execute<{ on_hand: number; reserved: number }[]>(
          `update stock set on_hand = on_hand + ?, updated_at = now()
           where product_id = ? and on_hand + ? >= reserved and on_hand::bigint + ? <= ${MAX_ON_HAND}
           returning on_hand, reserved`,
          [delta, productId, delta, delta],
        );
        if (!row) throw await refusal(tx, productId, delta);
        const changed: StockLevel = { productId, onHand: row.on_hand, reserved: row.reserved };
        recordStockChanged(tx, changed);
        return changed;
      });
      relay.nudge();
      return level;
    },
  };
}

/** Why the conditional UPDATE matched no row, read after the fact for the error message. */
async function refusal(em: EntityManager, productId: string, delta: number) {
  const [current] = await em.execute<{ on_hand: number; reserved: number }[]>(
    `select on_hand, reserved from stock where product_id = ?`,
    [productId],
  );
  if (!current) return badUserInput(`No product has the id ${productId}`, 'productId');
  const result = current.on_hand + delta;
  if (result > MAX_ON_HAND) return badUserInput(`Stock on hand would exceed ${MAX_ON_HAND}`, 'delta');
  if (current.reserved === 0) {
    return badUserInput(`Adjusting by ${delta} would leave ${result} on hand, below zero`, 'delta');
  }
  return badUserInput(
    `Adjusting by ${delta} would leave ${result} on hand, less than the ${current.reserved} reserved`,
    'delta',
  );
}
