/** A route of the storefront, parsed from the location. */
export type Route =
  | { page: 'catalog'; query: string; categoryId: string; sort: string }
  | { page: 'product'; id: string }
  | { page: 'sign-in' | 'sign-up'; next: string }
  | { page: 'cart' }
  | { page: 'checkout' }
  | { page: 'order'; id: string }
  | { page: 'admin' }
  | { page: 'not-found' };

/** Only a path of this storefront may follow a sign-in (never another origin). */
const safeNext = (next: string | null) => (next && /^\/(?!\/)/.test(next) ? next : '/');

/** Parses a path and query string into a route; unknown paths are `not-found`. */
export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  if (pathname === '/' || pathname === '') {
    return {
      page: 'catalog',
      query: params.get('q') ?? '',
      categoryId: params.get('category') ?? '',
      sort: params.get('sort') ?? '',
    };
  }
  if (pathname === '/sign-in' || pathname === '/sign-up')
    return { page: pathname.slice(1) as 'sign-in' | 'sign-up', next: safeNext(params.get('next')) };
  if (pathname === '/cart') return { page: 'cart' };
  if (pathname === '/checkout') return { page: 'checkout' };
  if (pathname === '/admin') return { page: 'admin' };
  const match = /^\/(products|orders)\/([^/]+)\/?$/.exec(pathname);
  if (match)
    return { page: match[1] === 'products' ? 'product' : 'order', id: decodeURIComponent(match[2]!) };
  return { page: 'not-found' };
}

/** The catalog's URL for a search, a category and a sort (empty values left out). */
export function catalogHref(options: { query?: string; categoryId?: string; sort?: string }): string {
  const params = new URLSearchParams();
  if (options.query) params.set('q', options.query);
  if (options.categoryId) params.set('category', options.categoryId);
  if (options.sort) params.set('sort', options.sort);
  const search = params.toString();
  return search ? `/?${search}` : '/';
}

/** The sign-in page, coming back to `next` afterwards. */
export const signInHref = (next: string) => `/sign-in?next=${encodeURIComponent(next)}`;
