import type { Redis } from '@shop/platform';
import { luaCommand } from './lua-command.js';

/**
 * Cart's projection of the catalog's prices, in Redis (after the client's key prefix):
 *
 *   prices    HASH  <productId> -> "<priceMinor>:<currencyCode>:<versionMs>"
 *
 * `versionMs` is the instant of the product change the price comes from (the event's `occurredAt`,
 * or the product's `updatedAt` when learned from products' `_entities`; products sets both to the
 * same instant), in ms since the epoch. A write applies only when it is at least as new as what is
 * stored, so a redelivered or replayed old event never takes a price back. One hash for the whole
 * catalog: a cart's lines are priced with ONE `HMGET`. No TTL: products are never deleted, and a
 * price is a few dozen bytes.
 */

/** A product's price as cart knows it. */
export interface ProductPrice {
  productId: string;
  /** Unit price in minor units of `currencyCode`. */
  priceMinor: number;
  currencyCode: string;
  /** When the product change this price comes from happened, ms since the epoch. */
  versionMs: number;
}

export const PRICES_KEY = 'prices';

export const encodePrice = (price: ProductPrice) =>
  `${price.priceMinor}:${price.currencyCode}:${price.versionMs}`;

/** Decodes a stored price; undefined for a value that does not decode. */
export function decodePrice(productId: string, value: string): ProductPrice | undefined {
  const match = /^(\d+):([A-Z]{3}):(\d+)$/.exec(value);
  if (!match) return undefined;
  return {
    productId,
    priceMinor: Number(match[1]),
    currencyCode: match[2]!,
    versionMs: Number(match[3]),
  };
}

/**
 * KEYS[1] prices; ARGV: triples of productId, encoded price, versionMs. Writes each price unless a
 * newer one is stored (equal versions write: the later delivery of one instant wins). Returns how
 * many were written.
 */
const SAVE_IF_NEWER = `
local written = 0
for i = 1, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local stored = current and tonumber(string.match(current, ':(%d+)$')) or -1
  if stored <= tonumber(ARGV[i + 2]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    written = written + 1
  end
end
return written
`;

export type ProductPriceRepository = ReturnType<typeof createProductPriceRepository>;

export function createProductPriceRepository(redis: Redis) {
  const savePrices = luaCommand(redis, 'cartSavePrices', 1, SAVE_IF_NEWER);

  return {
    /** The stored prices of `productIds` in ONE `HMGET`; ids with no price are left out. */
    async find(productIds: readonly string[]): Promise<ProductPrice[]> {
      if (productIds.length === 0) return [];
      const values = await redis.hmget(PRICES_KEY, ...productIds);
      return productIds.flatMap((id, i) => {
        const price = values[i] == null ? undefined : decodePrice(id, values[i]!);
        return price ? [price] : [];
      });
    },

    /** Stores prices unless newer ones are stored (one atomic script). Resolves how many were written. */
    async saveIfNewer(prices: readonly ProductPrice[]): Promise<number> {
      if (prices.length === 0) return 0;
      const args = prices.flatMap((p) => [p.productId, encodePrice(p), p.versionMs]);
      return Number(await savePrices(PRICES_KEY, ...args));
    },
  };
}
