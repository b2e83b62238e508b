import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import {
  badUserInput,
  conflict,
  entityLoader,
  notFound,
  parseDecimal,
  recordEvent,
  requireRole,
  type EntityManager,
  type OutboxRelay,
} from '@shop/platform';
import { Category } from './category.entity.js';
import { isId, type CategoryService } from './category.service.js';
import type { Context } from './context.js';
import {
  decodeCursor,
  effectiveSort,
  encodeCursor,
  filterFingerprint,
  pageSize,
  prefixTsquery,
  searchTerms,
  type ProductSort,
} from './product-listing.js';
import {
  PRODUCT_CREATED_V1,
  PRODUCT_UPDATED_V1,
  type ProductChangedV1,
  type StockChangedV1,
} from '@shop/schema';
import { Product } from './product.entity.js';
import { slugify } from './slug.js';
import { insertWithUniqueSlug, violatedConstraint } from './unique-slug.js';

/** Products by id, one query per request tick (`_entities`, `product(id)`). */
export const productLoader = entityLoader<Context, string, Product>(
  (ctx, ids) => ctx.em.find(Product, { id: { $in: ids.filter(isId) } }),
  (product) => product.id,
);

export interface CreateProduct {
  sku: string;
  name: string;
  description?: string | null;
  price: string;
  categoryId: string;
}

export interface UpdateProduct {
  name?: string | null;
  description?: string | null;
  price?: string | null;
  categoryId?: string | null;
}

export interface ProductFilter {
  query?: string | null;
  categoryId?: string | null;
  minPrice?: string | null;
  maxPrice?: string | null;
  inStock?: boolean | null;
}

export interface ListProducts {
  first?: number | null;
  after?: string | null;
  filter?: ProductFilter | null;
  sort?: ProductSort | null;
}

/** A page of a listing, shaped like the `ProductConnection` type (`totalCount` runs only when asked). */
export interface ProductPage {
  totalCount: () => Promise<number>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  edges: { cursor: string; node: Product }[];
}

const SKU_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_NAME = 200;
const MAX_DESCRIPTION = 5000;
/** Highest accepted price in minor units (10,000,000.00 in a two-digit currency); fits the int column. */
const MAX_PRICE_MINOR = 1_000_000_000;

/**
 * How each sort orders rows and seeks past a cursor. Keys are printed by Postgres (`sort_key`) and
 * compared back with the same cast, so a position is exact (microsecond timestamps, `real` ranks).
 * Every order ends with the id so rows with equal keys keep one stable order; the id goes the
 * same direction as the key so a row comparison `(key, id) < (?, ?)` expresses "after".
 */
const SORTS: Record<ProductSort, { keyText: string; order: string; after: string }> = {
  NEWEST: {
    keyText: `to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    order: 'created_at desc, id desc',
    after: '(created_at, id) < (?::timestamptz, ?::uuid)',
  },
  PRICE_ASC: {
    keyText: 'price_minor::text',
    order: 'price_minor asc, id asc',
    after: '(price_minor, id) > (?::int, ?::uuid)',
  },
  PRICE_DESC: {
    keyText: 'price_minor::text',
    order: 'price_minor desc, id desc',
    after: '(price_minor, id) < (?::int, ?::uuid)',
  },
  NAME_ASC: {
    keyText: 'lower(name)',
    order: 'lower(name) asc, id asc',
    after: '(lower(name), id) > (?::text, ?::uuid)',
  },
  RELEVANCE: {
    keyText: 'rank::text',
    order: 'rank desc, id desc',
    after: '(rank, id) < (?::real, ?::uuid)',
  },
};

/** The product columns the entity maps (everything but the search document). */
const PRODUCT_COLUMNS =
  'p.id, p.sku, p.slug, p.name, p.description, p.price_minor, p.category_id, p.in_stock, p.stock_changed_at, p.created_at, p.updated_at';

/**
 * Products: reads, listings and search, and the admin writes. Every write records its event in the
 * same transaction as the change and nudges the outbox relay after the commit.
 */
export class ProductService {
  constructor(
    private readonly deps: {
      currency: string;
      relay: Pick<OutboxRelay, 'nudge'>;
      categories: CategoryService;
    },
  ) {}

  get currency() {
    return this.deps.currency;
  }

  /** One product by id or slug (exactly one); null when unknown. */
  async find(
    ctx: Context,
    { id, slug }: { id?: string | null; slug?: string | null },
  ): Promise<Product | null> {
    if ((id == null) === (slug == null)) throw badUserInput('Give exactly one of id and slug');
    if (id != null) return productLoader(ctx).load(id);
    return ctx.em.findOne(Product, { slug: slug! });
  }

  /**
   * A page of products matching `filter` in `sort` order (keyset pagination on the sort key and
   * the id). With a search the default sort is RELEVANCE, without it NEWEST.
   */
  async list(ctx: Context, args: ListProducts): Promise<ProductPage> {
    const first = pageSize(args.first);
    const filter = args.filter ?? {};
    const terms = searchTerms(filter.query);
    const sort = effectiveSort(args.sort, terms.length > 0);
    const minPrice = this.priceBound(filter.minPrice, 'minPrice');
    const maxPrice = this.priceBound(filter.maxPrice, 'maxPrice');
    if (minPrice != null && maxPrice != null && minPrice > maxPrice) {
      throw badUserInput('minPrice must not be greater than maxPrice', 'minPrice');
    }
    if (filter.categoryId != null) await this.deps.categories.require(ctx, filter.categoryId);
    const fingerprint = filterFingerprint({
      terms,
      categoryId: filter.categoryId?.toLowerCase() ?? null,
      minPrice,
      maxPrice,
      inStock: filter.inStock ?? null,
    });
    const position = args.after != null ? decodeCursor(args.after, sort, fingerprint) : undefined;

    // The matching rows, with their rank when searching: shared by the page and the count.
    const where: string[] = [];
    const params: unknown[] = [];
    let from = 'product p';
    let rank = '';
    if (terms.length) {
      from = `product p, to_tsquery('simple', ?) q`;
      params.push(prefixTsquery(terms));
      where.push('p.search_vector @@ q');
      rank = ', ts_rank(p.search_vector, q) as rank';
    }
    if (filter.categoryId != null) {
      where.push('p.category_id = ?::uuid');
      params.push(filter.categoryId.toLowerCase());
    }
    if (minPrice != null) {
      where.push('p.price_minor >= ?');
      params.push(minPrice);
    }
    if (maxPrice != null) {
      where.push('p.price_minor <= ?');
      params.push(maxPrice);
    }
    if (filter.inStock != null) {
      where.push('p.in_stock = ?');
      params.push(filter.inStock);
    }
    const matches = `select ${PRODUCT_COLUMNS}${rank} from ${from}${where.length ? ` where ${where.join(' and ')}` : ''}`;

    const order = SORTS[sort];
    const pageSql =
      `select m.*, ${order.keyText} as sort_key from (${matches}) m` +
      (position ? ` where ${order.after}` : '') +
      ` order by ${order.order} limit ?`;
    const pageParams = [...params, ...(position ? [position.key, position.id] : []), first + 1];
    const rows = await ctx.em.getConnection().execute<Record<string, unknown>[]>(pageSql, pageParams);

    const hasNextPage = rows.length > first;
    const edges = rows.slice(0, first).map((row) => {
      const { sort_key: key, rank: _rank, ...columns } = row;
      const node = ctx.em.map(Product, columns);
      return { cursor: encodeCursor(sort, fingerprint, { key: String(key), id: node.id }), node };
    });
    let total: Promise<number> | undefined;
    return {
      totalCount: () =>
        (total ??= ctx.em
          .getConnection()
          .execute<{ n: number }[]>(`select count(*)::int as n from (${matches}) m`, params)
          .then(([row]) => row?.n ?? 0)),
      pageInfo: {
        hasNextPage,
        hasPreviousPage: position != null,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      edges,
    };
  }

  /**
   * Creates a product (ADMIN) with a slug derived from its name, and records
   * `products.product.created.v1` in the same transaction.
   */
  async create(ctx: Context, input: CreateProduct): Promise<Product> {
    requireRole(ctx.viewer, 'ADMIN');
    const sku = input.sku.trim();
    if (!SKU_PATTERN.test(sku)) {
      throw badUserInput("sku must be 1 to 64 letters, digits, '-', '_' or '.'", 'sku');
    }
    const name = this.name(input.name);
    const description = this.description(input.description);
    const priceMinor = this.price(input.price);
    const category = await this.deps.categories.require(ctx, input.categoryId);
    if (await this.skuTaken(ctx.em, sku)) throw conflict(`sku "${sku}" is already used`);

    let product: Product;
    try {
      product = await insertWithUniqueSlug({
        em: ctx.em,
        table: 'product',
        constraint: 'product_slug_unique',
        base: slugify(name) || 'product',
        insert: (tx, slug) => {
          const now = new Date();
          const created = tx.create(Product, {
            id: randomUUID(),
            sku,
            slug,
            name,
            description,
            priceMinor,
            category: tx.getReference(Category, category.id),
            inStock: false,
            createdAt: now,
            updatedAt: now,
          });
          recordEvent<ProductChangedV1>(
            tx,
            PRODUCT_CREATED_V1,
            created.id,
            this.payload(created, category.id),
          );
          return created;
        },
      });
    } catch (error) {
      // Two admins creating the same SKU at once: the unique index decides.
      if (violatedConstraint(error) === 'product_sku_lower_unique')
        throw conflict(`sku "${sku}" is already used`);
      throw error;
    }
    this.deps.relay.nudge();
    return product;
  }

  /**
   * Changes a product (ADMIN) and records `products.product.updated.v1` in the same transaction;
   * an input that changes nothing writes nothing. The slug is kept: links and bookmarks to the
   * product must keep working after a rename. NOT_FOUND for an unknown id.
   */
  async update(ctx: Context, id: string, input: UpdateProduct): Promise<Product> {
    requireRole(ctx.viewer, 'ADMIN');
    const changes: Partial<Pick<Product, 'name' | 'description' | 'priceMinor'>> = {};
    if (input.name !== undefined) {
      if (input.name === null) throw badUserInput('name cannot be null', 'name');
      changes.name = this.name(input.name);
    }
    if (input.description !== undefined) changes.description = this.description(input.description);
    if (input.price !== undefined) {
      if (input.price === null) throw badUserInput('price cannot be null', 'price');
      changes.priceMinor = this.price(input.price);
    }
    let categoryId: string | undefined;
    if (input.categoryId !== undefined) {
      if (input.categoryId === null) throw badUserInput('categoryId cannot be null', 'categoryId');
      categoryId = (await this.deps.categories.require(ctx, input.categoryId)).id;
    }
    if (!isId(id)) throw notFound('No product with this id');

    let changed = false;
    const product = await ctx.em.transactional(async (tx) => {
      // The row lock orders concurrent updates of one product, so their events leave in commit order.
      const found = await tx.findOne(Product, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw notFound('No product with this id');
      if (changes.name !== undefined && changes.name !== found.name) {
        found.name = changes.name;
        changed = true;
      }
      if (changes.description !== undefined && changes.description !== found.description) {
        found.description = changes.description;
        changed = true;
      }
      if (changes.priceMinor !== undefined && changes.priceMinor !== found.priceMinor) {
        found.priceMinor = changes.priceMinor;
        changed = true;
      }
      if (categoryId !== undefined && found.category.id !== categoryId) {
        found.category = tx.getReference(Category, categoryId);
        changed = true;
      }
      if (changed) {
        found.updatedAt = new Date();
        recordEvent<ProductChangedV1>(
          tx,
          PRODUCT_UPDATED_V1,
          found.id,
          this.payload(found, found.category.id),
        );
      }
      return found;
    });
    if (changed) this.deps.relay.nudge();
    return product;
  }

  /**
   * Applies inventory's stock change to the `in_stock` projection behind `filter.inStock`, unless a
   * newer change was applied already (events of one product arrive in order on their partition,
   * but a replay or a re-published old event must not win). Equal `changedAt` applies: the later
   * delivery is the later event. An unknown product is ignored (nothing to filter). Returns true
   * when the row changed.
   */
  async recordStock(em: EntityManager, stock: StockChangedV1): Promise<boolean> {
    if (!isId(stock.productId)) return false;
    const updated = await em.getConnection().execute(
      `update product set in_stock = ?, stock_changed_at = ?::timestamptz
         where id = ?::uuid and (stock_changed_at is null or stock_changed_at <= ?::timestamptz)`,
      [stock.available > 0, stock.changedAt, stock.productId, stock.changedAt],
      'run',
      em.getTransactionContext(),
    );
    return (updated as { affectedRows?: number }).affectedRows !== 0;
  }

  private payload(product: Product, categoryId: string): ProductChangedV1 {
    return {
      productId: product.id,
      sku: product.sku,
      name: product.name,
      slug: product.slug,
      priceMinor: product.priceMinor,
      currencyCode: this.currency,
      categoryId,
      occurredAt: product.updatedAt.toISOString(),
    };
  }

  private async skuTaken(em: EntityManager, sku: string): Promise<boolean> {
    const rows = await em
      .getConnection()
      .execute(`select 1 from product where lower(sku) = lower(?) limit 1`, [sku]);
    return rows.length > 0;
  }

  private name(value: string): string {
    const name = value.trim();
    if (name.length < 1 || name.length > MAX_NAME) {
      throw badUserInput(`name must be 1 to ${MAX_NAME} characters`, 'name');
    }
    return name;
  }

  /** A blank description is no description. */
  private description(value: string | null | undefined): string | null {
    if (value == null || value.trim() === '') return null;
    if (value.length > MAX_DESCRIPTION) {
      throw badUserInput(`description must be at most ${MAX_DESCRIPTION} characters`, 'description');
    }
    return value;
  }

  private price(value: string): number {
    const minor = parseDecimal(value, this.currency, 'price');
    if (minor <= 0) throw badUserInput('price must be greater than zero', 'price');
    if (minor > MAX_PRICE_MINOR) throw badUserInput('price is too high', 'price');
    return minor;
  }

  /** A price filter bound in minor units: a decimal, not negative. */
  private priceBound(value: string | null | undefined, field: 'minPrice' | 'maxPrice'): number | undefined {
    if (value == null) return undefined;
    const minor = parseDecimal(value, this.currency, field);
    if (minor < 0) throw badUserInput(`${field} must not be negative`, field);
    return minor;
  }
}
