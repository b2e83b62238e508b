/** A route of the storefront, parsed from the location. */
export type Route =
  | { page: 'catalog'; query: string; categoryId: string; sort: string }
  | { page: 'product'; id: string }
  | { page: 'not-found' };

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
  const product = /^\/products\/([^/]+)\/?$/.exec(pathname);
  if (product) return { page: 'product', id: decodeURIComponent(product[1]!) };
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
