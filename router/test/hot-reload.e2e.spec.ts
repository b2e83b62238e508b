import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, graphql, waitFor, type GraphQLResponse } from '@shop/platform/testing';
import { composeSupergraph, startCatalog, startStack, type FixtureSubgraph, type Stack } from './fixtures.js';

describe('router: supergraph hot reload', () => {
  let stack: Stack;
  let catalogV2: FixtureSubgraph;
  beforeAll(async () => {
    stack = await startStack({ supergraphWatch: { debounceMs: 50, pollIntervalMs: 1000 } });
    catalogV2 = await startCatalog(stack.issuer, 2);
  });
  afterAll(async () => {
    await catalogV2?.stop();
    await stack?.stop();
  });

  const priceQuery = '{ product(id: "p1") { name price } }';
  const reloads = async (outcome: 'applied' | 'rejected') => {
    const text = await (await fetch(`${stack.router.url}/metrics`)).text();
    const match = new RegExp(
      `router_supergraph_reloads_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)`,
    ).exec(text);
    return Number(match?.[1] ?? 0);
  };

  it('picks up a new subgraph version and URL from the rewritten file without a restart or a dropped request', async () => {
    expect(errorCodes(await graphql(stack.router.graphqlUrl, priceQuery))).toEqual([
      'GRAPHQL_VALIDATION_FAILED',
    ]);

    // Requests already in flight, and a steady stream of new ones, while the file changes.
    const inFlight = graphql(stack.router.graphqlUrl, '{ slow(ms: 1500) product(id: "p2") { name } }');
    let streaming = true;
    const stream: Promise<GraphQLResponse[]> = (async () => {
      const responses: GraphQLResponse[] = [];
      while (streaming)
        responses.push(await graphql(stack.router.graphqlUrl, '{ ping product(id: "p1") { name } }'));
      return responses;
    })();
    await sleep(200);

    await writeFile(
      stack.file.path,
      composeSupergraph([stack.accounts, { name: 'catalog', url: catalogV2.url, sdl: catalogV2.sdl }]),
    );
    const reloaded = await waitFor(
      async () => {
        const response = await graphql(stack.router.graphqlUrl, priceQuery);
        return response.errors === undefined && response;
      },
      8_000,
      'the price query to validate on the new supergraph',
    );
    expect(reloaded.data).toEqual({ product: { name: 'Lamp', price: 1999 } });

    const v1Calls = stack.catalog.calls.length;
    expect((await graphql(stack.router.graphqlUrl, '{ product(id: "p2") { name price } }')).data).toEqual({
      product: { name: 'Desk', price: 24900 },
    });
    // The new routing URL is used: the old catalog sees nothing more.
    expect(stack.catalog.calls.length).toBe(v1Calls);
    expect(catalogV2.calls.length).toBeGreaterThan(0);

    streaming = false;
    expect((await inFlight).data).toEqual({ slow: 'slept 1500', product: { name: 'Desk' } });
    const streamed = await stream;
    expect(streamed.length).toBeGreaterThan(3);
    expect(streamed.filter((r) => r.errors !== undefined)).toEqual([]);
    expect(await reloads('applied')).toBe(1);
  });

  it('keeps serving the current supergraph when the file is broken, then takes the next good one', async () => {
    const good = await readFile(stack.file.path, 'utf8');
    const rejectedBefore = await reloads('rejected');

    await writeFile(stack.file.path, 'schema { query: Query');
    await waitFor(async () => (await reloads('rejected')) === rejectedBefore + 1, 8_000, 'a rejected reload');
    expect((await graphql(stack.router.graphqlUrl, priceQuery)).data).toEqual({
      product: { name: 'Lamp', price: 1999 },
    });

    // Valid GraphQL, but linking a security feature nobody enforces: the gateway refuses it.
    const withPolicy = good.replace(
      /(@link\(url: "https:\/\/specs\.apollo\.dev\/link\/v1\.0"\))/,
      '$1\n  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
    );
    expect(withPolicy).not.toBe(good);
    await writeFile(stack.file.path, withPolicy);
    await waitFor(
      async () => (await reloads('rejected')) === rejectedBefore + 2,
      8_000,
      'a second rejected reload',
    );
    expect((await graphql(stack.router.graphqlUrl, priceQuery)).data).toEqual({
      product: { name: 'Lamp', price: 1999 },
    });
    expect((await fetch(`${stack.router.url}/health/ready`)).status).toBe(200);

    // Back to catalog v1 (no price): the next good file is applied.
    await writeFile(stack.file.path, composeSupergraph([stack.accounts, stack.catalog]));
    await waitFor(
      async () =>
        errorCodes(await graphql(stack.router.graphqlUrl, priceQuery)).includes('GRAPHQL_VALIDATION_FAILED'),
      8_000,
      'the price query to fail validation',
    );
    expect((await graphql(stack.router.graphqlUrl, '{ product(id: "p1") { name } }')).data).toEqual({
      product: { name: 'Lamp' },
    });
  });
});
