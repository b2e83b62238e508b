import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorCodes, graphql, metricsText, metricSum, waitFor } from '@shop/platform/testing';
import { startStack, type Stack } from './fixtures.js';

describe('router: a mutation shed by its subgraph is refused at the edge for its Retry-After', () => {
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    stack = await startStack();
    token = await stack.issuer.token('u1');
  });
  afterAll(async () => {
    await stack.stop();
  });

  const reserve = (shed: number) =>
    graphql(stack.router.graphqlUrl, 'mutation($shed: Int!) { reserve(shed: $shed) }', { shed }, { token });
  const shedCount = async () =>
    metricSum(await metricsText(stack.router.graphqlUrl), 'router_mutations_shed_total', {
      field: 'reserve',
    });

  it('answers 503 without a fetch until the window passes, other mutations going on meanwhile', async () => {
    expect((await reserve(0)).data).toEqual({ reserve: 0 });

    const refusedUpstream = await reserve(3);
    expect(refusedUpstream.status).toBe(503);
    expect(refusedUpstream.headers.get('retry-after')).toBe('3');
    expect(errorCodes(refusedUpstream)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(refusedUpstream.errors![0]!.message).toBe('Too many reservations right now');

    const callsBefore = stack.accounts.calls.length;
    const refusedAtEdge = await reserve(0);
    expect(refusedAtEdge.status).toBe(503);
    expect(Number(refusedAtEdge.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
    expect(errorCodes(refusedAtEdge)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(refusedAtEdge.errors![0]!.extensions?.retryAfterSeconds).toBe(
      Number(refusedAtEdge.headers.get('retry-after')),
    );
    expect(refusedAtEdge.errors![0]!.message).toMatch(/^reserve is refused for now/);
    expect(stack.accounts.calls.length).toBe(callsBefore);
    expect(await shedCount()).toBe(1);

    // The subgraph's other mutations, and its queries, are not shed.
    expect((await graphql(stack.router.graphqlUrl, 'mutation { touch }', {}, { token })).data).toEqual({
      touch: 1,
    });
    expect((await graphql(stack.router.graphqlUrl, '{ ping }')).data).toEqual({ ping: 'pong' });
    expect(stack.accounts.calls.length).toBe(callsBefore + 2);

    // Once the window has passed, reserve reaches the subgraph again (every refusal before it counted).
    let answered: Awaited<ReturnType<typeof reserve>> | undefined;
    await waitFor(
      async () => {
        answered = await reserve(0);
        return answered.status === 200;
      },
      10_000,
      'reserve to reach its subgraph again',
    );
    expect(answered!.data).toEqual({ reserve: 0 });
    expect(await shedCount()).toBeGreaterThanOrEqual(2);
  });
});

describe('router: MUTATION_SHEDDING=false', () => {
  let stack: Stack;
  let token: string;

  beforeAll(async () => {
    stack = await startStack({ mutationShedding: false });
    token = await stack.issuer.token('u1');
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('sends every mutation to its subgraph', async () => {
    const reserve = (shed: number) =>
      graphql(stack.router.graphqlUrl, 'mutation($shed: Int!) { reserve(shed: $shed) }', { shed }, { token });
    expect((await reserve(3)).status).toBe(503);
    const callsBefore = stack.accounts.calls.length;
    expect((await reserve(0)).data).toEqual({ reserve: 0 });
    expect(stack.accounts.calls.length).toBe(callsBefore + 1);
  });
});
