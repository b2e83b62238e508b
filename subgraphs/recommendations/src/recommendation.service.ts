import type { EntityManager } from '@shop/platform';
import type { OrderCancelledV1, OrderConfirmedV1, ProductChangedV1 } from '@shop/schema';
import type { CountedLine } from './recommendation.entity.js';

/** A Product.recommendations request: the product and how many to return. */
export interface RecommendationRequest {
  productId: string;
  first: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A GraphQL id as stored (uuids are compared lower-case), or undefined when it cannot name a row. */
const asUuid = (id: string): string | undefined => {
  const lower = id.toLowerCase();
  return UUID.test(lower) ? lower : undefined;
};

/** The lines of an order with each product once (quantities added), in a stable order. */
export function countedLines(items: readonly { productId: string; quantity: number }[]): CountedLine[] {
  const units = new Map<string, number>();
  for (const { productId, quantity } of items) {
    const id = productId.toLowerCase();
    units.set(id, (units.get(id) ?? 0) + quantity);
  }
  return [...units.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([productId, quantity]) => ({ productId, quantity }));
}

/** Every ordered pair (a, b) of distinct products of `lines`: both directions, sorted. */
export function productPairs(lines: readonly CountedLine[]): { a: string; b: string }[] {
  const pairs: { a: string; b: string }[] = [];
  for (const x of lines)
    for (const y of lines) if (x.productId !== y.productId) pairs.push({ a: x.productId, b: y.productId });
  return pairs;
}

/** Runs SQL inside `em`'s transaction (if any). */
const run = <T>(em: EntityManager, sql: string, params: unknown[]) =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

/**
 * Adds (`sign` 1) or takes back (`sign` -1) one order's lines from the statistics. Every write is an
 * upsert adding to the stored number (`n = n + excluded.n`), so concurrent orders touching the same
 * rows add up exactly (the row lock serialises them) instead of overwriting each other. Rows are
 * written in key order, tables always in the same order, so two such transactions cannot deadlock.
 */
async function applyLines(em: EntityManager, customerId: string, lines: CountedLine[], sign: 1 | -1) {
  if (lines.length === 0) return;
  const pairs = productPairs(lines).map(({ a, b }) => ({ a, b, n: sign }));
  if (pairs.length > 0) {
    await run(
      em,
      `insert into co_purchase (product_id, other_id, order_count)
         select a, b, n from jsonb_to_recordset(cast(? as jsonb)) as x(a uuid, b uuid, n int) order by a, b
       on conflict (product_id, other_id) do update set order_count = co_purchase.order_count + excluded.order_count`,
      [JSON.stringify(pairs)],
    );
  }
  const units = JSON.stringify(lines.map((l) => ({ id: l.productId, n: sign * l.quantity })));
  await run(
    em,
    `insert into product_sales (product_id, units_sold)
       select id, n from jsonb_to_recordset(cast(? as jsonb)) as x(id uuid, n int) order by id
     on conflict (product_id) do update set units_sold = product_sales.units_sold + excluded.units_sold`,
    [units],
  );
  await run(
    em,
    `insert into customer_purchase (customer_id, product_id, units_bought)
       select ?, id, n from jsonb_to_recordset(cast(? as jsonb)) as x(id uuid, n int) order by id
     on conflict (customer_id, product_id)
       do update set units_bought = customer_purchase.units_bought + excluded.units_bought`,
    [customerId, units],
  );
}

/**
 * The co-purchase statistics: written by the consumers (inside `applyOnce`'s transaction, so each
 * event counts once), read by the resolvers.
 */
export const recommendationService = {
  /**
   * Counts a confirmed order: every unordered pair of its distinct products (stored both ways), the
   * units of each product, and what the customer bought. Nothing when the order was counted already
   * or its cancellation arrived first (see CountedOrder).
   */
  async countConfirmed(em: EntityManager, order: OrderConfirmedV1): Promise<void> {
    const lines = countedLines(order.items);
    const inserted = await run<{ order_id: string }>(
      em,
      `insert into counted_order (order_id, customer_id, lines, cancelled) values (?, ?, cast(? as jsonb), false)
       on conflict (order_id) do nothing returning order_id`,
      [order.orderId, order.customerId, JSON.stringify(lines)],
    );
    if (inserted.length > 0) await applyLines(em, order.customerId.toLowerCase(), lines, 1);
  },

  /**
   * Takes a cancelled order back out of the statistics when it had been confirmed (`previousStatus`
   * CONFIRMED; an order cancelled earlier was never counted). When the confirmation has not arrived
   * yet, leaves a tombstone so it never will be counted.
   */
  async uncountCancelled(em: EntityManager, order: OrderCancelledV1): Promise<void> {
    if (order.previousStatus !== 'CONFIRMED') return;
    // Inserting the tombstone returns its empty lines; hitting a counted order flips it to cancelled
    // and returns the lines that were counted (a second cancellation matches nothing).
    const rows = await run<{ lines: CountedLine[] }>(
      em,
      `insert into counted_order (order_id, customer_id, lines, cancelled) values (?, ?, '[]'::jsonb, true)
       on conflict (order_id) do update set cancelled = true where counted_order.cancelled = false
       returning lines`,
      [order.orderId, order.customerId],
    );
    const lines = rows[0]?.lines ?? [];
    await applyLines(
      em,
      order.customerId.toLowerCase(),
      typeof lines === 'string' ? JSON.parse(lines) : lines,
      -1,
    );
  },

  /** Keeps the product -> category projection; an event older than the stored row changes nothing. */
  async learnCategory(em: EntityManager, product: ProductChangedV1): Promise<void> {
    await run(
      em,
      `insert into product_category (product_id, category_id, changed_at) values (?, ?, ?)
       on conflict (product_id) do update set category_id = excluded.category_id, changed_at = excluded.changed_at
         where product_category.changed_at <= excluded.changed_at`,
      [product.productId, product.categoryId, product.occurredAt],
    );
  },

  /**
   * Recommendations for many products in ONE query: per product, those bought together with it
   * most often (then more units sold, then id), never itself, then its category's products by
   * units sold (then id). Returns product id -> ids, each list as long as the largest `first` asked
   * for that product (callers slice). Unknown or malformed ids get an empty list.
   */
  async forProducts(
    em: EntityManager,
    requests: readonly RecommendationRequest[],
  ): Promise<Map<string, string[]>> {
    const limits = new Map<string, number>();
    for (const r of requests) {
      const id = asUuid(r.productId);
      if (id) limits.set(id, Math.max(limits.get(id) ?? 0, r.first));
    }
    const result = new Map<string, string[]>([...limits.keys()].map((id) => [id, []]));
    if (limits.size === 0) return result;
    const input = JSON.stringify([...limits].map(([product_id, lim]) => ({ product_id, lim })));
    const rows = await em.execute<{ for_id: string; id: string }[]>(
      `with input as (
         select product_id, lim from jsonb_to_recordset(cast(? as jsonb)) as x(product_id uuid, lim int)
       ),
       candidates as (
         select i.product_id as for_id, c.other_id as id, 0 as tier, c.order_count as together
           from input i join co_purchase c on c.product_id = i.product_id
          where c.order_count > 0 and c.other_id <> i.product_id
         union all
         select i.product_id, pc.product_id, 1, 0
           from input i
           join product_category mine on mine.product_id = i.product_id
           join product_category pc on pc.category_id = mine.category_id
          where pc.product_id <> i.product_id
       ),
       best as (
         select distinct on (for_id, id) for_id, id, tier, together from candidates order by for_id, id, tier
       ),
       ranked as (
         select b.for_id, b.id, row_number() over (
                  partition by b.for_id
                  order by b.tier, b.together desc, coalesce(s.units_sold, 0) desc, b.id) as rank
           from best b left join product_sales s on s.product_id = b.id
       )
       select r.for_id, r.id from ranked r join input i on i.product_id = r.for_id
        where r.rank <= i.lim
        order by r.for_id, r.rank`,
      [input],
    );
    for (const row of rows) result.get(row.for_id)?.push(row.id);
    return result;
  },

  /**
   * Recommendations for a customer: products bought together with anything they bought (summed over
   * their purchases), then the categories they bought from by units sold, then the overall best
   * sellers; never a product they bought. Ties: more units sold, then id.
   */
  async forCustomer(em: EntityManager, customerId: string, first: number): Promise<string[]> {
    const id = asUuid(customerId);
    if (!id) return [];
    const rows = await em.execute<{ id: string }[]>(
      `with bought as (
         select product_id from customer_purchase where customer_id = ? and units_bought > 0
       ),
       candidates as (
         select c.other_id as id, 0 as tier, sum(c.order_count) as together
           from co_purchase c join bought b on b.product_id = c.product_id
          where c.order_count > 0
          group by c.other_id
         union all
         select pc.product_id, 1, 0
           from product_category pc
          where pc.category_id in (
            select mine.category_id from product_category mine join bought b on b.product_id = mine.product_id)
         union all
         select s.product_id, 2, 0 from product_sales s where s.units_sold > 0
       ),
       best as (
         select distinct on (id) id, tier, together from candidates
          where id not in (select product_id from bought)
          order by id, tier
       )
       select b.id from best b left join product_sales s on s.product_id = b.id
        order by b.tier, b.together desc, coalesce(s.units_sold, 0) desc, b.id
        limit ?`,
      [id, first],
    );
    return rows.map((r) => r.id);
  },
};
export type RecommendationService = typeof recommendationService;
