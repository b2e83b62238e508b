import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { conflict, type EntityManager } from '@shop/platform';
import { nextFreeSlug } from './slug.js';

/** Attempts before giving up when concurrent writers keep taking the slug we picked (each round one of them wins). */
const MAX_ATTEMPTS = 10;

/** The name of the unique constraint or index a Postgres unique violation names, if any. */
export function violatedConstraint(error: unknown): string | undefined {
  if (!(error instanceof UniqueConstraintViolationException)) return undefined;
  const constraint = (error as { constraint?: unknown }).constraint;
  return typeof constraint === 'string' ? constraint : '';
}

export interface UniqueSlugInsert<T> {
  /** The request's fork; each attempt runs in its own transaction on it. */
  em: EntityManager;
  /** `product` or `category`: the table whose `slug` column must stay unique. */
  table: 'product' | 'category';
  /** The unique constraint on that column, e.g. `product_slug_unique`. */
  constraint: string;
  /** The derived slug; `base-2`, `base-3`... are tried after it. */
  base: string;
  /** Creates the row (and its outbox event) in `tx` with `slug`; flushed by the transaction. */
  insert: (tx: EntityManager, slug: string) => T | Promise<T>;
}

/**
 * Inserts a row whose slug is derived from `base` and must be unique, safely under concurrency:
 * pick the next free candidate, insert, and when a concurrent writer took the same slug first (the
 * unique index refuses ours), roll back and pick again. Unique violations of other constraints are
 * rethrown for the caller to translate. CONFLICT after {@link MAX_ATTEMPTS} lost races.
 */
export async function insertWithUniqueSlug<T>(options: UniqueSlugInsert<T>): Promise<T> {
  const { em, table, constraint, base } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.transactional(async (tx) => {
        const taken = await tx
          .getConnection()
          .execute<{ slug: string }[]>(
            `select slug from "${table}" where slug = ? or slug like ?`,
            [base, `${base}-%`],
            'all',
            tx.getTransactionContext(),
          );
        const slug = nextFreeSlug(
          base,
          taken.map((row) => row.slug),
        );
        return options.insert(tx, slug);
      });
    } catch (error) {
      if (violatedConstraint(error) !== constraint) throw error;
      if (attempt >= MAX_ATTEMPTS) throw conflict('Too many concurrent writes for this slug; try again');
    }
  }
}
