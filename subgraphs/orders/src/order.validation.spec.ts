import { describe, expect, it } from '@jest/globals';
import { validateOrderRequest, type PlaceOrderRequest } from './order.validation.js';

const A = '0b0e6d8e-3c6a-4a57-9d2b-3a8f1f9b7c11';
const B = '1c1f7e9f-4d7b-4b68-8e3c-4b9a2a0c8d22';
const request = (overrides: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  idempotencyKey: 'k1',
  items: [{ productId: A, quantity: 1 }],
  paymentToken: 'tok_visa',
  shippingAddress: { line1: ' 1 Main St ', line2: '', city: 'Berlin', postalCode: '10115', country: 'de' },
  ...overrides,
});
const fieldOf = (input: PlaceOrderRequest) => {
  try {
    validateOrderRequest(input);
    return undefined;
  } catch (error) {
    const ext = (error as { extensions: { code: string; field?: string } }).extensions;
    return `${ext.code}:${ext.field}`;
  }
};

describe('validateOrderRequest', () => {
  it('normalizes: merged lines, trimmed address, upper-case country, empty line2 -> null', () => {
    const valid = validateOrderRequest(
      request({
        items: [
          { productId: A.toUpperCase(), quantity: 2 },
          { productId: B, quantity: 1 },
          { productId: A, quantity: 3 },
        ],
      }),
    );
    expect(valid.items).toEqual([
      { productId: A, quantity: 5 },
      { productId: B, quantity: 1 },
    ]);
    expect(valid.shippingAddress).toEqual({
      line1: '1 Main St',
      line2: null,
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    });
  });

  it('fingerprints what matters: same input same hash, any change another', () => {
    const base = validateOrderRequest(request()).fingerprint;
    expect(validateOrderRequest(request({ idempotencyKey: 'other' })).fingerprint).toBe(base);
    expect(validateOrderRequest(request({ paymentToken: 'tok_x' })).fingerprint).not.toBe(base);
    expect(validateOrderRequest(request({ items: [{ productId: A, quantity: 2 }] })).fingerprint).not.toBe(
      base,
    );
  });

  it('names the field of each problem', () => {
    expect(fieldOf(request({ idempotencyKey: '' }))).toBe('BAD_USER_INPUT:idempotencyKey');
    expect(fieldOf(request({ items: [] }))).toBe('BAD_USER_INPUT:items');
    expect(fieldOf(request({ items: [{ productId: A, quantity: 101 }] }))).toBe(
      'BAD_USER_INPUT:items.quantity',
    );
    expect(fieldOf(request({ items: [{ productId: 'x', quantity: 1 }] }))).toBe(
      'BAD_USER_INPUT:items.productId',
    );
    expect(fieldOf(request({ paymentToken: 'card' }))).toBe('BAD_USER_INPUT:paymentToken');
    expect(
      fieldOf(request({ shippingAddress: { line1: 'x', city: 'y', postalCode: 'z', country: 'UK' } })),
    ).toBe('BAD_USER_INPUT:shippingAddress.country');
    expect(fieldOf(request())).toBeUndefined();
  });
});
