import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seedCatalog } from '../../scripts/seed.js';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { DEV_ADMIN, ROOT } from '../../scripts/stack.js';
import { useStack } from '../../test/support/stack.js';
import { buildStorefront, launchChromium, screenshot } from './browser.js';

// The storefront in a real Chromium against a whole stack of its own, as a shopper uses it: elements
// are found by role and name, the way a screen reader sees the page. Its router serves only the
// storefront's trusted documents (web/persisted-query-manifest.json), as production can: every
// operation of the journey must be one of them.
beforeAll(buildStorefront, 60_000);
const api = useStack({ storefront: true });
const TRUSTED_CODES = ['QUERY_NOT_IN_SAFELIST', 'PERSISTED_QUERY_NOT_IN_LIST', 'PERSISTED_QUERY_ID_REQUIRED'];
const routerMetrics = async () =>
  (await fetch(`http://127.0.0.1:${api.stack.processes.get('router')!.port}/metrics`)).text();
/** Refusals of the trusted-documents check the router has counted, by code. */
const refusals = async () => {
  const lines = (await routerMetrics()).split('\n');
  return Object.fromEntries(
    TRUSTED_CODES.map((code) => {
      const line = lines.find((l) => l.startsWith('graphql_errors_total{') && l.includes(`code="${code}"`));
      return [code, line ? Number(line.split(' ').at(-1)) : 0];
    }),
  );
};

let browser: Browser;
let page: Page;
beforeAll(async () => {
  // The demo catalog goes in through the router as an operator's script would; then the router is
  // restarted serving the storefront's documents only.
  await seedCatalog(api.stack.routerUrl, DEV_ADMIN);
  await api.stack.processes
    .get('router')!
    .restart({ env: { TRUSTED_DOCUMENTS: join(ROOT, 'web', 'persisted-query-manifest.json') } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

describe('the storefront in Chromium', () => {
  it('browses the catalog, scrolls for more, searches, filters by category and opens a product', async () => {
    await page.goto(api.stack.storefrontUrl!);
    await expect(page.getByRole('heading', { name: 'Catalog', level: 1 }).isVisible()).resolves.toBe(true);
    const products = page.getByRole('list', { name: 'Products' }).getByRole('listitem');
    await products.first().waitFor();
    await screenshot(page, 'catalog');

    // Infinite scroll: another page arrives whenever the end of the list comes into view.
    const shown = await products.count();
    await page.getByRole('button', { name: 'Show more products' }).scrollIntoViewIfNeeded();
    await products.nth(shown).waitFor();
    expect((await products.count()) % 12).toBe(0);

    // Full-text search for the last word of a product on the page finds that product.
    const wanted = (await products.nth(3).getByRole('link').textContent())!;
    const word = wanted.split(' ').at(-1)!;
    await page.getByRole('searchbox', { name: 'Search products' }).fill(word);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: `Results for “${word}”` }).waitFor();
    await products.getByRole('link', { name: wanted }).first().waitFor();
    await screenshot(page, 'search');

    const category = page.getByRole('combobox', { name: 'Category' });
    const option = category.getByRole('option').nth(1);
    const label = (await option.textContent())!;
    await category.selectOption({ label });
    await page.waitForURL(/category=/);
    await page
      .getByRole('status')
      .filter({ hasText: /products?$/ })
      .waitFor();

    await page.getByRole('searchbox', { name: 'Search products' }).fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    // A product in stock: the next test buys it. (About one demo product in eight has none, and the
    // list's order among products created in the same instant is not fixed.)
    const inStock = products.filter({ hasNotText: 'Out of stock' }).first().getByRole('link');
    const name = (await inStock.textContent())!;
    await inStock.click();
    const heading = page.getByRole('heading', { name, level: 1 });
    await heading.waitFor();
    // Focus moved to the new page's heading, as a page load would put a screen reader there.
    await expect(page.locator(':focus').textContent()).resolves.toBe(name);
    await page
      .getByText(/In stock|Only \d+ left/)
      .first()
      .waitFor();
    await page.getByRole('heading', { name: 'Bought together' }).waitFor();
    await screenshot(page, 'product');
  });

  it('signs up, adds to the cart, changes the quantity, checks out and watches the order reach CONFIRMED live', async () => {
    // Still on the product page of the first test: sign up from the header and come back to it.
    const productUrl = page.url();
    const productName = (await page.getByRole('heading', { level: 1 }).textContent())!;
    await page.getByRole('link', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    await page.getByLabel('Name').fill('Browser Shopper');
    await page.getByLabel('Email').fill(`shopper-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await screenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(productUrl);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('status').filter({ hasText: 'Added to your cart.' }).waitFor();
    await page.getByRole('link', { name: 'Cart, 1 item' }).click();
    await page.getByRole('heading', { name: 'Your cart' }).waitFor();
    await page.getByRole('button', { name: `One more ${productName}` }).click();
    // The header's count follows the optimistic cart at once, then the server's answer.
    await page.getByRole('link', { name: 'Cart, 2 items' }).waitFor();
    await page.getByText('Subtotal (2 items)').waitFor();
    await screenshot(page, 'cart');

    await page.getByRole('link', { name: 'Check out' }).click();
    await page.getByRole('heading', { name: 'Checkout' }).waitFor();
    await page.getByLabel('Street and number').fill('1 Main St');
    await page.getByLabel('City').fill('Springfield');
    await page.getByLabel('Postal code').fill('12345');
    await screenshot(page, 'checkout');
    const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
    const unreadBefore = await unreadCount(page);
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\//);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await page.getByRole('status').filter({ hasText: 'CONFIRMED' }).waitFor({ timeout: 30_000 });
    expect(navigations).toEqual([]);
    // The ordered lines left the cart as soon as the order was placed.
    await page.getByRole('link', { name: 'Cart, 0 items' }).waitFor();
    await screenshot(page, 'order-confirmed');

    // The order's notifications arrive over notificationAdded: the bell's unread count goes up.
    await waitFor(
      async () => (await unreadCount(page)) > unreadBefore,
      30_000,
      'the bell counting the order',
    );
    await bell.click();
    await page.getByRole('region', { name: 'Notifications' }).getByRole('listitem').first().waitFor();
    await screenshot(page, 'notifications');
    await bell.click();

    // The server's cart agrees once it has handled the order: the cart page, loaded afresh, is empty.
    await waitFor(
      async () => {
        await page.goto(new URL('/cart', api.stack.storefrontUrl).href);
        const empty = page.getByText('Your cart is empty.');
        await empty
          .or(page.getByText(/^Subtotal/))
          .first()
          .waitFor();
        return empty.isVisible();
      },
      30_000,
      'the server’s cart without the ordered lines',
    );
  });

  it('shows a declined card as declined on the order page', async () => {
    await page.goto(new URL('/', api.stack.storefrontUrl).href);
    const products = page.getByRole('list', { name: 'Products' }).getByRole('listitem');
    await products.nth(1).getByRole('link').click();
    await page.getByRole('button', { name: 'Add to cart' }).click();
    await page.getByRole('status').filter({ hasText: 'Added to your cart.' }).waitFor();
    await page.getByRole('link', { name: /^Cart, / }).click();
    await page.getByRole('link', { name: 'Check out' }).click();
    await page.getByLabel('Street and number').fill('1 Main St');
    await page.getByLabel('City').fill('Springfield');
    await page.getByLabel('Postal code').fill('12345');
    await page.getByLabel('Card token').fill('tok_chargeDeclined');
    await page.getByRole('button', { name: 'Place order' }).click();
    await page.waitForURL(/\/orders\//);
    await page
      .getByRole('status')
      .filter({ hasText: 'Cancelled: your card was declined.' })
      .waitFor({ timeout: 30_000 });
    await screenshot(page, 'order-declined');
  });

  it('lets an admin create a product that then appears in search', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('Email').fill(DEV_ADMIN.email);
    await page.getByLabel('Password').fill(DEV_ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Catalog admin' }).waitFor();

    const name = `Zephyrine Lantern ${Date.now().toString(36)}`;
    await page.getByLabel('SKU').fill(`ZEPH-${Date.now()}`);
    await page.getByLabel('Product name').fill(name);
    await page.getByLabel('Description').fill('A lantern made in the browser spec.');
    await page.getByLabel('Price (USD)').fill('24.50');
    const category = page.getByRole('combobox', { name: 'Category' });
    await category.selectOption({ index: 1 });
    await page.getByRole('button', { name: 'Create product' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Created ${name}.` })
      .waitFor();
    await screenshot(page, 'admin');

    await page.getByRole('link', { name: 'Catalog' }).first().click();
    await page.getByRole('searchbox', { name: 'Search products' }).fill('Zephyrine');
    await page.getByRole('button', { name: 'Search' }).click();
    const found = page.getByRole('list', { name: 'Products' }).getByRole('link', { name });
    await found.waitFor();
    await found.click();
    await page.getByText('In stock').first().waitFor();
  });

  it('sent only trusted documents, to a router that refuses every other operation', async () => {
    // Nothing the storefront sent in the journey above was refused...
    expect(await refusals()).toEqual(Object.fromEntries(TRUSTED_CODES.map((code) => [code, 0])));
    // ...by a router that does refuse what is not listed, as any other client sees it.
    const response = await fetch(api.stack.routerUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ products(first: 1) { edges { node { id } } } }' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'This operation is not one of the trusted documents this server runs',
          extensions: { code: 'QUERY_NOT_IN_SAFELIST' },
        },
      ],
    });
    expect((await refusals()).QUERY_NOT_IN_SAFELIST).toBe(1);
  });
});

/** The bell's unread count, from its accessible name. */
async function unreadCount(page: Page): Promise<number> {
  const label = await page
    .getByRole('button', { name: /^Notifications, \d+ unread$/ })
    .getAttribute('aria-label');
  return Number(/(\d+) unread/.exec(label ?? '')?.[1] ?? 0);
}
