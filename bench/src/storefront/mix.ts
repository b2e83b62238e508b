/**
 * The storefront benchmark's mix: what a virtual user sends, session by session. A virtual user
 * alternates a guest session and a signed-in one (carts are the signed-in customer's: the API has
 * no guest carts), so half the sessions are signed in. A guest browses and looks at product pages;
 * a signed-in customer also fills the cart twice and checks out twice. The two sessions of a pair
 * hold exactly 20 browse : 10 product page : 6 cart : 2 checkout requests, the 10:5:3:1 ratio by
 * request; the order inside a session comes from the seeded generator.
 */
import type { Random } from '../soak/load.js';

export type Kind = 'browse' | 'product' | 'cart' | 'checkout';
export const KINDS: readonly Kind[] = ['browse', 'product', 'cart', 'checkout'];

/** The mix by request: browse/search 10 : product page 5 : cart 3 : checkout 1. */
export const RATIO: Readonly<Record<Kind, number>> = { browse: 10, product: 5, cart: 3, checkout: 1 };

/** How a browse request lists products: one category (sorted), a search, the next page of the last list. */
export type ListingVariant = 'category' | 'search' | 'nextPage';

export type Step =
  | { kind: 'browse'; op: 'Categories' }
  | { kind: 'browse'; op: 'Products'; variant: ListingVariant }
  | { kind: 'product'; op: 'Product' | 'ForYou' }
  | { kind: 'cart'; op: 'AddToCart' | 'UpdateCartItem' | 'Cart' }
  | { kind: 'checkout'; op: 'PlaceOrder' };

export type Operation = Step['op'];
export const OPERATIONS: readonly Operation[] = [
  'Categories',
  'Products',
  'Product',
  'ForYou',
  'AddToCart',
  'UpdateCartItem',
  'Cart',
  'PlaceOrder',
];

/** A guest session: browse and product pages only. */
export const GUEST_SESSION = { browse: 12, product: 6 } as const;
/**
 * A signed-in session: fewer pages, and two purchases, each AddToCart, UpdateCartItem, Cart (three
 * cart requests), then PlaceOrder of that line. One of its product-page requests is ForYou.
 */
export const SIGNED_IN_SESSION = { browse: 8, product: 4, purchases: 2 } as const;
export const PURCHASE: readonly Step[] = [
  { kind: 'cart', op: 'AddToCart' },
  { kind: 'cart', op: 'UpdateCartItem' },
  { kind: 'cart', op: 'Cart' },
  { kind: 'checkout', op: 'PlaceOrder' },
];

function browseStep(rng: Random): Step {
  const roll = rng.next();
  if (roll < 0.2) return { kind: 'browse', op: 'Categories' };
  if (roll < 0.6) return { kind: 'browse', op: 'Products', variant: 'category' };
  if (roll < 0.85) return { kind: 'browse', op: 'Products', variant: 'search' };
  return { kind: 'browse', op: 'Products', variant: 'nextPage' };
}

function shuffle<T>(items: T[], rng: Random): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Interleaves `a` and `b` at random, each keeping its own order; the result starts with `a[0]`
 * (a visit starts on a page, not in the cart).
 */
export function interleave<T>(a: readonly T[], b: readonly T[], rng: Random): T[] {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  if (a.length > 0) out.push(a[i++]!);
  while (i < a.length || j < b.length) {
    const leftA = a.length - i;
    const leftB = b.length - j;
    if (leftB === 0 || (leftA > 0 && rng.next() < leftA / (leftA + leftB))) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** One session's requests, in the order they are sent. */
export function sessionPlan(signedIn: boolean, rng: Random): Step[] {
  const shape = signedIn ? SIGNED_IN_SESSION : GUEST_SESSION;
  const pages: Step[] = [
    ...Array.from({ length: shape.browse }, () => browseStep(rng)),
    ...Array.from({ length: shape.product }, (_, n): Step => ({
      kind: 'product',
      op: signedIn && n === 0 ? 'ForYou' : 'Product',
    })),
  ];
  shuffle(pages, rng);
  if (!signedIn) return pages;
  const purchases = Array.from({ length: SIGNED_IN_SESSION.purchases }, () => PURCHASE).flat();
  return interleave(pages, purchases, rng);
}

/** Requests by kind in `steps`. */
export function countKinds(steps: readonly { kind: Kind }[]): Record<Kind, number> {
  const counts: Record<Kind, number> = { browse: 0, product: 0, cart: 0, checkout: 0 };
  for (const step of steps) counts[step.kind] += 1;
  return counts;
}
