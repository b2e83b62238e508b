import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import { badUserInput, conflict, entityLoader, perRequest, requireRole } from '@shop/platform';
import { Category } from './category.entity.js';
import type { Context } from './context.js';
import { SLUG_PATTERN, slugify } from './slug.js';
import { insertWithUniqueSlug, violatedConstraint } from './unique-slug.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are opaque to clients: anything that is not one of ours simply names nothing. */
export const isId = (value: string) => uuidPattern.test(value);

/** Categories by id, one query per request tick (`_entities`, `Product.category`, filters). */
export const categoryLoader = entityLoader<Context, string, Category>(
  (ctx, ids) => ctx.em.find(Category, { id: { $in: ids.filter(isId) } }),
  (category) => category.id,
);

/** Product counts by category id: one grouped count per request tick, 0 for an empty category. */
export const productCountLoader = perRequest(
  (ctx: Context) =>
    new DataLoader<string, number>(async (ids) => {
      const rows = await ctx.em
        .getConnection()
        .execute<{ category_id: string; n: number }[]>(
          `select category_id, count(*)::int as n from product where category_id in (${ids.map(() => '?').join(', ')}) group by category_id`,
          [...ids],
        );
      const counts = new Map(rows.map((row) => [row.category_id, row.n]));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
);

export interface CategoryLookup {
  id?: string | null;
  slug?: string | null;
}

export interface CreateCategory {
  name: string;
  slug?: string | null;
}

const MAX_NAME = 100;
const MAX_SLUG = 100;

/** Categories: reads, and creation by admins. */
export class CategoryService {
  /** Every category, by name. */
  list(ctx: Context): Promise<Category[]> {
    return ctx.em.find(Category, {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  /** One category by id or slug (exactly one); null when unknown. */
  async find(ctx: Context, { id, slug }: CategoryLookup): Promise<Category | null> {
    if ((id == null) === (slug == null)) throw badUserInput('Give exactly one of id and slug');
    if (id != null) return categoryLoader(ctx).load(id);
    return ctx.em.findOne(Category, { slug: slug! });
  }

  /** The category `id` names, or BAD_USER_INPUT on `field` (an unknown id in an input). */
  async require(ctx: Context, id: string, field = 'categoryId'): Promise<Category> {
    const category = isId(id) ? await categoryLoader(ctx).load(id) : null;
    if (!category) throw badUserInput(`${field} names no category`, field);
    return category;
  }

  /**
   * Creates a category (ADMIN). The slug is the given one (CONFLICT when taken) or derived from the
   * name (made unique with `-2`, `-3`...).
   */
  async create(ctx: Context, input: CreateCategory): Promise<Category> {
    requireRole(ctx.viewer, 'ADMIN');
    const name = input.name.trim();
    if (name.length < 1 || name.length > MAX_NAME) {
      throw badUserInput(`name must be 1 to ${MAX_NAME} characters`, 'name');
    }
    const create = (tx: Context['em'], slug: string) =>
      tx.create(Category, { id: randomUUID(), slug, name, createdAt: new Date() });

    if (input.slug != null) {
      const slug = input.slug.trim();
      if (slug.length > MAX_SLUG || !SLUG_PATTERN.test(slug)) {
        throw badUserInput('slug must be lowercase letters and digits joined by single hyphens', 'slug');
      }
      try {
        return await ctx.em.transactional((tx) => create(tx, slug));
      } catch (error) {
        if (violatedConstraint(error) === 'category_slug_unique') throw conflict(`slug "${slug}" is taken`);
        throw error;
      }
    }
    return insertWithUniqueSlug({
      em: ctx.em,
      table: 'category',
      constraint: 'category_slug_unique',
      base: slugify(name) || 'category',
      insert: create,
    });
  }
}
