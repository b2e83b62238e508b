import DataLoader from 'dataloader';

/**
 * Memoizes one value per request context: `perRequest((ctx) => new DataLoader(...))` gives every
 * request its own loader (so batches and caches never cross requests or callers) without the
 * context having to list every loader up front.
 */
export function perRequest<C extends object, V>(create: (ctx: C) => V): (ctx: C) => V {
  const cache = new WeakMap<C, V>();
  return (ctx) => {
    let value = cache.get(ctx);
    if (value === undefined) {
      value = create(ctx);
      cache.set(ctx, value);
    }
    return value;
  };
}

/**
 * A per-request DataLoader for entities by key, built from one batch query (`fetch` receives the
 * distinct keys of one tick and returns the rows it found, in any order). Missing keys resolve to
 * `null`. This is what `__resolveReference` should call: @apollo/subgraph resolves `_entities` one
 * representation at a time, and the loader folds N of them into one query.
 */
export function entityLoader<C extends object, K, V>(
  fetch: (ctx: C, keys: readonly K[]) => Promise<V[]>,
  keyOf: (value: V) => K,
): (ctx: C) => DataLoader<K, V | null> {
  return perRequest(
    (ctx) =>
      new DataLoader<K, V | null>(async (keys) => {
        const rows = await fetch(ctx, keys);
        const byKey = new Map(rows.map((row) => [keyOf(row), row]));
        return keys.map((key) => byKey.get(key) ?? null);
      }),
  );
}
