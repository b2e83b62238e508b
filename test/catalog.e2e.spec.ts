import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { errorCodes } from '../platform/src/testing/graphql-client.js';
import { DEV_ADMIN } from '../scripts/stack.js';
import { seedCatalog } from '../scripts/seed.js';
import { contract } from './support/contract.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { useStack } from './support/stack.js';

// The catalog through the router on the real stack: products joined with inventory.
const api = useStack();

// The contract's Product operation also asks for recommendations, which the order flow brings.
const PRODUCT =
  'query($id: ID!) { product(id: $id) { id name price { amount currencyCode } availableQuantity inStock } }';
const CREATE_CATEGORY =
  'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id slug name } }';

describe('catalog through the router', () => {
  let admin: string;
  let customer: string;
  let category: { id: string; slug: string };
  const tag = randomUUID().slice(0, 8);
  const made: Record<string, { id: string; slug: string; sku: string }> = {};

  async function createProduct(key: string, input: { name: string; description?: string; price: string }) {
    const sku = `T${tag}-${String(key.charCodeAt(0)).padStart(4, '0')}`.toUpperCase();
    const response = await api.request(
      contract('CreateProduct'),
      { input: { ...input, sku, categoryId: category.id } },
      admin,
    );
    expect(response.errors).toBeUndefined();
    made[key] = { id: response.data.createProduct.id, slug: response.data.createProduct.slug, sku };
    return response.data.createProduct;
  }

  beforeAll(async () => {
    admin = await api.adminToken();
    customer = (await api.registerCustomer()).accessToken;
    const created = await api.request(CREATE_CATEGORY, { input: { name: `Test Audio ${tag}` } }, admin);
    category = created.data.createCategory;
    await createProduct('a', {
      name: `Zyphor${tag} Wireless Headphones`,
      description: 'Over-ear, noise cancelling.',
      price: '199.99',
    });
    await createProduct('b', {
      name: `Zyphor${tag} Wired Earbuds`,
      description: 'Tangle-free cable.',
      price: '19.50',
    });
    await createProduct('c', {
      name: `Plain${tag} Speaker Stand`,
      description: `Fits any zyphor${tag} speaker.`,
      price: '45.00',
    });
  });

  it('creates a product (admin) with a derived slug and a Money price, usable by inventory at once', async () => {
    const response = await api.request(contract('ProductBySlug'), { slug: made.a!.slug });
    expect(response.data.product).toEqual({
      id: made.a!.id,
      slug: made.a!.slug,
      name: `Zyphor${tag} Wireless Headphones`,
    });
    expect(made.a!.slug).toBe(`zyphor${tag}-wireless-headphones`);

    const stock = await api.request(contract('AdjustStock'), { productId: made.a!.id, delta: 5 }, admin);
    expect(stock.errors).toBeUndefined();
    expect(stock.data.adjustStock).toEqual({
      id: made.a!.id,
      name: `Zyphor${tag} Wireless Headphones`,
      availableQuantity: 5,
      inStock: true,
    });
  });

  it('refuses admin-only mutations to a customer (FORBIDDEN) and to an anonymous caller (UNAUTHENTICATED), changing nothing', async () => {
    const input = { sku: `T${tag}-NOPE`, name: 'Nope', price: '1.00', categoryId: category.id };
    for (const [token, code] of [
      [customer, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(errorCodes(await api.request(contract('CreateProduct'), { input }, token))).toEqual([code]);
      expect(
        errorCodes(
          await api.request(contract('UpdateProduct'), { id: made.b!.id, input: { price: '0.01' } }, token),
        ),
      ).toEqual([code]);
      expect(
        errorCodes(await api.request(contract('AdjustStock'), { productId: made.b!.id, delta: 1000 }, token)),
      ).toEqual([code]);
    }
    const product = await api.request(PRODUCT, { id: made.b!.id });
    expect(product.data.product).toMatchObject({
      price: { amount: '19.50', currencyCode: 'USD' },
      availableQuantity: 0,
      inStock: false,
    });
    const search = await api.request(contract('Products'), { filter: { query: `T${tag}-NOPE` } });
    expect(search.data.products.totalCount).toBe(0);
  });

  it('never lets stock go below what is on hand and reserved', async () => {
    await api.request(contract('AdjustStock'), { productId: made.c!.id, delta: 3 }, admin);
    const below = await api.request(contract('AdjustStock'), { productId: made.c!.id, delta: -4 }, admin);
    expect(errorCodes(below)).toEqual(['BAD_USER_INPUT']);
    const unknown = await api.request(contract('AdjustStock'), { productId: randomUUID(), delta: 1 }, admin);
    expect(errorCodes(unknown)).toEqual(['BAD_USER_INPUT']);
    const product = await api.request(PRODUCT, { id: made.c!.id });
    expect(product.data.product.availableQuantity).toBe(3);
  });

  it('updates a product (admin)', async () => {
    const response = await api.request(
      contract('UpdateProduct'),
      { id: made.b!.id, input: { price: '17.25' } },
      admin,
    );
    expect(response.data.updateProduct).toEqual({
      id: made.b!.id,
      name: `Zyphor${tag} Wired Earbuds`,
      price: { amount: '17.25', currencyCode: 'USD' },
    });
  });

  it('searches name, description and SKU by word prefix, best match first', async () => {
    const byPrefix = await api.request(contract('Products'), { filter: { query: `zyphor${tag} wire` } });
    expect(byPrefix.errors).toBeUndefined();
    const names = byPrefix.data.products.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(names.sort()).toEqual([`Zyphor${tag} Wired Earbuds`, `Zyphor${tag} Wireless Headphones`]);

    const ranked = await api.request(contract('Products'), { filter: { query: `ZYPHOR${tag}` } });
    const rankedNames = ranked.data.products.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(ranked.data.products.totalCount).toBe(3);
    // Name matches outrank the description-only match.
    expect(rankedNames[2]).toBe(`Plain${tag} Speaker Stand`);

    // A whole SKU, in any case, finds its product.
    const bySku = await api.request(contract('Products'), { filter: { query: made.c!.sku.toLowerCase() } });
    expect(bySku.data.products.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([made.c!.id]);
  });

  it('filters by category, price and stock, and sorts', async () => {
    const byPrice = await api.request(contract('Products'), {
      filter: { categoryId: category.id, minPrice: '18.00', maxPrice: '100' },
      sort: 'PRICE_ASC',
    });
    expect(byPrice.data.products.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([made.c!.id]);

    const sorted = await api.request(contract('Products'), {
      filter: { categoryId: category.id },
      sort: 'PRICE_DESC',
    });
    expect(
      sorted.data.products.edges.map((e: { node: { price: { amount: string } } }) => e.node.price.amount),
    ).toEqual(['199.99', '45.00', '17.25']);

    // a and c have stock (adjusted above); b has none. The inStock filter follows stock events.
    await waitFor(async () => {
      const inStock = await api.request(contract('Products'), {
        filter: { categoryId: category.id, inStock: true },
        sort: 'NAME_ASC',
      });
      const ids = inStock.data?.products.edges.map((e: { node: { id: string } }) => e.node.id);
      return JSON.stringify(ids) === JSON.stringify([made.c!.id, made.a!.id]);
    });
  });

  it('refuses bad listing input with BAD_USER_INPUT', async () => {
    expect(errorCodes(await api.request(contract('Products'), { first: 101 }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await api.request(contract('Products'), { after: 'definitely-not-a-cursor' }))).toEqual(
      ['BAD_USER_INPUT'],
    );
    expect(
      errorCodes(await api.request(contract('Products'), { filter: { categoryId: randomUUID() } })),
    ).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await api.request(contract('Products'), { filter: { minPrice: '12.345' } }))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });

  it('loads the demo catalog once, then pages through all of it with stock joined from inventory', async () => {
    const first = await seedCatalog(api.stack.routerUrl, DEV_ADMIN);
    expect(first.productsCreated).toBeGreaterThanOrEqual(200);
    const again = await seedCatalog(api.stack.routerUrl, DEV_ADMIN);
    expect(again).toEqual({ categoriesCreated: 0, productsCreated: 0, productsTotal: first.productsTotal });

    const categories = await api.request(contract('Categories'));
    expect(categories.data.categories.length).toBeGreaterThanOrEqual(9);
    const counted = categories.data.categories.reduce(
      (sum: number, c: { productCount: number }) => sum + c.productCount,
      0,
    );

    const seen = new Set<string>();
    let after: string | null = null;
    let pages = 0;
    let totalCount: number;
    let withStock = 0;
    do {
      const page: any = await api.request(contract('Products'), { first: 50, after });
      expect(page.errors).toBeUndefined();
      totalCount = page.data.products.totalCount;
      for (const { node, cursor } of page.data.products.edges) {
        expect(seen.has(node.id)).toBe(false);
        expect(cursor).toEqual(expect.any(String));
        expect(node.inStock).toBe(node.availableQuantity > 0);
        if (node.inStock) withStock++;
        seen.add(node.id);
      }
      after = page.data.products.pageInfo.hasNextPage ? page.data.products.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(seen.size).toBe(totalCount);
    expect(totalCount).toBe(counted);
    expect(totalCount).toBeGreaterThanOrEqual(203);
    expect(pages).toBeGreaterThanOrEqual(5);
    expect(withStock).toBeGreaterThanOrEqual(150);
  });
});
