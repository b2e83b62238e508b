import { describe, expect, it } from '@jest/globals';
import {
  decodeCursor,
  effectiveSort,
  encodeCursor,
  filterFingerprint,
  pageSize,
  prefixTsquery,
  searchTerms,
} from './product-listing.js';

const id = '0b6c3a52-4a2e-4b8e-9a8e-3f1d2c4b5a69';
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as { extensions?: { code?: string; field?: string } }).extensions;
  }
  return undefined;
};

describe('search terms', () => {
  it('splits on anything but letters and digits, lowercases, dedupes', () => {
    expect(searchTerms('Wire  HEAD')).toEqual(['wire', 'head']);
    expect(searchTerms('SKU-0012')).toEqual(['sku', '0012']);
    expect(searchTerms("o'neil & (x | !y):*")).toEqual(['o', 'neil', 'x', 'y']);
    expect(searchTerms('Café café')).toEqual(['café']);
    expect(searchTerms('   ')).toEqual([]);
    expect(searchTerms(null)).toEqual([]);
  });

  it('builds a prefix tsquery that carries no tsquery syntax from the user', () => {
    expect(prefixTsquery(searchTerms("wire:* | !head'"))).toBe('wire:* & head:*');
    expect(() => prefixTsquery(['a|b'])).toThrow();
  });

  it('refuses text over 200 characters', () => {
    expect(codeOf(() => searchTerms('x'.repeat(201)))).toEqual({ code: 'BAD_USER_INPUT', field: 'query' });
  });
});

describe('sort and page size', () => {
  it('defaults to RELEVANCE with a search and NEWEST without; RELEVANCE without a search is NEWEST', () => {
    expect(effectiveSort(undefined, true)).toBe('RELEVANCE');
    expect(effectiveSort(undefined, false)).toBe('NEWEST');
    expect(effectiveSort('RELEVANCE', false)).toBe('NEWEST');
    expect(effectiveSort('PRICE_ASC', true)).toBe('PRICE_ASC');
  });

  it('takes 1 to 100, default 20', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, -1, 101]) expect(codeOf(() => pageSize(bad))?.code).toBe('BAD_USER_INPUT');
  });
});

describe('cursor', () => {
  const f = filterFingerprint({ terms: [] });

  it('round-trips a position and is opaque base64url', () => {
    const cursor = encodeCursor('PRICE_ASC', f, { key: '1999', id });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 'PRICE_ASC', f)).toEqual({ key: '1999', id });
  });

  it('refuses garbage, tampered keys, another sort and another filter', () => {
    const cursor = encodeCursor('NEWEST', f, { key: '2026-11-24T10:00:00.123456Z', id });
    const tampered = Buffer.from(
      JSON.stringify({ v: 1, s: 'NEWEST', f, k: "'; drop table product; --", id }),
    ).toString('base64url');
    const extra = Buffer.from(
      JSON.stringify({ v: 1, s: 'NEWEST', f, k: '2026-11-24T10:00:00Z', id, x: 1 }),
    ).toString('base64url');
    for (const bad of ['', 'not a cursor', 'e30', tampered, extra, cursor.slice(0, -3)]) {
      expect(codeOf(() => decodeCursor(bad, 'NEWEST', f))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
    }
    expect(codeOf(() => decodeCursor(cursor, 'PRICE_DESC', f))?.code).toBe('BAD_USER_INPUT');
    const hugePrice = encodeCursor('PRICE_ASC', f, { key: '99999999999', id });
    expect(codeOf(() => decodeCursor(hugePrice, 'PRICE_ASC', f))?.code).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(cursor, 'NEWEST', filterFingerprint({ terms: ['x'] })))?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect(decodeCursor(cursor, 'NEWEST', f).key).toBe('2026-11-24T10:00:00.123456Z');
  });
});
