/**
 * SQL benchmark (not a test): how many SQL statements each federated page costs, counted per subgraph
 * and per fetch of the router's query plan.
 *
 *   npm run bench:sql -- [--products 60] [--page 50] [--rounds 3] [--out file.json]
 *
 * Starts its own isolated stack, seeds a catalog (`--products` products over five categories, each in
 * stock), one customer with three confirmed orders of several lines (so recommendations, notifications
 * and order history exist) and a cart of three lines. Then, for each page: one request with
 * `Apollo-Query-Plan-Experimental` (the router shows its plan outside production) to learn the fetches
 * and check the answer, then `--rounds` requests; every subgraph counts the statements each operation
 * sent (`graphql_operation_sql_statements`, on its /metrics), so the difference between two readings
 * is the statements of each fetch, by the fetch's operation name (`<Page>__<subgraph>__<n>`).
 *
 * The catalog page is also measured with one product: batched fetches cost the same for 1 as for 50.
 *
 * Target P2: the catalog page of `--page` products with `inStock`, `availableQuantity`, `category` and
 * `recommendations` costs at most one statement per subgraph per entity fetch.
 */
import { parseArgs } from 'node:util';
import { ADDRESS, routerClient, sleep, writeResults } from './support/shop.js';
import { fetchesOf, statementsBetween, statementsByOperation, type PlannedFetch } from './src/sql/plan.js';
import { startStack } from '../scripts/stack.js';
import { contract } from '../test/support/contract.js';

const { values } = parseArgs({
  options: {
    products: { type: 'string', default: '60' },
    page: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    out: { type: 'string' },
  },
});
const productCount = Number(values.products);
const pageSize = Math.min(Number(values.page), productCount);
const rounds = Number(values.rounds);
if (!(productCount >= 5 && pageSize >= 1 && rounds >= 1))
  throw new Error('--products must be at least 5, --page and --rounds at least 1');

/** The P2 page: a catalog page with stock, category and recommendations of each product. */
const CATALOG_PAGE = /* GraphQL */ `
  query CatalogPage($first: Int) {
    products(first: $first) {
      totalCount
      edges {
        node {
          id
          name
          price {
            amount
            currencyCode
          }
          category {
            id
            name
          }
          inStock
          availableQuantity
          recommendations(first: 4) {
            id
            name
            price {
              amount
              currencyCode
            }
          }
        }
      }
    }
  }
`;

interface Page {
  name: string;
  query: string;
  variables: Record<string, unknown>;
  token?: string;
  /** Throws when the answer is not what the seeded data must give. */
  check: (data: any) => void;
}

interface FetchFigures extends PlannedFetch {
  /** Requests of the fetch's operation the subgraph recorded in the measured rounds. */
  operations: number;
  statements: number;
  statementsPerFetch: number;
}

interface PageFigures {
  page: string;
  fetches: FetchFigures[];
  /** Statements per page view, by subgraph. */
  statementsBySubgraph: Record<string, number>;
  statementsPerPage: number;
}

const expectThat = (condition: boolean, what: string) => {
  if (!condition) throw new Error(what);
};

/** POSTs one operation to the router asking for its query plan; resolves the data and the plan. */
async function planned(routerUrl: string, page: Page) {
  const response = await fetch(routerUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'apollo-query-plan-experimental': '1',
      'apollo-query-plan-experimental-format': 'internal',
      ...(page.token ? { authorization: `Bearer ${page.token}` } : {}),
    },
    body: JSON.stringify({ query: page.query, variables: page.variables }),
  });
  const body = (await response.json()) as {
    data?: unknown;
    errors?: unknown[];
    extensions?: { __queryPlanExperimental?: unknown };
  };
  if (body.errors || !body.data) throw new Error(`${page.name} failed: ${JSON.stringify(body.errors)}`);
  const plan = body.extensions?.__queryPlanExperimental;
  if (!plan || typeof plan !== 'object') throw new Error(`${page.name}: the router showed no query plan`);
  return { data: body.data, fetches: fetchesOf(plan) };
}

console.log(`starting an isolated stack for ${productCount} products, pages of ${pageSize} ...`);
const stack = await startStack({ isolated: true, env: { LOG_LEVEL: 'warn' } });
try {
  const shop = routerClient(stack.routerUrl);
  const ok = (response: { data?: any; errors?: unknown }, what: string): any => {
    if (response.errors || !response.data)
      throw new Error(`${what} failed: ${JSON.stringify(response.errors)}`);
    return response.data;
  };
  const admin = await shop.adminToken();

  console.log('seeding the catalog, a customer, three orders and a cart ...');
  const categories: string[] = [];
  for (let c = 0; c < 5; c += 1)
    categories.push(
      ok(
        await shop.request(
          'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }',
          { input: { name: `SQL bench ${c} ${Date.now()}` } },
          admin,
        ),
        'createCategory',
      ).createCategory.id,
    );
  const products: string[] = [];
  for (let p = 0; p < productCount; p += 1) {
    const id = ok(
      await shop.request(
        'mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }',
        {
          input: {
            sku: `SQL-${Date.now()}-${p}`,
            name: `SQL bench item ${p}`,
            price: `${(p % 9) + 1}.50`,
            categoryId: categories[p % categories.length],
          },
        },
        admin,
      ),
      'createProduct',
    ).createProduct.id as string;
    ok(
      await shop.request(
        'mutation($id: ID!, $delta: Int!) { adjustStock(productId: $id, delta: $delta) { id } }',
        { id, delta: 100 },
        admin,
      ),
      'adjustStock',
    );
    products.push(id);
  }
  const [customer] = await shop.customers(1);
  const orders: string[] = [];
  for (let o = 0; o < 3; o += 1) {
    const placed = ok(
      await shop.request(
        'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id } }',
        {
          input: {
            idempotencyKey: `sql-bench-${Date.now()}-${o}`,
            items: products.slice(o, o + 3).map((productId) => ({ productId, quantity: 1 })),
            paymentToken: 'tok_visa',
            shippingAddress: ADDRESS,
          },
        },
        customer!.token,
      ),
      'placeOrder',
    );
    orders.push(placed.placeOrder.id);
  }
  // The pages read what the order flow wrote: wait for every order to be confirmed and for the
  // recommendations, notifications and history it feeds to be there.
  const settled = async () => {
    const statuses = await Promise.all(
      orders.map(async (id) => {
        const data = ok(
          await shop.request('query($id: ID!) { order(id: $id) { status } }', { id }, customer!.token),
          'order',
        );
        return data.order?.status as string | undefined;
      }),
    );
    const recommended = ok(
      await shop.request('query($id: ID!) { product(id: $id) { recommendations(first: 4) { id } } }', {
        id: products[0],
      }),
      'recommendations',
    ).product.recommendations.length as number;
    const notified = ok(
      await shop.request('{ me { notifications(first: 20) { totalCount } } }', {}, customer!.token),
      'notifications',
    ).me.notifications.totalCount as number;
    return statuses.every((s) => s === 'CONFIRMED') && recommended > 0 && notified >= orders.length;
  };
  for (const deadline = Date.now() + 120_000; !(await settled()); await sleep(200))
    if (Date.now() > deadline) throw new Error('the seeded orders did not settle within 120 s');
  for (const productId of products.slice(-3))
    ok(
      await shop.request(
        'mutation($productId: ID!, $quantity: Int!) { addToCart(productId: $productId, quantity: $quantity) { id } }',
        { productId, quantity: 2 },
        customer!.token,
      ),
      'addToCart',
    );

  const token = customer!.token;
  const pages: Page[] = [
    {
      name: 'CatalogPage',
      query: CATALOG_PAGE,
      variables: { first: pageSize },
      check: (data) => {
        const nodes = data.products.edges.map((e: any) => e.node);
        expectThat(nodes.length === pageSize, `CatalogPage: ${nodes.length} products, not ${pageSize}`);
        expectThat(
          nodes.every((n: any) => n.category?.id && typeof n.availableQuantity === 'number'),
          'CatalogPage: a product without its category or stock',
        );
        expectThat(
          nodes.some((n: any) => n.recommendations.length > 0),
          'CatalogPage: no product has recommendations',
        );
      },
    },
    {
      // The same page of one product: a batched subgraph costs the same statements for 1 as for 50.
      name: 'CatalogPage (1 product)',
      query: CATALOG_PAGE,
      variables: { first: 1 },
      check: (data) =>
        expectThat(data.products.edges.length === 1, 'CatalogPage (1 product): not one product'),
    },
    {
      name: 'Products',
      query: contract('Products'),
      variables: { first: pageSize },
      check: (data) => expectThat(data.products.edges.length === pageSize, 'Products: not a full page'),
    },
    {
      name: 'Product',
      query: contract('Product'),
      variables: { id: products[0] },
      check: (data) => expectThat(data.product?.recommendations.length > 0, 'Product: no recommendations'),
    },
    {
      name: 'Cart',
      query: contract('Cart'),
      variables: {},
      token,
      check: (data) => expectThat(data.cart.items.length === 3, 'Cart: not the three seeded lines'),
    },
    {
      name: 'MyOrders',
      query: contract('MyOrders'),
      variables: { first: 10 },
      token,
      check: (data) =>
        expectThat(data.me.orders.totalCount === orders.length, 'MyOrders: not the seeded orders'),
    },
    {
      name: 'Order',
      query: contract('Order'),
      variables: { id: orders[0] },
      token,
      check: (data) =>
        expectThat(
          data.order?.payment?.status && data.order.items.length === 3,
          'Order: no payment or lines',
        ),
    },
    {
      name: 'MyNotifications',
      query: contract('MyNotifications'),
      variables: { first: 20 },
      token,
      check: (data) =>
        expectThat(
          data.me.notifications.edges.length >= orders.length,
          'MyNotifications: missing notifications',
        ),
    },
    {
      name: 'ForYou',
      query: contract('ForYou'),
      variables: { first: 8 },
      token,
      check: (data) => expectThat(Array.isArray(data.me.recommendedProducts), 'ForYou: no list'),
    },
    {
      name: 'Me',
      query: contract('Me'),
      variables: {},
      token,
      check: (data) => expectThat(data.me?.id === customer!.id, 'Me: not the customer'),
    },
  ];

  const readMetrics = async () =>
    new Map(
      await Promise.all(
        Object.entries(stack.subgraphUrls).map(
          async ([name, url]) =>
            [name, statementsByOperation(await (await fetch(new URL('/metrics', url))).text())] as const,
        ),
      ),
    );

  const figures: PageFigures[] = [];
  for (const page of pages) {
    const { data, fetches } = await planned(stack.routerUrl, page);
    page.check(data);
    const before = await readMetrics();
    for (let r = 0; r < rounds; r += 1) {
      const response = await shop.request(page.query, page.variables, page.token);
      page.check(ok(response, page.name));
    }
    const after = await readMetrics();
    const measured = fetches.map((planned): FetchFigures => {
      const delta = statementsBetween(
        before.get(planned.subgraph) ?? new Map(),
        after.get(planned.subgraph) ?? new Map(),
        planned.operationName,
      );
      if (delta.operations !== rounds)
        throw new Error(
          `${planned.operationName}: ${planned.subgraph} recorded ${delta.operations} operations in ${rounds} rounds`,
        );
      return { ...planned, ...delta, statementsPerFetch: delta.statements / delta.operations };
    });
    const statementsBySubgraph: Record<string, number> = {};
    for (const f of measured)
      statementsBySubgraph[f.subgraph] = (statementsBySubgraph[f.subgraph] ?? 0) + f.statementsPerFetch;
    figures.push({
      page: page.name,
      fetches: measured,
      statementsBySubgraph,
      statementsPerPage: measured.reduce((sum, f) => sum + f.statementsPerFetch, 0),
    });
  }

  const rows = figures.flatMap((p) =>
    p.fetches.map((f) => ({
      page: p.page,
      subgraph: f.subgraph,
      fetch: f.entities ? 'entities' : 'root',
      operation: f.operationName,
      'statements/fetch': Number(f.statementsPerFetch.toFixed(2)),
    })),
  );
  console.log(`\nSQL statements per fetch (${rounds} rounds, page of ${pageSize}):`);
  console.table(rows);
  console.log('\nSQL statements per page view, by subgraph:');
  console.table(
    figures.map((p) => ({
      page: p.page,
      total: Number(p.statementsPerPage.toFixed(2)),
      ...p.statementsBySubgraph,
    })),
  );

  const catalog = figures.find((p) => p.page === 'CatalogPage')!;
  const entityFetches = catalog.fetches.filter((f) => f.entities);
  const worst = Math.max(...entityFetches.map((f) => f.statementsPerFetch));
  const p2 = worst <= 1;
  console.log(
    `\nP2 sql: a page of ${pageSize} products costs at most one statement per subgraph per entity fetch: ` +
      `${p2 ? 'met' : 'NOT met'} (${entityFetches.length} entity fetches, at most ${worst} statements each)`,
  );
  const file = await writeResults('sql', {
    products: productCount,
    pageSize,
    rounds,
    pages: figures,
    targets: { p2: { met: p2, worstEntityFetch: worst } },
  });
  if (values.out) {
    const { copyFile } = await import('node:fs/promises');
    await copyFile(file, values.out);
  }
  console.log(`figures written to ${values.out ?? file}`);
} finally {
  await stack.stop();
}
