import { createHash } from 'node:crypto';
import { money, type Money } from '@shop/platform';
import type { StoredLine } from './cart.repository.js';
import type { ProductPrice } from './product-price.repository.js';

/** A cart as the API shows it: lines priced at the products' current prices. */
export interface CartView {
  id: string;
  totalQuantity: number;
  subtotal: Money;
  items: { quantity: number; lineTotal: Money; product: { id: string } }[];
}

/**
 * The opaque, stable id of a customer's cart: a UUID-shaped digest of the customer id (RFC 9562
 * version 8, "custom"). Derived, not stored, so it is the same before the first item, after
 * `clearCart` and across restarts, and it does not reveal the customer id.
 */
export function cartIdOf(customerId: string): string {
  const bytes = createHash('sha256').update(`cart:${customerId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Prices `lines` (oldest first) with `prices`: each line's total is unit price x quantity, the
 * subtotal their sum, all in integer minor units (no float is ever involved). An empty cart's
 * subtotal is 0 in `currency`. Throws when a line has no price or the lines mix currencies: both
 * mean a broken projection, not a caller's mistake.
 */
export function priceCart(
  customerId: string,
  lines: readonly StoredLine[],
  prices: ReadonlyMap<string, ProductPrice>,
  currency: string,
): CartView {
  let subtotal = 0n;
  let totalQuantity = 0;
  const currencies = new Set<string>();
  const items = lines.map((line) => {
    const price = prices.get(line.productId);
    if (!price) throw new Error(`no price known for product ${line.productId}`);
    currencies.add(price.currencyCode);
    const lineTotal = BigInt(price.priceMinor) * BigInt(line.quantity);
    subtotal += lineTotal;
    totalQuantity += line.quantity;
    return {
      quantity: line.quantity,
      lineTotal: money(lineTotal, price.currencyCode),
      product: { id: line.productId },
    };
  });
  if (currencies.size > 1) throw new Error(`cart mixes currencies: ${[...currencies].join(', ')}`);
  const subtotalCurrency = [...currencies][0] ?? currency;
  return { id: cartIdOf(customerId), totalQuantity, subtotal: money(subtotal, subtotalCurrency), items };
}
