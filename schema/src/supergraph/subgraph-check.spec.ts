import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contractOperationsFile } from './contract.js';
import { composeWith, validateContractOperations } from './subgraph-check.js';
import { ACCOUNTS_SDL, CATALOG_SDL } from './test-fixtures.js';

const CONFIG = `subgraphs:
  accounts:
    routing_url: http://127.0.0.1:4001/graphql
    schema:
      file: ./accounts.graphql
  catalog:
    routing_url: http://127.0.0.1:4003/graphql
    schema:
      file: ./catalog.graphql
`;

const CATALOG_WITH_PRICE = CATALOG_SDL.replace('name: String!', 'name: String!\n  price: Int!');

const CONTRACT = `query Me { me { id email } }
query Product($id: ID!) { product(id: $id) { id name price } }
query Reviews { reviews { id } }
`;

describe('composeWith / validateContractOperations', () => {
  let dir: string;
  let configFile: string;
  let operationsFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'subgraph-check-'));
    configFile = join(dir, 'supergraph.yaml');
    operationsFile = join(dir, 'operations.graphql');
    await writeFile(configFile, CONFIG);
    await writeFile(join(dir, 'accounts.graphql'), ACCOUNTS_SDL);
    await writeFile(join(dir, 'catalog.graphql'), CATALOG_SDL);
    await writeFile(operationsFile, CONTRACT);
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("composes the registered subgraphs with the working SDL in place of that subgraph's file", async () => {
    const supergraphSdl = await composeWith({ name: 'catalog', sdl: CATALOG_WITH_PRICE }, configFile);
    expect(supergraphSdl).toContain('price: Int!');
    expect(await validateContractOperations(supergraphSdl, ['Product', 'Me'], operationsFile)).toEqual([
      { name: 'Product', errors: [] },
      { name: 'Me', errors: [] },
    ]);
  });

  it('adds a subgraph supergraph.yaml does not register yet', async () => {
    const reviews = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { reviews: [Review!]! }
type Review @key(fields: "id") { id: ID! }
`;
    const registered = await composeWith({ name: 'catalog', sdl: CATALOG_SDL }, configFile);
    const supergraphSdl = await composeWith({ name: 'reviews', sdl: reviews }, configFile);
    expect(await validateContractOperations(registered, ['Reviews'], operationsFile)).toEqual([
      { name: 'Reviews', errors: [expect.stringContaining('Cannot query field "reviews"')] },
    ]);
    expect(await validateContractOperations(supergraphSdl, ['Reviews'], operationsFile)).toEqual([
      { name: 'Reviews', errors: [] },
    ]);
  });

  it('fails an operation the schema cannot serve, and a name the contract does not have', async () => {
    const supergraphSdl = await composeWith({ name: 'catalog', sdl: CATALOG_SDL }, configFile);
    expect(await validateContractOperations(supergraphSdl, ['Product', 'Orders'], operationsFile)).toEqual([
      {
        name: 'Product',
        errors: ['Cannot query field "price" on type "Product". (operations.graphql:2:54)'],
      },
      { name: 'Orders', errors: [`not in ${operationsFile}`] },
    ]);
  });

  it('throws every composition problem of a working SDL that does not compose', async () => {
    const conflicting = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Product @key(fields: "id") { id: ID! name: Int! }
`;
    await expect(composeWith({ name: 'reviews', sdl: conflicting }, configFile)).rejects.toThrow(
      /^reviews does not compose with the other subgraphs:\n {2}1\. FIELD_TYPE_MISMATCH \[catalog, reviews\]/,
    );
  });

  it('reads the contract from $CONTRACT_OPERATIONS when set, else from the copy in the repository', () => {
    expect(contractOperationsFile({ CONTRACT_OPERATIONS: '/tmp/ops.graphql' })).toBe('/tmp/ops.graphql');
    expect(contractOperationsFile({})).toMatch(/\/schema\/contract\/operations\.graphql$/);
    expect(existsSync(contractOperationsFile({}))).toBe(true);
  });
});
