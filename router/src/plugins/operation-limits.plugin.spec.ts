import { afterAll, describe, expect, it } from '@jest/globals';
import { operationLimitsPlugin } from './operation-limits.plugin.js';
import { pluginTestServer } from './plugin-test-server.js';

describe('operationLimitsPlugin', () => {
  const server = pluginTestServer([operationLimitsPlugin({ maxDepth: 3, maxAliases: 2, maxCost: 50 })]);
  afterAll(() => server.stop());

  it('runs an operation within every limit', async () => {
    const result = await server.run('{ a: ping b: ping product(id: "1") { related(first: 3) { name } } }');
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ a: 'pong', b: 'pong' });
  });

  it.each([
    ['depth', '{ product(id: "1") { related(first: 1) { related(first: 1) { name } } } }', 4, 3],
    ['aliases', '{ a: ping b: ping c: ping }', 3, 2],
    ['cost', '{ users(first: 30) { id name } }', 61, 50],
  ])('refuses an operation over the %s limit before executing it', async (limit, query, actual, max) => {
    const before = server.executions;
    const result = await server.run(query);
    expect(result.status).toBe(400);
    expect(result.errors).toEqual([
      {
        message: expect.stringMatching(new RegExp(`${actual} exceeds the limit of ${max}$`)),
        extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit, max, actual },
      },
    ]);
    expect(server.executions).toBe(before);
  });

  it('uses variables for the sizes in the cost', async () => {
    const query = 'query($n: Int) { users(first: $n) { id } }';
    expect((await server.run(query, { variables: { n: 10 } })).errors).toBeUndefined();
    expect((await server.run(query, { variables: { n: 100 } })).errors?.[0]?.extensions?.limit).toBe('cost');
  });

  it('has the documented defaults', async () => {
    const defaults = pluginTestServer([operationLimitsPlugin()]);
    const deep = `{ product(id: "1") { ${'related(first: 1) { '.repeat(11)}name${' }'.repeat(11)} } }`;
    expect((await defaults.run(deep)).errors?.[0]?.extensions).toMatchObject({
      limit: 'depth',
      max: 12,
      actual: 13,
    });
    const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: ping`).join(' ')} }`;
    expect((await defaults.run(aliases)).errors?.[0]?.extensions).toMatchObject({
      limit: 'aliases',
      max: 30,
    });
    expect((await defaults.run('{ users(first: 5000) { id } }')).errors?.[0]?.extensions).toMatchObject({
      limit: 'cost',
      max: 5000,
      actual: 5001,
    });
    await defaults.stop();
  });
});
