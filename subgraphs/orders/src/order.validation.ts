import { createHash } from 'node:crypto';
import { badUserInput } from '@shop/platform';
import { countryCode } from './countries.js';

export const MAX_LINES = 50;
export const MAX_QUANTITY = 100;
export const PAYMENT_TOKEN_PREFIX = 'tok_';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => UUID.test(value);

/** `placeOrder`'s input as the client sends it. */
export interface PlaceOrderRequest {
  idempotencyKey: string;
  items: { productId: string; quantity: number }[];
  paymentToken: string;
  shippingAddress: {
    line1: string;
    line2?: string | null;
    city: string;
    postalCode: string;
    country: string;
    isDefault?: boolean | null;
  };
}

export interface ShippingAddress {
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  country: string;
}

/** A validated, normalized `placeOrder` input. */
export interface ValidOrderRequest {
  idempotencyKey: string;
  /** One line per product (duplicates merged), in the order of first appearance; ids lower case. */
  items: { productId: string; quantity: number }[];
  paymentToken: string;
  shippingAddress: ShippingAddress;
  /** sha256 of items, address and token: tells a replay of the idempotency key from a reuse. */
  fingerprint: string;
}

function text(value: string, field: string, min: number, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) {
    throw badUserInput(`${field} must be ${min} to ${max} characters`, field);
  }
  return trimmed;
}

/**
 * Validates and normalizes `placeOrder`'s input (BAD_USER_INPUT with `extensions.field` naming the
 * first problem). Lines naming the same product are MERGED (quantities added; the sum must still be
 * at most 100), so a client listing a product twice gets one line.
 */
export function validateOrderRequest(input: PlaceOrderRequest): ValidOrderRequest {
  const idempotencyKey = input.idempotencyKey;
  if (idempotencyKey.length < 1 || idempotencyKey.length > 100) {
    throw badUserInput('idempotencyKey must be 1 to 100 characters', 'idempotencyKey');
  }
  if (input.items.length < 1 || input.items.length > MAX_LINES) {
    throw badUserInput(`items must have 1 to ${MAX_LINES} lines`, 'items');
  }
  const merged = new Map<string, number>();
  for (const item of input.items) {
    if (!isUuid(item.productId)) throw badUserInput('productId is not a known product', 'items.productId');
    if (!Number.isInteger(item.quantity) || item.quantity < 1 || item.quantity > MAX_QUANTITY) {
      throw badUserInput(`quantity must be 1 to ${MAX_QUANTITY}`, 'items.quantity');
    }
    const id = item.productId.toLowerCase();
    merged.set(id, (merged.get(id) ?? 0) + item.quantity);
  }
  const items = [...merged].map(([productId, quantity]) => ({ productId, quantity }));
  if (items.some((i) => i.quantity > MAX_QUANTITY)) {
    throw badUserInput(`quantity must be 1 to ${MAX_QUANTITY} per product`, 'items.quantity');
  }
  const paymentToken = input.paymentToken;
  if (!paymentToken.startsWith(PAYMENT_TOKEN_PREFIX) || paymentToken.length > 200) {
    throw badUserInput(`paymentToken must start with "${PAYMENT_TOKEN_PREFIX}"`, 'paymentToken');
  }
  const a = input.shippingAddress;
  const line2 = a.line2?.trim() ? text(a.line2, 'shippingAddress.line2', 1, 200) : null;
  const country = countryCode(a.country.trim());
  if (!country) throw badUserInput('country must be an ISO 3166-1 alpha-2 code', 'shippingAddress.country');
  const shippingAddress: ShippingAddress = {
    line1: text(a.line1, 'shippingAddress.line1', 1, 200),
    line2,
    city: text(a.city, 'shippingAddress.city', 1, 100),
    postalCode: text(a.postalCode, 'shippingAddress.postalCode', 1, 20),
    country,
  };
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ items, shippingAddress, paymentToken }))
    .digest('hex');
  return { idempotencyKey, items, paymentToken, shippingAddress, fingerprint };
}
