import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, waitFor } from '@shop/platform/testing';
import { PRODUCT_CREATED_V1, PRODUCT_UPDATED_V1, productChangedV1 } from '@shop/schema';
import { collectEvents, startProducts, type ProductsUnderTest } from './products.fixture.js';

const CREATE_PRODUCT = `mutation($input: CreateProductInput!) {
  createProduct(input: $input) { id sku slug name description createdAt updatedAt price { amount currencyCode } category { id name } }
}`;
const UPDATE_PRODUCT = `mutation($id: ID!, $input: UpdateProductInput!) {
  updateProduct(id: $id, input: $input) { id sku slug name description updatedAt price { amount currencyCode } category { id } }
}`;
const CREATE_CATEGORY =
  'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id slug name productCount } }';
const PRODUCT =
  'query($id: ID!) { product(id: $id) { id slug name description updatedAt price { amount } category { id } } }';

describe('catalog administration: createProduct, updateProduct, createCategory', () => {
  let t: ProductsUnderTest;
  let category: { id: string; slug: string; name: string };
  let other: { id: string; slug: string; name: string };
  let events: Awaited<ReturnType<typeof collectEvents<ReturnType<typeof productChangedV1.parse>>>>;

  /** Creates a product as the admin, or as `token` (null: anonymous). */
  const create = (input: Record<string, unknown>, token: string | null = t.admin) =>
    t.subgraph.request(
      CREATE_PRODUCT,
      { input: { sku: `T-${t.unique()}`, name: 'Widget', price: '1.00', categoryId: category.id, ...input } },
      token ?? undefined,
    );
  const productCount = async () =>
    (await t.subgraph.request('{ products(first: 1) { totalCount } }')).data.products.totalCount as number;
  const outboxRows = async () => {
    const [row] = await t.subgraph.runtime.orm.em
      .fork()
      .getConnection()
      .execute<{ n: string }[]>('select count(*) as n from outbox_message');
    return Number(row!.n);
  };

  beforeAll(async () => {
    t = await startProducts();
    category = await t.createCategory('Tools');
    other = await t.createCategory('Garden');
    events = await collectEvents(t.subgraph, [PRODUCT_CREATED_V1, PRODUCT_UPDATED_V1], (p) =>
      productChangedV1.parse(p),
    );
  });

  afterAll(async () => {
    await events?.stop();
    await t?.subgraph.stop();
  });

  describe('createProduct', () => {
    it('creates a product for an admin: trimmed SKU, derived slug, normalized price, no stock', async () => {
      const response = await create({
        sku: '  CRB-0001 ',
        name: '  Crème Brûlée Torch ',
        description: 'Caramelizes sugar in seconds',
        price: '24.5',
      });
      expect(response.errors).toBeUndefined();
      const product = response.data.createProduct;
      expect(product).toMatchObject({
        sku: 'CRB-0001',
        slug: 'creme-brulee-torch',
        name: 'Crème Brûlée Torch',
        description: 'Caramelizes sugar in seconds',
        price: { amount: '24.50', currencyCode: 'USD' },
        category: { id: category.id, name: 'Tools' },
      });
      expect(product.createdAt).toBe(product.updatedAt);
      // Readable at once, and findable by its slug and SKU.
      expect((await t.subgraph.request(PRODUCT, { id: product.id })).data.product.slug).toBe(
        'creme-brulee-torch',
      );
      const search = await t.subgraph.request(
        '{ products(filter: { query: "crb-0001" }) { edges { node { id } } } }',
      );
      expect(search.data.products.edges).toEqual([{ node: { id: product.id } }]);
      const instock = await t.subgraph.request('{ products(filter: { inStock: true }) { totalCount } }');
      expect(instock.data.products.totalCount).toBe(0);
    });

    it('publishes products.product.created.v1 through the outbox, keyed by the product id', async () => {
      const { data } = await create({ sku: 'EVT-0001', name: 'Event Hammer', price: '12.34' });
      const product = data.createProduct;
      const event = await waitFor(async () =>
        events.events.find((e) => e.type === PRODUCT_CREATED_V1 && e.key === product.id),
      );
      expect(event.payload).toEqual({
        productId: product.id,
        sku: 'EVT-0001',
        name: 'Event Hammer',
        slug: 'event-hammer',
        priceMinor: 1234,
        currencyCode: 'USD',
        categoryId: category.id,
        occurredAt: product.createdAt,
      });
      await t.subgraph.runtime.relay.flush();
      expect(await outboxRows()).toBe(0);
    });

    it('refuses a customer (FORBIDDEN) and an anonymous caller (UNAUTHENTICATED), changing nothing', async () => {
      await t.subgraph.runtime.relay.flush();
      const before = await productCount();
      const forbidden = await create({ sku: 'NOPE-1' }, t.customer);
      expect(errorCodes(forbidden)).toEqual(['FORBIDDEN']);
      expect(forbidden.data).toBeNull();
      expect(errorCodes(await create({ sku: 'NOPE-2' }, null))).toEqual(['UNAUTHENTICATED']);
      expect(await productCount()).toBe(before);
      expect(await outboxRows()).toBe(0);
      const search = await t.subgraph.request('{ products(filter: { query: "nope" }) { totalCount } }');
      expect(search.data.products.totalCount).toBe(0);
    });

    it('refuses a duplicate SKU, case-insensitively and after trimming (CONFLICT)', async () => {
      expect((await create({ sku: 'DUP-0001' })).errors).toBeUndefined();
      const before = await productCount();
      for (const sku of ['DUP-0001', 'dup-0001', ' Dup-0001 ']) {
        expect(errorCodes(await create({ sku }))).toEqual(['CONFLICT']);
      }
      expect(await productCount()).toBe(before);
    });

    it('lets one of two concurrent creations of one SKU win; the other is CONFLICT', async () => {
      const results = await Promise.all([create({ sku: 'RACE-0001' }), create({ sku: 'race-0001' })]);
      expect(results.map(errorCodes).sort()).toEqual([[], ['CONFLICT']]);
    });

    it('makes slugs unique: -2, -3... for the same name, also when created concurrently', async () => {
      const slugs: string[] = [];
      for (let i = 0; i < 3; i++) slugs.push((await create({ name: 'Garden Rake' })).data.createProduct.slug);
      expect(slugs).toEqual(['garden-rake', 'garden-rake-2', 'garden-rake-3']);

      const concurrent = await Promise.all(Array.from({ length: 6 }, () => create({ name: 'Spirit Level' })));
      expect(concurrent.flatMap(errorCodes)).toEqual([]);
      const raced = concurrent.map((r) => r.data.createProduct.slug).sort();
      expect(raced).toEqual([
        'spirit-level',
        'spirit-level-2',
        'spirit-level-3',
        'spirit-level-4',
        'spirit-level-5',
        'spirit-level-6',
      ]);
    });

    it('falls back to "product" when the name has nothing ascii', async () => {
      const product = (await create({ name: '工具' })).data.createProduct;
      expect(product.slug).toMatch(/^product(-\d+)?$/);
      expect(product.name).toBe('工具');
    });

    it('refuses bad input with BAD_USER_INPUT naming the field, changing nothing', async () => {
      const before = await productCount();
      const cases: [Record<string, unknown>, string][] = [
        [{ price: '0' }, 'price'],
        [{ price: '0.00' }, 'price'],
        [{ price: '-5.00' }, 'price'],
        [{ price: 'abc' }, 'price'],
        [{ price: '1.999' }, 'price'],
        [{ price: '99999999.00' }, 'price'],
        [{ sku: '' }, 'sku'],
        [{ sku: 'has space' }, 'sku'],
        [{ sku: 'x'.repeat(65) }, 'sku'],
        [{ sku: 'ÉTÉ-1' }, 'sku'],
        [{ name: '   ' }, 'name'],
        [{ name: 'n'.repeat(201) }, 'name'],
        [{ description: 'd'.repeat(5001) }, 'description'],
        [{ categoryId: '00000000-0000-4000-8000-000000000000' }, 'categoryId'],
        [{ categoryId: 'no-such-category' }, 'categoryId'],
      ];
      for (const [input, field] of cases) {
        const response = await create(input);
        expect({ input, codes: errorCodes(response) }).toEqual({ input, codes: ['BAD_USER_INPUT'] });
        expect(response.errors![0]!.extensions!.field).toBe(field);
      }
      // A float for a Decimal is refused before the resolver runs.
      expect(errorCodes(await create({ price: 9.99 }))).toEqual(['BAD_USER_INPUT']);
      expect(await productCount()).toBe(before);
    });

    it('accepts the limits: 64-character SKU, 200-character name, 5000-character description', async () => {
      const response = await create({
        sku: 'a'.repeat(64),
        name: 'N'.repeat(200),
        description: 'd'.repeat(5000),
        price: '0.01',
      });
      expect(response.errors).toBeUndefined();
      expect(response.data.createProduct.price.amount).toBe('0.01');
    });
  });

  describe('updateProduct', () => {
    it('changes name, description, price and category; keeps the slug; publishes products.product.updated.v1', async () => {
      const product = (await create({ sku: 'UPD-0001', name: 'Old Name', description: 'old' })).data
        .createProduct;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await t.subgraph.request(
        UPDATE_PRODUCT,
        {
          id: product.id,
          input: { name: 'New Name', description: 'new words', price: '7.25', categoryId: other.id },
        },
        t.admin,
      );
      expect(response.errors).toBeUndefined();
      const updated = response.data.updateProduct;
      expect(updated).toMatchObject({
        id: product.id,
        sku: 'UPD-0001',
        slug: 'old-name',
        name: 'New Name',
        description: 'new words',
        price: { amount: '7.25', currencyCode: 'USD' },
        category: { id: other.id },
      });
      expect(updated.updatedAt > product.updatedAt).toBe(true);
      expect((await t.subgraph.request(PRODUCT, { id: product.id })).data.product).toMatchObject({
        name: 'New Name',
      });
      const found = await t.subgraph.request(
        '{ products(filter: { query: "new name" }) { edges { node { id } } } }',
      );
      expect(found.data.products.edges).toEqual([{ node: { id: product.id } }]);

      const event = await waitFor(async () =>
        events.events.find((e) => e.type === PRODUCT_UPDATED_V1 && e.key === product.id),
      );
      expect(event.payload).toEqual({
        productId: product.id,
        sku: 'UPD-0001',
        name: 'New Name',
        slug: 'old-name',
        priceMinor: 725,
        currencyCode: 'USD',
        categoryId: other.id,
        occurredAt: updated.updatedAt,
      });
    });

    it('changes only what is given; a null description removes it; an unchanged input writes nothing', async () => {
      const product = (await create({ name: 'Partial', description: 'keep me', price: '3.00' })).data
        .createProduct;
      const priceOnly = await t.subgraph.request(
        UPDATE_PRODUCT,
        { id: product.id, input: { price: '4.00' } },
        t.admin,
      );
      expect(priceOnly.data.updateProduct).toMatchObject({
        name: 'Partial',
        description: 'keep me',
        price: { amount: '4.00' },
      });
      const cleared = await t.subgraph.request(
        UPDATE_PRODUCT,
        { id: product.id, input: { description: null } },
        t.admin,
      );
      expect(cleared.data.updateProduct.description).toBeNull();
      const same = await t.subgraph.request(
        UPDATE_PRODUCT,
        { id: product.id, input: { name: 'Partial' } },
        t.admin,
      );
      expect(same.data.updateProduct.updatedAt).toBe(cleared.data.updateProduct.updatedAt);
    });

    it('refuses a customer, an anonymous caller and bad input, changing nothing', async () => {
      const product = (await create({ name: 'Guarded', price: '10.00' })).data.createProduct;
      const attempt = (input: Record<string, unknown>, token?: string) =>
        t.subgraph.request(UPDATE_PRODUCT, { id: product.id, input }, token);
      expect(errorCodes(await attempt({ name: 'Hacked' }, t.customer))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await attempt({ name: 'Hacked' }))).toEqual(['UNAUTHENTICATED']);
      const bad: [Record<string, unknown>, string][] = [
        [{ name: 'Hacked', categoryId: '00000000-0000-4000-8000-000000000000' }, 'categoryId'],
        [{ name: 'Hacked', price: '0' }, 'price'],
        [{ name: '' }, 'name'],
        [{ name: null }, 'name'],
        [{ price: null }, 'price'],
        [{ categoryId: null }, 'categoryId'],
        [{ name: 'Hacked', description: 'x'.repeat(5001) }, 'description'],
      ];
      for (const [input, field] of bad) {
        const response = await attempt(input, t.admin);
        expect({ input, codes: errorCodes(response) }).toEqual({ input, codes: ['BAD_USER_INPUT'] });
        expect(response.errors![0]!.extensions!.field).toBe(field);
      }
      const after = (await t.subgraph.request(PRODUCT, { id: product.id })).data.product;
      expect(after).toMatchObject({
        name: 'Guarded',
        price: { amount: '10.00' },
        category: { id: category.id },
        updatedAt: product.updatedAt,
      });
    });

    it('is NOT_FOUND for an unknown product', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
        const response = await t.subgraph.request(UPDATE_PRODUCT, { id, input: { name: 'X' } }, t.admin);
        expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      }
    });
  });

  describe('createCategory', () => {
    it('creates a category with a derived or a given slug, and no products', async () => {
      const derived = await t.subgraph.request(
        CREATE_CATEGORY,
        { input: { name: ' Pâtisserie & Baking ' } },
        t.admin,
      );
      expect(derived.data.createCategory).toMatchObject({
        slug: 'patisserie-baking',
        name: 'Pâtisserie & Baking',
        productCount: 0,
      });
      const given = await t.subgraph.request(
        CREATE_CATEGORY,
        { input: { name: 'Power Tools', slug: 'power-tools-2026' } },
        t.admin,
      );
      expect(given.data.createCategory).toMatchObject({ slug: 'power-tools-2026', name: 'Power Tools' });
      const listed = await t.subgraph.request('{ categories { slug } }');
      expect(listed.data.categories.map((c: { slug: string }) => c.slug)).toEqual(
        expect.arrayContaining(['patisserie-baking', 'power-tools-2026']),
      );
    });

    it('suffixes a derived slug that is taken; a given slug that is taken is CONFLICT', async () => {
      const again = await t.subgraph.request(CREATE_CATEGORY, { input: { name: 'Tools' } }, t.admin);
      expect(again.data.createCategory.slug).toBe('tools-2');
      expect(
        errorCodes(
          await t.subgraph.request(CREATE_CATEGORY, { input: { name: 'Tools', slug: 'tools' } }, t.admin),
        ),
      ).toEqual(['CONFLICT']);
    });

    it('refuses a customer, an anonymous caller and bad input, changing nothing', async () => {
      const count = async () =>
        (await t.subgraph.request('{ categories { id } }')).data.categories.length as number;
      const before = await count();
      const input = { name: 'Sneaky' };
      expect(errorCodes(await t.subgraph.request(CREATE_CATEGORY, { input }, t.customer))).toEqual([
        'FORBIDDEN',
      ]);
      expect(errorCodes(await t.subgraph.request(CREATE_CATEGORY, { input }))).toEqual(['UNAUTHENTICATED']);
      for (const [bad, field] of [
        [{ name: '' }, 'name'],
        [{ name: 'x'.repeat(101) }, 'name'],
        [{ name: 'Ok', slug: 'Not A Slug' }, 'slug'],
        [{ name: 'Ok', slug: 'trailing-' }, 'slug'],
      ] as const) {
        const response = await t.subgraph.request(CREATE_CATEGORY, { input: bad }, t.admin);
        expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
        expect(response.errors![0]!.extensions!.field).toBe(field);
      }
      expect(await count()).toBe(before);
    });
  });
});
