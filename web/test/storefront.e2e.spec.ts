import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { seedCatalog } from '../../scripts/seed.js';
import { DEV_ADMIN } from '../../scripts/stack.js';
import { useStack } from '../../test/support/stack.js';
import { buildStorefront, launchChromium, screenshot } from './browser.js';

// The storefront in a real Chromium against a whole stack of its own, as a shopper uses it: elements
// are found by role and name, the way a screen reader sees the page.
beforeAll(buildStorefront, 60_000);
const api = useStack({ storefront: true });

let browser: Browser;
let page: Page;
beforeAll(async () => {
  await seedCatalog(api.stack.routerUrl, DEV_ADMIN);
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
    const first = products.first().getByRole('link');
    const name = (await first.textContent())!;
    await first.click();
    const heading = page.getByRole('heading', { name, level: 1 });
    await heading.waitFor();
    // Focus moved to the new page's heading, as a page load would put a screen reader there.
    await expect(heading.evaluate((element) => element === document.activeElement)).resolves.toBe(true);
    await page
      .getByText(/In stock|Only \d+ left|Out of stock/)
      .first()
      .waitFor();
    await page.getByRole('heading', { name: 'Bought together' }).waitFor();
    await screenshot(page, 'product');
  });
});
