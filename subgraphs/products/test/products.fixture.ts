import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import type { EventEnvelope } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph } from '@shop/platform/testing';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';

/**
 * The products subgraph on port 0 against a fresh database and a Kafka namespace of its own (so
 * parallel test files never steal each other's events), with tokens for an admin and a customer.
 * `consumers: false` leaves the Kafka consumer off (specs that count SQL statements).
 */
export async function startProducts({ consumers = true }: { consumers?: boolean } = {}) {
  const subgraph = await startTestSubgraph({
    name: 'products',
    consumers,
    entities,
    migrations,
    buildApp,
  });
  const admin = await subgraph.issuer.token(randomUUID(), { roles: ['ADMIN'] });
  const customer = await subgraph.issuer.token(randomUUID(), { roles: ['CUSTOMER'] });
  return { subgraph, admin, customer, ...factories(subgraph, admin) };
}

export type ProductsUnderTest = Awaited<ReturnType<typeof startProducts>>;

export interface CreatedProduct {
  id: string;
  sku: string;
  slug: string;
  name: string;
  price: { amount: string; currencyCode: string };
  category: { id: string; name: string };
}

/** Makes data through the API, as an admin would (tests never hand-build rows). */
function factories(subgraph: TestSubgraph, admin: string) {
  let sequence = 0;
  const unique = () => `${Date.now().toString(36)}${(sequence++).toString(36)}`.toUpperCase();

  async function createCategory(
    name = `Category ${unique()}`,
    slug?: string,
  ): Promise<{ id: string; slug: string; name: string }> {
    const response = await subgraph.request(
      'mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id slug name } }',
      { input: { name, ...(slug ? { slug } : {}) } },
      admin,
    );
    expect(response.errors).toBeUndefined();
    return response.data.createCategory;
  }

  async function createProduct(input: {
    categoryId: string;
    name?: string;
    sku?: string;
    description?: string | null;
    price?: string;
  }): Promise<CreatedProduct> {
    const response = await subgraph.request(
      `mutation($input: CreateProductInput!) {
        createProduct(input: $input) { id sku slug name price { amount currencyCode } category { id name } }
      }`,
      {
        input: {
          sku: input.sku ?? `T-${unique()}`,
          name: input.name ?? `Test Product ${unique()}`,
          description: input.description ?? null,
          price: input.price ?? '9.99',
          categoryId: input.categoryId,
        },
      },
      admin,
    );
    expect(response.errors).toBeUndefined();
    return response.data.createProduct;
  }

  return { createCategory, createProduct, unique };
}

/**
 * Reads `topics` from Kafka with a fresh consumer group (from the beginning, as a downstream
 * subgraph would) and keeps every envelope whose payload passes `parse`.
 */
export async function collectEvents<P>(
  subgraph: TestSubgraph,
  topics: string[],
  parse: (payload: unknown) => P,
): Promise<{ events: EventEnvelope<P>[]; stop: () => Promise<void> }> {
  const events: EventEnvelope<P>[] = [];
  const consumer = await subgraph.runtime.kafka.consume({
    groupId: `products-test-reader-${randomUUID().slice(0, 8)}`,
    deadLetterTopic: 'products-test.dlq',
    maxAttempts: 1,
    handlers: Object.fromEntries(
      topics.map((topic) => [
        topic,
        { parse, handle: async (event: EventEnvelope<P>) => void events.push(event) },
      ]),
    ),
  });
  return { events, stop: () => consumer.stop() };
}
