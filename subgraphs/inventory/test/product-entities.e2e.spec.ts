import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type ProductsStandIn, startProductsStandIn, type TestSubgraph } from '@shop/platform/testing';
import { knownProduct, PRODUCT_ENTITIES, setStock, startInventory } from './inventory.harness.js';

/**
 * The outbox relay polls through the same ORM, so its statements (advisory lock, outbox select,
 * backlog count, begin/commit) land in `statements` whenever a tick falls inside the request.
 * They are left out here; anything else the request sends is counted.
 */
const RELAY_STATEMENT = /outbox_message|pg_try_advisory_xact_lock|^\s*(begin|commit|rollback)\b/i;
const requestStatements = (statements: string[]) => statements.filter((sql) => !RELAY_STATEMENT.test(sql));

describe('Product entities (_entities)', () => {
  let products: ProductsStandIn;
  let inventory: TestSubgraph;

  beforeAll(async () => {
    products = await startProductsStandIn();
    inventory = await startInventory({ productsUrl: products.url, consumers: false });
  });

  afterAll(async () => {
    await inventory?.stop();
    await products?.stop();
  });

  const entities = (ids: string[]) =>
    inventory.request(PRODUCT_ENTITIES, { r: ids.map((id) => ({ __typename: 'Product', id })) });

  it('resolves inStock and availableQuantity from the stock row (on hand less reserved)', async () => {
    const inStock = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, inStock, 9, 2);
    const allReserved = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, allReserved, 4, 4);

    const response = await entities([inStock, allReserved]);
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      { id: inStock, inStock: true, availableQuantity: 7 },
      { id: allReserved, inStock: false, availableQuantity: 0 },
    ]);
  });

  it('gives 0 and false for a product with no stock row yet, or an id that is not a product id', async () => {
    const unseen = randomUUID();
    const response = await entities([unseen, 'not-a-uuid']);
    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toEqual([
      { id: unseen, inStock: false, availableQuantity: 0 },
      { id: 'not-a-uuid', inStock: false, availableQuantity: 0 },
    ]);
  });

  it('answers in the representations order, each id with its own numbers, duplicates included', async () => {
    const a = await knownProduct(inventory.runtime);
    const b = await knownProduct(inventory.runtime);
    await setStock(inventory.runtime, a, 1);
    await setStock(inventory.runtime, b, 2);
    const response = await entities([b, a, b]);
    expect(response.data._entities.map((p: { availableQuantity: number }) => p.availableQuantity)).toEqual([
      2, 1, 2,
    ]);
  });

  it('resolves 50 products with ONE SQL statement', async () => {
    // Half with stock rows (various levels), half never seen: the batch must cover both.
    const stocked = await Promise.all(Array.from({ length: 25 }, () => knownProduct(inventory.runtime)));
    for (const [i, id] of stocked.entries()) await setStock(inventory.runtime, id, i + 1, i % 3);
    const unseen = Array.from({ length: 25 }, () => randomUUID());
    const ids = stocked.flatMap((id, i) => [id, unseen[i]!]);

    inventory.resetStatements();
    const response = await entities(ids);
    const sent = requestStatements(inventory.statements);

    expect(response.errors).toBeUndefined();
    expect(response.data._entities).toHaveLength(50);
    expect(response.data._entities[0]).toEqual({ id: stocked[0], inStock: true, availableQuantity: 1 });
    expect(response.data._entities[1]).toEqual({ id: unseen[0], inStock: false, availableQuantity: 0 });
    expect(response.data._entities[48]).toEqual({
      id: stocked[24],
      inStock: true,
      availableQuantity: 25 - (24 % 3),
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/from "stock"/);
  });
});
