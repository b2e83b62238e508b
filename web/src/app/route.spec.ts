import { describe, expect, it } from '@jest/globals';
import { catalogHref, parseRoute } from './route';

describe('parseRoute', () => {
  it('reads the catalog search, category and sort from the query string', () => {
    expect(parseRoute('/', '?q=wire+head&category=c1&sort=PRICE_ASC')).toEqual({
      page: 'catalog',
      query: 'wire head',
      categoryId: 'c1',
      sort: 'PRICE_ASC',
    });
    expect(parseRoute('/', '')).toEqual({ page: 'catalog', query: '', categoryId: '', sort: '' });
  });

  it('reads a product id, decoded, and calls anything else not found', () => {
    expect(parseRoute('/products/a%2Fb', '')).toEqual({ page: 'product', id: 'a/b' });
    expect(parseRoute('/products/p1/', '')).toEqual({ page: 'product', id: 'p1' });
    expect(parseRoute('/nowhere', '')).toEqual({ page: 'not-found' });
  });
});

describe('catalogHref', () => {
  it('leaves empty values out and round-trips through parseRoute', () => {
    expect(catalogHref({})).toBe('/');
    const href = catalogHref({ query: 'mug & cup', categoryId: '', sort: 'NAME_ASC' });
    expect(href).toBe('/?q=mug+%26+cup&sort=NAME_ASC');
    const url = new URL(href, 'http://shop');
    expect(parseRoute(url.pathname, url.search)).toMatchObject({ query: 'mug & cup', sort: 'NAME_ASC' });
  });
});

describe('parseRoute for the shopper pages', () => {
  it('reads orders, cart and checkout, and accepts only a local path after sign-in', () => {
    expect(parseRoute('/orders/o1', '')).toEqual({ page: 'order', id: 'o1' });
    expect(parseRoute('/cart', '')).toEqual({ page: 'cart' });
    expect(parseRoute('/sign-in', '?next=%2Fcheckout')).toEqual({ page: 'sign-in', next: '/checkout' });
    expect(parseRoute('/sign-up', '?next=https://evil.example')).toEqual({ page: 'sign-up', next: '/' });
    expect(parseRoute('/sign-in', '?next=//evil.example')).toEqual({ page: 'sign-in', next: '/' });
  });
});
