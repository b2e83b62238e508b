import { describe, expect, it, jest } from '@jest/globals';
import { money } from '@shop/platform';
import { SLUG_PATTERN, slugify } from '../slug.js';
import { buildCatalog, catalog } from './catalog.js';

describe('demo catalog', () => {
  it('is deterministic: built again, without Math.random, it is the same data', () => {
    const random = jest.spyOn(Math, 'random');
    try {
      expect(buildCatalog()).toEqual(catalog);
      expect(random).not.toHaveBeenCalled();
    } finally {
      random.mockRestore();
    }
    // A different seed gives different data, so the equality above is not trivially true.
    expect(buildCatalog(1).products.map((p) => p.name)).not.toEqual(catalog.products.map((p) => p.name));
  });

  it('has at least 8 categories with unique slugs, each with products', () => {
    expect(catalog.categories.length).toBeGreaterThanOrEqual(8);
    const slugs = catalog.categories.map((c) => c.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const category of catalog.categories) {
      expect(category.slug).toMatch(SLUG_PATTERN);
      expect(category.name.length).toBeGreaterThan(0);
      expect(catalog.products.filter((p) => p.categorySlug === category.slug).length).toBeGreaterThanOrEqual(
        20,
      );
    }
  });

  it('has at least 200 valid products', () => {
    expect(catalog.products.length).toBeGreaterThanOrEqual(200);
    const categorySlugs = new Set(catalog.categories.map((c) => c.slug));
    for (const product of catalog.products) {
      expect(product.sku).toMatch(/^[A-Z]{4}-\d{4}$/);
      expect(product.name.length).toBeGreaterThan(0);
      expect(product.name.length).toBeLessThanOrEqual(200);
      expect(product.description.length).toBeLessThanOrEqual(5000);
      expect(Number.isInteger(product.priceMinor)).toBe(true);
      expect(product.priceMinor).toBeGreaterThan(0);
      expect(product.price).toBe(money(product.priceMinor, 'USD').amount);
      expect(categorySlugs.has(product.categorySlug)).toBe(true);
      expect(Number.isInteger(product.initialStock) && product.initialStock >= 0).toBe(true);
    }
    // Some products start out of stock, most do not: the inStock filter has something to show.
    const outOfStock = catalog.products.filter((p) => p.initialStock === 0).length;
    expect(outOfStock).toBeGreaterThan(0);
    expect(outOfStock).toBeLessThan(catalog.products.length / 2);
  });

  it('has unique SKUs (case-insensitively) and names whose derived slugs are unique', () => {
    const skus = catalog.products.map((p) => p.sku.toLowerCase());
    expect(new Set(skus).size).toBe(skus.length);
    const slugs = catalog.products.map((p) => slugify(p.name));
    expect(slugs.every((slug) => SLUG_PATTERN.test(slug))).toBe(true);
    expect(new Set(slugs).size).toBe(slugs.length);
  });
});
