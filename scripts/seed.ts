/**
 * Loads the deterministic demo catalog (subgraphs/products/src/seed/catalog.ts) through the
 * router's public API, signed in as the admin: categories, products and their initial stock.
 * Only what is missing is created (matched by category slug and product SKU), so loading twice
 * changes nothing. Resolves a summary of what it created.
 */
import { graphql } from '../platform/src/testing/graphql-client.js';
import { catalog } from '../subgraphs/products/src/seed/catalog.js';

export interface SeedSummary {
  categoriesCreated: number;
  productsCreated: number;
  productsTotal: number;
}

async function call<D>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
): Promise<D> {
  const response = await graphql<D>(url, query, variables, token ? { token } : {});
  if (response.errors?.length || !response.data) {
    throw new Error(
      `seed: ${response.errors?.map((e) => `${e.message} (${e.extensions?.code})`).join('; ') ?? response.status}`,
    );
  }
  return response.data;
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

export async function seedCatalog(
  routerUrl: string,
  admin: { email: string; password: string },
): Promise<SeedSummary> {
  const { login } = await call<{ login: { accessToken: string } }>(
    routerUrl,
    'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }',
    admin,
  );
  const token = login.accessToken;

  const { categories } = await call<{ categories: { id: string; slug: string }[] }>(
    routerUrl,
    '{ categories { id slug } }',
    {},
  );
  const categoryIds = new Map(categories.map((c) => [c.slug, c.id]));
  let categoriesCreated = 0;
  for (const category of catalog.categories) {
    if (categoryIds.has(category.slug)) continue;
    const { createCategory } = await call<{ createCategory: { id: string } }>(
      routerUrl,
      'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
      { input: { name: category.name, slug: category.slug } },
      token,
    );
    categoryIds.set(category.slug, createCategory.id);
    categoriesCreated++;
  }

  const existing = new Set<string>();
  for (let after: string | null = null; ;) {
    const page: {
      products: {
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: { sku: string } }[];
      };
    } = await call(
      routerUrl,
      'query($after: String) { products(first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { sku } } } }',
      { after },
    );
    for (const edge of page.products.edges) existing.add(edge.node.sku);
    if (!page.products.pageInfo.hasNextPage) break;
    after = page.products.pageInfo.endCursor;
  }

  const missing = catalog.products.filter((p) => !existing.has(p.sku));
  await inBatches(missing, 8, async (product) => {
    const { createProduct } = await call<{ createProduct: { id: string } }>(
      routerUrl,
      'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
      {
        input: {
          sku: product.sku,
          name: product.name,
          description: product.description,
          price: product.price,
          categoryId: categoryIds.get(product.categorySlug),
        },
      },
      token,
    );
    if (product.initialStock > 0) {
      await call(
        routerUrl,
        'mutation($productId: ID!, $delta: Int!) { adjustStock(productId: $productId, delta: $delta) { id } }',
        { productId: createProduct.id, delta: product.initialStock },
        token,
      );
    }
  });
  return {
    categoriesCreated,
    productsCreated: missing.length,
    productsTotal: existing.size + missing.length,
  };
}
