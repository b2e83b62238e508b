import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { graphql } from '@shop/platform/testing';
import { startStack, type Stack } from './fixtures.js';

describe('router: identical subgraph reads in flight are sent once', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const callsTo = () => stack.accounts.calls.length;
  const shared = async () =>
    (await stack.router.router.metrics.subgraphFetchesShared.get()).values.find(
      (v) => v.labels.subgraph === 'accounts',
    )?.value ?? 0;

  it('shares one fetch between identical concurrent reads of the same caller, each getting the answer', async () => {
    const token = await stack.issuer.token('u1');
    const before = callsTo();
    const sharedBefore = await shared();
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        graphql(stack.router.graphqlUrl, '{ slow(ms: 400) whoami }', {}, { token }),
      ),
    );
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({ slow: 'slept 400', whoami: 'u1' });
    }
    expect(callsTo() - before).toBe(1);
    expect((await shared()) - sharedBefore).toBe(4);
  });

  it('never shares between callers, or mutations', async () => {
    const [ada, grace] = await Promise.all([stack.issuer.token('u1'), stack.issuer.token('u2')]);
    const before = callsTo();
    const answers = await Promise.all([
      graphql(stack.router.graphqlUrl, '{ slow(ms: 300) whoami }', {}, { token: ada }),
      graphql(stack.router.graphqlUrl, '{ slow(ms: 300) whoami }', {}, { token: grace }),
    ]);
    expect(answers.map((a) => (a.data as { whoami: string }).whoami)).toEqual(['u1', 'u2']);
    expect(callsTo() - before).toBe(2);

    const beforeMutations = callsTo();
    await Promise.all(
      Array.from({ length: 3 }, () =>
        graphql(stack.router.graphqlUrl, 'mutation { touch }', {}, { token: ada }),
      ),
    );
    expect(callsTo() - beforeMutations).toBe(3);
  });
});
