import { createHash } from 'node:crypto';
import { badUserInput } from '@shop/platform';
import { z } from 'zod';

/**
 * The pure parts of product listings: search text to a prefix tsquery, the effective sort, and the
 * opaque keyset cursor. No database here; `product.service.ts` turns these into SQL.
 */

export type ProductSort = 'RELEVANCE' | 'NEWEST' | 'PRICE_ASC' | 'PRICE_DESC' | 'NAME_ASC';

/** Longest accepted search text (characters). */
export const MAX_QUERY_LENGTH = 200;
/** Words of a search beyond this many are ignored: each one narrows the match further anyway. */
export const MAX_QUERY_TERMS = 10;
/** Longest word kept from a search (Postgres ignores longer words in documents too). */
const MAX_TERM_LENGTH = 64;

/**
 * The words of a search box text, lowercased: anything that is not a letter or a digit separates
 * words, the same way the indexed document is split (punctuation becomes a space there too), so
 * "SKU-0012" gives `sku`, `0012` and "wire head" gives `wire`, `head`. Blank text gives no words.
 * Rejects text longer than {@link MAX_QUERY_LENGTH} with BAD_USER_INPUT.
 */
export function searchTerms(text: string | null | undefined): string[] {
  if (text == null) return [];
  if (text.length > MAX_QUERY_LENGTH) {
    throw badUserInput(`query must be at most ${MAX_QUERY_LENGTH} characters`, 'query');
  }
  const words = text
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .map((word) => word.slice(0, MAX_TERM_LENGTH));
  return [...new Set(words)].slice(0, MAX_QUERY_TERMS);
}

/**
 * The `to_tsquery` text for word-prefix matching of every term: `wire:* & head:*`. Terms hold
 * letters and digits only (see {@link searchTerms}), so no user character can reach the tsquery
 * syntax; the result is still passed as a bound value, never spliced into SQL.
 */
export function prefixTsquery(terms: readonly string[]): string {
  for (const term of terms) {
    if (!/^[\p{L}\p{N}]+$/u.test(term)) throw new Error(`not a search term: ${term}`);
  }
  return terms.map((term) => `${term}:*`).join(' & ');
}

/**
 * The sort actually applied: the asked one, or RELEVANCE with a search and NEWEST without.
 * RELEVANCE without a search has nothing to rank by, so it means NEWEST.
 */
export function effectiveSort(asked: ProductSort | null | undefined, hasSearch: boolean): ProductSort {
  const sort = asked ?? (hasSearch ? 'RELEVANCE' : 'NEWEST');
  return sort === 'RELEVANCE' && !hasSearch ? 'NEWEST' : sort;
}

/** Page size: `first` defaults to 20 and must be 1 to 100. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw badUserInput('first must be between 1 and 100', 'first');
  }
  return size;
}

/**
 * A position in a listing: the sort key of the last product seen (as Postgres prints it, so it
 * compares exactly: a timestamp with microseconds, a `real` rank, an integer price, a lowercased
 * name) and its id, the tie-breaker.
 */
export interface CursorPosition {
  key: string;
  id: string;
}

const CURSOR_VERSION = 1;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A price key: a non-negative integer that fits the `int` column it is compared with. */
const isIntKey = (key: string) => /^\d{1,10}$/.test(key) && Number(key) <= 2_147_483_647;

/** What each sort's key must look like before it is cast in SQL (a bad cast would be a 500). */
const keyShapes: Record<ProductSort, (key: string) => boolean> = {
  NEWEST: (key) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(key) && !Number.isNaN(Date.parse(key)),
  PRICE_ASC: (key) => isIntKey(key),
  PRICE_DESC: (key) => isIntKey(key),
  NAME_ASC: (key) => key.length <= 200,
  RELEVANCE: (key) => /^\d+(\.\d+)?(e[-+]?\d+)?$/i.test(key),
};

const cursorShape = z.strictObject({
  v: z.literal(CURSOR_VERSION),
  s: z.enum(['RELEVANCE', 'NEWEST', 'PRICE_ASC', 'PRICE_DESC', 'NAME_ASC']),
  /** Fingerprint of the filter the listing was made with. */
  f: z.string(),
  k: z.string(),
  id: z.string().regex(uuidPattern),
});

/**
 * A short fingerprint of a normalized filter: a cursor only continues the listing it came from
 * (RELEVANCE keys mean nothing under another search).
 */
export function filterFingerprint(filter: unknown): string {
  return createHash('sha256').update(JSON.stringify(filter)).digest('base64url').slice(0, 12);
}

/** Encodes a position: base64url of a versioned JSON. Opaque to clients. */
export function encodeCursor(sort: ProductSort, fingerprint: string, position: CursorPosition): string {
  const body = { v: CURSOR_VERSION, s: sort, f: fingerprint, k: position.key, id: position.id };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/**
 * Decodes `after` for a listing with `sort` and `fingerprint`. BAD_USER_INPUT (field `after`) when
 * it is not one of our cursors, was made for another sort or filter, or carries a key that does
 * not fit its sort.
 */
export function decodeCursor(after: string, sort: ProductSort, fingerprint: string): CursorPosition {
  const invalid = () => badUserInput('after is not a valid cursor for this listing', 'after');
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(after)) throw invalid();
  let parsed: z.infer<typeof cursorShape>;
  try {
    parsed = cursorShape.parse(JSON.parse(Buffer.from(after, 'base64url').toString('utf8')));
  } catch {
    throw invalid();
  }
  if (parsed.s !== sort || parsed.f !== fingerprint || !keyShapes[sort](parsed.k)) throw invalid();
  return { key: parsed.k, id: parsed.id.toLowerCase() };
}
