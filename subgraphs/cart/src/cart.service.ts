import { badUserInput, parseDecimal, projectionLookup } from '@shop/platform';
import type { OrderPlacedV1, ProductChangedV1 } from '@shop/schema';
import { priceCart, type CartView } from './cart.pricing.js';
import {
  PROCESSED_EVENT_TTL_SECONDS,
  type CartRepository,
  type ChangeResult,
  type StoredLine,
} from './cart.repository.js';
import type { ProductPrice, ProductPriceRepository } from './product-price.repository.js';

/** Units per line: 1 to this. */
export const MAX_QUANTITY = 100;
/** Lines per cart at most. */
export const MAX_LINES = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Product ids are UUIDs; anything else names no product. */
export const isProductId = (id: string): boolean => UUID.test(id);

/** The canonical spelling of a product id (products prints UUIDs in lower case). */
export const normalizeProductId = (id: string): string => id.toLowerCase();

/** A product as products' `_entities` answers for cart's selection. */
export interface RemoteProduct {
  id: string;
  price: { amount: string; currencyCode: string };
  /** When the product's catalog data last changed: the version of this price. */
  updatedAt: string;
}

/**
 * The selection cart asks products' `_entities` for (see `RemoteProduct`). `updatedAt` is the
 * instant products also sends as `occurredAt` in its events, so a price learned here and a price
 * from an event compare by the same clock.
 */
export const REMOTE_PRODUCT_SELECTION = 'id price { amount currencyCode } updatedAt';

/**
 * Asks the products subgraph for products by id (its `_entities`): one entry per id, null for ids
 * it does not know. Built with the kit's `remoteEntities`.
 */
export type FetchProducts = (
  ids: readonly string[],
  headers?: Record<string, string>,
) => Promise<(RemoteProduct | null)[]>;

/** Who is asking: the customer whose cart it is, and the headers to pass on to products. */
export interface Caller {
  customerId: string;
  /** Forwarded to products' `_entities` (authorization, request id). */
  headers: Record<string, string>;
}

export interface CartServiceOptions {
  carts: CartRepository;
  prices: ProductPriceRepository;
  fetchProducts: FetchProducts;
  /** The store currency: an empty cart's subtotal is 0 in it. */
  currency: string;
}

export type CartService = ReturnType<typeof createCartService>;

/** What an order event did to the cart: lines removed, or why it was skipped. */
export type OrderedRemoval = { removed: number } | { skipped: 'duplicate' | 'too-old' };

function priceOf(product: RemoteProduct): ProductPrice {
  const versionMs = Date.parse(product.updatedAt);
  if (Number.isNaN(versionMs)) throw new Error(`products answered a bad updatedAt for ${product.id}`);
  let priceMinor: number;
  try {
    priceMinor = parseDecimal(product.price.amount, product.price.currencyCode, 'price');
  } catch {
    // Products' bug, not the caller's: no BAD_USER_INPUT for it.
    throw new Error(`products answered a bad price for ${product.id}`);
  }
  return {
    productId: normalizeProductId(product.id),
    priceMinor,
    currencyCode: product.price.currencyCode,
    versionMs,
  };
}

/** The cart of each signed-in customer, and what cart learns from events. */
export function createCartService({ carts, prices, fetchProducts, currency }: CartServiceOptions) {
  /**
   * Prices of `ids`: the local projection first (ONE `HMGET` for all of them), then products'
   * `_entities` for the misses, whose answers are stored. No entry for ids products does not know.
   */
  const lookupPrices = (ids: readonly string[], headers: Record<string, string>) =>
    projectionLookup<ProductPrice>({
      findLocal: (wanted) => prices.find(wanted),
      fetchRemote: async (missing) =>
        (await fetchProducts(missing, headers)).map((product) => (product ? priceOf(product) : null)),
      saveLocal: async (learned) => void (await prices.saveIfNewer(learned)),
      idOf: (price) => price.productId,
    })(ids);

  async function view(caller: Caller, lines: readonly StoredLine[]): Promise<CartView> {
    const found = lines.length
      ? await lookupPrices(
          lines.map((line) => line.productId),
          caller.headers,
        )
      : new Map<string, ProductPrice>();
    return priceCart(caller.customerId, lines, found, currency);
  }

  async function changed(caller: Caller, result: ChangeResult, productId: string, quantity: number) {
    if ('lines' in result) return view(caller, result.lines);
    switch (result.refused) {
      case 'LINE_TOO_BIG':
        throw badUserInput(
          `The cart holds ${result.currentQuantity} of this product; adding ${quantity} would pass ${MAX_QUANTITY}`,
          'quantity',
        );
      case 'TOO_MANY_LINES':
        throw badUserInput(`A cart holds at most ${MAX_LINES} different products`, 'productId');
      case 'NOT_IN_CART':
        throw badUserInput(`The product ${productId} is not in the cart`, 'productId');
    }
  }

  return {
    /** The caller's cart, empty when they have none. */
    async get(caller: Caller): Promise<CartView> {
      return view(caller, await carts.lines(caller.customerId));
    },

    /**
     * Adds units of a product (a new line goes last; an existing line keeps its place). BAD_USER_INPUT,
     * changing nothing: quantity not 1..100 (`quantity`), an id that names no product (`productId`;
     * the price projection, then products, decide), the line passing 100 units (`quantity`), a 51st
     * line (`productId`). The existence check comes first (products are never deleted, so it cannot
     * go stale); the limits and the write are one atomic Redis script.
     */
    async add(caller: Caller, rawProductId: string, quantity: number): Promise<CartView> {
      if (quantity < 1 || quantity > MAX_QUANTITY) {
        throw badUserInput(`quantity must be 1 to ${MAX_QUANTITY}`, 'quantity');
      }
      if (!isProductId(rawProductId))
        throw badUserInput(`No product has the id ${rawProductId}`, 'productId');
      const productId = normalizeProductId(rawProductId);
      if (!(await lookupPrices([productId], caller.headers)).has(productId)) {
        throw badUserInput(`No product has the id ${productId}`, 'productId');
      }
      return changed(caller, await carts.add(caller.customerId, productId, quantity), productId, quantity);
    },

    /**
     * Sets a line's quantity; 0 removes the line. BAD_USER_INPUT, changing nothing: quantity not
     * 0..100 (`quantity`), a product with no line in the cart (`productId`).
     */
    async update(caller: Caller, rawProductId: string, quantity: number): Promise<CartView> {
      if (quantity < 0 || quantity > MAX_QUANTITY) {
        throw badUserInput(`quantity must be 0 to ${MAX_QUANTITY}`, 'quantity');
      }
      const productId = normalizeProductId(rawProductId);
      return changed(
        caller,
        await carts.setQuantity(caller.customerId, productId, quantity),
        productId,
        quantity,
      );
    },

    /** Removes a product's line; idempotent (a product not in the cart changes nothing). */
    async remove(caller: Caller, rawProductId: string): Promise<CartView> {
      return view(caller, await carts.remove(caller.customerId, normalizeProductId(rawProductId)));
    },

    /** Empties the cart. */
    async clear(caller: Caller): Promise<CartView> {
      await carts.clear(caller.customerId);
      return view(caller, []);
    },

    /**
     * `products.product.created.v1` / `.updated.v1`: stores the product's price unless a newer one
     * is stored (compared by the change's `occurredAt`). Resolves true when it was written.
     */
    async recordPrice(product: ProductChangedV1): Promise<boolean> {
      const written = await prices.saveIfNewer([
        {
          productId: normalizeProductId(product.productId),
          priceMinor: product.priceMinor,
          currencyCode: product.currencyCode,
          versionMs: Date.parse(product.occurredAt),
        },
      ]);
      return written > 0;
    },

    /**
     * `orders.order.placed.v1`: the ordered units leave the customer's cart, once per event
     * (`eventId` recorded atomically with the change, remembered for 7 days). A line keeps the units
     * beyond the ordered quantity (the customer added the product again before the event came, or
     * ordered fewer than the cart held); a line with no more goes. An order placed
     * longer ago than that is skipped: its record would have expired, so it cannot be told apart
     * from a replay (a reset consumer group), and removing lines then could take away what the
     * customer added since.
     */
    async removeOrdered(eventId: string, order: OrderPlacedV1, now = Date.now()): Promise<OrderedRemoval> {
      if (now - Date.parse(order.placedAt) > PROCESSED_EVENT_TTL_SECONDS * 1000) {
        return { skipped: 'too-old' };
      }
      const ordered = new Map<string, number>();
      for (const item of order.items) {
        const id = normalizeProductId(item.productId);
        ordered.set(id, (ordered.get(id) ?? 0) + item.quantity);
      }
      const removed = await carts.removeOrdered(order.customerId, eventId, ordered);
      return removed === null ? { skipped: 'duplicate' } : { removed };
    },
  };
}
