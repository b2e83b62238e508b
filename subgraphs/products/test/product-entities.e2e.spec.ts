import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startProducts, type CreatedProduct, type ProductsUnderTest } from './products.fixture.js';

const PRODUCT_ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Product { id sku name price { amount currencyCode } category { id name } } }
}`;
const CATEGORY_ENTITIES = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on Category { id slug name productCount } }
}`;

/**
 * The statements a request sent: reads and writes of data, leaving out transaction control and the
 * outbox relay's background polling (it runs every 100 ms whatever the requests do).
 */
const dataStatements = (statements: string[]) =>
  statements.filter(
    (sql) =>
      /^\s*(select|insert|update|delete|with)\b/i.test(sql) &&
      !/outbox_message|pg_try_advisory_xact_lock/.test(sql),
  );

describe('federation: _entities for Product and Category, batched', () => {
  let t: ProductsUnderTest;
  const categories: { id: string; slug: string; name: string }[] = [];
  const products: CreatedProduct[] = [];

  beforeAll(async () => {
    // No stock consumer: its background work would show in the statement counts.
    t = await startProducts({ consumers: false });
    for (let c = 0; c < 5; c++) categories.push(await t.createCategory(`Aisle ${c}`));
    for (let i = 0; i < 50; i++) {
      products.push(
        await t.createProduct({ categoryId: categories[i % 5]!.id, name: `Item ${i}`, price: `${i + 1}.50` }),
      );
    }
  });

  afterAll(async () => {
    await t?.subgraph.stop();
  });

  it('resolves Product references, null for unknown ids', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const response = await t.subgraph.request(PRODUCT_ENTITIES, {
      r: [
        { __typename: 'Product', id: products[3]!.id },
        { __typename: 'Product', id: unknown },
        { __typename: 'Product', id: 'not-a-uuid' },
        { __typename: 'Product', id: products[0]!.id },
      ],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      {
        id: products[3]!.id,
        sku: products[3]!.sku,
        name: 'Item 3',
        price: { amount: '4.50', currencyCode: 'USD' },
        category: { id: categories[3]!.id, name: 'Aisle 3' },
      },
      null,
      null,
      expect.objectContaining({ id: products[0]!.id, name: 'Item 0' }),
    ]);
  });

  it('resolves Category references with productCount, null for unknown ids', async () => {
    const response = await t.subgraph.request(CATEGORY_ENTITIES, {
      r: [
        { __typename: 'Category', id: categories[1]!.id },
        { __typename: 'Category', id: '00000000-0000-4000-8000-000000000000' },
        { __typename: 'Category', id: categories[4]!.id },
      ],
    });
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      { id: categories[1]!.id, slug: categories[1]!.slug, name: 'Aisle 1', productCount: 10 },
      null,
      { id: categories[4]!.id, slug: categories[4]!.slug, name: 'Aisle 4', productCount: 10 },
    ]);
  });

  it('resolves 50 products with their categories in 2 SQL statements (products, then categories)', async () => {
    t.subgraph.resetStatements();
    const response = await t.subgraph.request(PRODUCT_ENTITIES, {
      r: products.map((p) => ({ __typename: 'Product', id: p.id })),
    });
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toHaveLength(50);
    expect(
      response.data._entities.every((e: { category: { name: string } } | null) =>
        e?.category.name.startsWith('Aisle'),
      ),
    ).toBe(true);
    expect(dataStatements(t.subgraph.statements)).toHaveLength(2);
  });

  it('counts products of many categories in one grouped query', async () => {
    t.subgraph.resetStatements();
    const response = await t.subgraph.request(CATEGORY_ENTITIES, {
      r: categories.map((c) => ({ __typename: 'Category', id: c.id })),
    });
    expect(response.data._entities.map((c: { productCount: number }) => c.productCount)).toEqual([
      10, 10, 10, 10, 10,
    ]);
    expect(dataStatements(t.subgraph.statements)).toHaveLength(2);
  });

  it('lists a page of 50 products with categories and counts in a constant number of statements', async () => {
    t.subgraph.resetStatements();
    const response = await t.subgraph.request(
      '{ products(first: 50) { totalCount edges { node { id price { amount } category { name productCount } } } } }',
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.products.totalCount).toBe(50);
    // page, count, categories, grouped product counts
    expect(dataStatements(t.subgraph.statements)).toHaveLength(4);
  });
});
