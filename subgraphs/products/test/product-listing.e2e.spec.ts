import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes } from '@shop/platform/testing';
import { startProducts, type ProductsUnderTest } from './products.fixture.js';

const PRODUCTS = `query($first: Int, $after: String, $filter: ProductFilter, $sort: ProductSort) {
  products(first: $first, after: $after, filter: $filter, sort: $sort) {
    totalCount
    pageInfo { hasNextPage endCursor hasPreviousPage startCursor }
    edges { cursor node { id sku slug name description createdAt price { amount currencyCode } category { id slug name } } }
  }
}`;

interface Node {
  id: string;
  sku: string;
  slug: string;
  name: string;
  description: string | null;
  createdAt: string;
  price: { amount: string; currencyCode: string };
  category: { id: string; slug: string; name: string };
}

interface Seeded {
  id: string;
  name: string;
  priceMinor: number;
  createdAt: string;
  categoryId: string;
}

const WORDS = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo', 'Foxtrot', 'Golf', 'Hotel', 'India', 'Juliet'];

describe('browsing the catalog: categories, listings, search, filters', () => {
  let t: ProductsUnderTest;
  let audio: { id: string; slug: string; name: string };
  let kitchen: { id: string; slug: string; name: string };
  let empty: { id: string; slug: string; name: string };
  const seeded: Seeded[] = [];

  const list = async (variables: Record<string, unknown>) => t.subgraph.request(PRODUCTS, variables);

  /** Every page of a listing, following `endCursor`, checking each page's shape on the way. */
  async function allPages(variables: Record<string, unknown>, first: number) {
    const nodes: Node[] = [];
    const totals = new Set<number>();
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response = await list({ ...variables, first, after });
      expect(response.errors).toBeUndefined();
      const page = response.data.products;
      totals.add(page.totalCount);
      expect(page.edges.length).toBeLessThanOrEqual(first);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      nodes.push(...page.edges.map((edge: { node: Node }) => edge.node));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      expect(page.edges.length).toBe(first);
      after = page.pageInfo.endCursor;
    }
    expect(totals.size).toBe(1);
    return { nodes, totalCount: [...totals][0]!, pages };
  }

  const ids = (nodes: { id: string }[]) => nodes.map((n) => n.id);
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  beforeAll(async () => {
    t = await startProducts();
    audio = await t.createCategory('Audio');
    kitchen = await t.createCategory('Kitchen');
    empty = await t.createCategory('Empty Shelf');

    const create = async (input: {
      name: string;
      price: string;
      categoryId: string;
      sku?: string;
      description?: string;
    }) => {
      const product = await t.createProduct(input);
      const [whole, cents] = product.price.amount.split('.');
      seeded.push({
        id: product.id,
        name: product.name,
        priceMinor: Number(whole) * 100 + Number(cents),
        createdAt: '',
        categoryId: input.categoryId,
      });
      return product;
    };
    // 20 speakers with only five distinct prices, so price ties must be broken by id.
    for (const [i, word] of WORDS.entries()) {
      await create({
        name: `${word} Speaker`,
        price: `${(i % 5) + 1}0.00`,
        categoryId: audio.id,
        description: 'Audio gear for the living room',
      });
      await create({
        name: `${word} Soundbar`,
        price: `${(i % 5) + 1}0.00`,
        categoryId: audio.id,
        description: 'Home audio, clear dialogue',
      });
    }
    await create({
      name: 'Audio Interface',
      price: '149.00',
      categoryId: audio.id,
      description: 'Two inputs, studio quality',
    });
    await create({
      name: 'Wireless Headphones',
      price: '79.99',
      categoryId: audio.id,
      sku: 'ZQX-0012',
      description: 'Over-ear, 30 hours',
    });
    await create({ name: 'Wired Earphones', price: '19.99', categoryId: audio.id, sku: 'ZQX-0099' });
    await create({ name: 'Cable Organizer', price: '5.49', categoryId: kitchen.id, sku: 'ZQY-0012' });
    await create({
      name: 'Quasar Blender',
      price: '89.00',
      categoryId: kitchen.id,
      description: 'A powerful blender',
    });
    await create({
      name: 'Kitchen Mixer',
      price: '99.00',
      categoryId: kitchen.id,
      description: 'Spins like a quasar',
    });
    // Three products with one name: NAME_ASC ties broken by id, slugs made unique.
    for (let i = 0; i < 3; i++) await create({ name: 'Lamp', price: '25.00', categoryId: kitchen.id });

    const everything = await allPages({}, 100);
    const createdAt = new Map(everything.nodes.map((n) => [n.id, n.createdAt]));
    for (const product of seeded) product.createdAt = createdAt.get(product.id)!;
  });

  afterAll(async () => {
    await t?.subgraph.stop();
  });

  it('lists categories by name with their product counts', async () => {
    const response = await t.subgraph.request('{ categories { id slug name productCount } }');
    expect(response.errors).toBeUndefined();
    expect(response.data.categories).toEqual([
      { id: audio.id, slug: 'audio', name: 'Audio', productCount: 23 },
      { id: empty.id, slug: 'empty-shelf', name: 'Empty Shelf', productCount: 0 },
      { id: kitchen.id, slug: 'kitchen', name: 'Kitchen', productCount: 6 },
    ]);
  });

  it('finds one category by id or by slug, exactly one of the two', async () => {
    const query =
      'query($id: ID, $slug: String) { category(id: $id, slug: $slug) { id slug name productCount } }';
    expect((await t.subgraph.request(query, { id: kitchen.id })).data.category).toMatchObject({
      slug: 'kitchen',
      productCount: 6,
    });
    expect((await t.subgraph.request(query, { slug: 'audio' })).data.category).toMatchObject({
      id: audio.id,
    });
    expect((await t.subgraph.request(query, { slug: 'nope' })).data.category).toBeNull();
    expect(
      (await t.subgraph.request(query, { id: '00000000-0000-4000-8000-000000000000' })).data.category,
    ).toBeNull();
    expect(errorCodes(await t.subgraph.request(query, { id: kitchen.id, slug: 'kitchen' }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(errorCodes(await t.subgraph.request(query, {}))).toEqual(['BAD_USER_INPUT']);
  });

  describe('pages through every product with `after`: no duplicate, no gap, the right order', () => {
    const expectations: [string, (a: Seeded, b: Seeded) => number][] = [
      ['NEWEST', (a, b) => b.createdAt.localeCompare(a.createdAt) || -byId(a, b)],
      ['PRICE_ASC', (a, b) => a.priceMinor - b.priceMinor || byId(a, b)],
      ['PRICE_DESC', (a, b) => b.priceMinor - a.priceMinor || -byId(a, b)],
      [
        'NAME_ASC',
        (a, b) =>
          a.name.toLowerCase() < b.name.toLowerCase()
            ? -1
            : a.name.toLowerCase() > b.name.toLowerCase()
              ? 1
              : byId(a, b),
      ],
    ];
    it.each(expectations)('%s', async (sort, compare) => {
      const { nodes, totalCount, pages } = await allPages({ sort }, 7);
      expect(totalCount).toBe(seeded.length);
      expect(pages).toBe(Math.ceil(seeded.length / 7));
      expect(new Set(ids(nodes)).size).toBe(nodes.length);
      expect(ids(nodes)).toEqual(ids([...seeded].sort(compare)));
    });

    it('NEWEST is the default without a query, and RELEVANCE without a query means NEWEST', async () => {
      const newest = await allPages({ sort: 'NEWEST' }, 50);
      expect(ids((await allPages({}, 50)).nodes)).toEqual(ids(newest.nodes));
      expect(ids((await allPages({ sort: 'RELEVANCE' }, 50)).nodes)).toEqual(ids(newest.nodes));
    });

    it('RELEVANCE: every match once, name matches before description-only matches', async () => {
      const { nodes, totalCount } = await allPages({ filter: { query: 'audio' } }, 4);
      // "Audio" is the name of one product and in the description of the 20 speakers/soundbars.
      const expected = seeded.filter((p) => p.name.includes('Audio') || p.name.match(/Speaker|Soundbar/));
      expect(totalCount).toBe(expected.length);
      expect(new Set(ids(nodes))).toEqual(new Set(ids(expected)));
      expect(nodes.length).toBe(expected.length);
      expect(nodes[0]!.name).toBe('Audio Interface');
      // Same explicit sort as the default, same pages.
      expect(ids((await allPages({ filter: { query: 'audio' }, sort: 'RELEVANCE' }, 6)).nodes)).toEqual(
        ids(nodes),
      );
    });

    it('other sorts apply to search results too', async () => {
      const { nodes } = await allPages({ filter: { query: 'speaker' }, sort: 'PRICE_DESC' }, 3);
      expect(nodes).toHaveLength(10);
      const prices = nodes.map((n) => Number(n.price.amount));
      expect(prices).toEqual([...prices].sort((a, b) => b - a));
    });
  });

  describe('search', () => {
    const names = async (query: string, extra: Record<string, unknown> = {}) => {
      const response = await list({ first: 100, filter: { query, ...extra } });
      expect(response.errors).toBeUndefined();
      return response.data.products.edges.map((e: { node: Node }) => e.node.name);
    };

    it('matches every word as a prefix, case-insensitively', async () => {
      expect(await names('wire head')).toEqual(['Wireless Headphones']);
      expect(await names('WIRELESS')).toEqual(['Wireless Headphones']);
      expect((await names('wire')).sort()).toEqual(['Wired Earphones', 'Wireless Headphones']);
      expect(await names('wire lamp')).toEqual([]);
    });

    it('matches a SKU whole, by prefix, with or without its punctuation', async () => {
      expect(await names('ZQX-0012')).toEqual(['Wireless Headphones']);
      expect(await names('zqx-0012')).toEqual(['Wireless Headphones']);
      expect(await names('zqx0012')).toEqual(['Wireless Headphones']);
      expect((await names('zqx-00')).sort()).toEqual(['Wired Earphones', 'Wireless Headphones']);
      expect((await names('zq')).sort()).toEqual([
        'Cable Organizer',
        'Wired Earphones',
        'Wireless Headphones',
      ]);
    });

    it('searches descriptions and ranks a name match above a description-only match', async () => {
      expect(await names('quasar')).toEqual(['Quasar Blender', 'Kitchen Mixer']);
      expect(await names('dialogue')).toHaveLength(10);
    });

    it('treats tsquery syntax as plain words and a blank query as no query', async () => {
      expect(await names("quasar:* | !blender & ('")).toEqual(['Quasar Blender']);
      const blank = await list({ first: 1, filter: { query: '  !!  ' } });
      expect(blank.data.products.totalCount).toBe(seeded.length);
    });

    it('returns an empty page when nothing matches', async () => {
      const response = await list({ filter: { query: 'xylophone' } });
      expect(response.data.products).toEqual({
        totalCount: 0,
        pageInfo: { hasNextPage: false, endCursor: null, hasPreviousPage: false, startCursor: null },
        edges: [],
      });
    });
  });

  describe('filters', () => {
    it('by category: only its products, totalCount = its productCount', async () => {
      const { nodes, totalCount } = await allPages({ filter: { categoryId: kitchen.id } }, 4);
      expect(totalCount).toBe(6);
      expect(nodes.every((n) => n.category.id === kitchen.id)).toBe(true);
      const none = await list({ filter: { categoryId: empty.id } });
      expect(none.data.products.totalCount).toBe(0);
    });

    it('by price range, bounds included, combined with search and category', async () => {
      const { nodes, totalCount } = await allPages(
        { filter: { minPrice: '20', maxPrice: '40.00' }, sort: 'PRICE_ASC' },
        5,
      );
      const expected = seeded.filter((p) => p.priceMinor >= 2000 && p.priceMinor <= 4000);
      expect(totalCount).toBe(expected.length);
      expect(new Set(ids(nodes))).toEqual(new Set(ids(expected)));
      expect(nodes[0]!.price.amount).toBe('20.00');
      expect(nodes.at(-1)!.price.amount).toBe('40.00');

      const combined = await list({
        first: 100,
        filter: { query: 'speaker', minPrice: '50', categoryId: audio.id },
      });
      expect(combined.data.products.edges.map((e: { node: Node }) => e.node.name).sort()).toEqual([
        'Echo Speaker',
        'Juliet Speaker',
      ]);
    });

    it('by inStock: nothing is in stock before inventory says so', async () => {
      expect((await list({ filter: { inStock: true } })).data.products.totalCount).toBe(0);
      expect((await list({ filter: { inStock: false } })).data.products.totalCount).toBe(seeded.length);
    });
  });

  describe('bad input is BAD_USER_INPUT', () => {
    const refused = async (variables: Record<string, unknown>, field?: string) => {
      const response = await list(variables);
      expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
      expect(response.data?.products ?? null).toBeNull();
      if (field) expect(response.errors![0]!.extensions!.field).toBe(field);
    };

    it('first outside 1..100', async () => {
      await refused({ first: 0 }, 'first');
      await refused({ first: -1 }, 'first');
      await refused({ first: 101 }, 'first');
      expect((await list({ first: 100 })).errors).toBeUndefined();
    });

    it('a malformed, tampered or foreign cursor', async () => {
      const page = await list({ first: 2, sort: 'PRICE_ASC' });
      const cursor: string = page.data.products.pageInfo.endCursor;
      await refused({ after: 'not-a-cursor' }, 'after');
      await refused({ after: '%%%' }, 'after');
      await refused({ after: cursor.slice(0, -4), sort: 'PRICE_ASC' }, 'after');
      const body = JSON.parse(Buffer.from(cursor, 'base64url').toString());
      const tamper = (change: Record<string, unknown>) =>
        Buffer.from(JSON.stringify({ ...body, ...change })).toString('base64url');
      await refused({ after: tamper({ k: 'ten' }), sort: 'PRICE_ASC' }, 'after');
      await refused({ after: tamper({ id: 'x' }), sort: 'PRICE_ASC' }, 'after');
      await refused({ after: tamper({ v: 2 }), sort: 'PRICE_ASC' }, 'after');
      // A cursor of another sort, or of another filter, does not continue this listing.
      await refused({ after: cursor, sort: 'PRICE_DESC' }, 'after');
      await refused({ after: cursor, sort: 'PRICE_ASC', filter: { minPrice: '1' } }, 'after');
      expect((await list({ after: cursor, sort: 'PRICE_ASC' })).errors).toBeUndefined();
    });

    it('an unknown category', async () => {
      await refused({ filter: { categoryId: '00000000-0000-4000-8000-000000000000' } }, 'categoryId');
      await refused({ filter: { categoryId: 'nope' } }, 'categoryId');
    });

    it('bad price bounds: not a decimal, too many decimals, negative, min above max', async () => {
      await refused({ filter: { minPrice: 'ten' } }, 'minPrice');
      await refused({ filter: { maxPrice: '1.999' } }, 'maxPrice');
      await refused({ filter: { minPrice: '-1' } }, 'minPrice');
      await refused({ filter: { minPrice: '50', maxPrice: '10' } }, 'minPrice');
      // A float where a Decimal string is expected never reaches the resolver.
      await refused({ filter: { minPrice: 10.5 } });
    });

    it('a query over 200 characters', async () => {
      await refused({ filter: { query: 'a'.repeat(201) } }, 'query');
    });
  });

  describe('product(id | slug)', () => {
    const query =
      'query($id: ID, $slug: String) { product(id: $id, slug: $slug) { id slug name category { slug } } }';

    it('finds by id and by slug; unknown gives null', async () => {
      const [lamp] = seeded.filter((p) => p.name === 'Lamp');
      const byIdResponse = await t.subgraph.request(query, { id: lamp!.id });
      expect(byIdResponse.data.product).toEqual({
        id: lamp!.id,
        slug: 'lamp',
        name: 'Lamp',
        category: { slug: 'kitchen' },
      });
      expect((await t.subgraph.request(query, { slug: 'lamp-3' })).data.product.name).toBe('Lamp');
      expect((await t.subgraph.request(query, { slug: 'lamp-4' })).data.product).toBeNull();
      expect(
        (await t.subgraph.request(query, { id: '00000000-0000-4000-8000-000000000000' })).data.product,
      ).toBeNull();
      expect((await t.subgraph.request(query, { id: 'not-an-id' })).data.product).toBeNull();
    });

    it('needs exactly one of id and slug', async () => {
      expect(errorCodes(await t.subgraph.request(query, { id: seeded[0]!.id, slug: 'lamp' }))).toEqual([
        'BAD_USER_INPUT',
      ]);
      expect(errorCodes(await t.subgraph.request(query, {}))).toEqual(['BAD_USER_INPUT']);
    });
  });
});
