import { describe, expect, it } from '@jest/globals';
import { entityLoader, perRequest } from './loaders.js';

describe('entityLoader', () => {
  it('folds the keys of one tick into one fetch, per request, with null for missing keys', async () => {
    const calls: (readonly string[])[] = [];
    const load = entityLoader(
      async (_ctx: object, ids: readonly string[]) => {
        calls.push(ids);
        return ids.filter((id) => id !== 'missing').map((id) => ({ id, name: id.toUpperCase() }));
      },
      (row) => row.id,
    );
    const ctx = {};
    const results = await Promise.all(['a', 'b', 'missing', 'a'].map((id) => load(ctx).load(id)));
    expect(results).toEqual([{ id: 'a', name: 'A' }, { id: 'b', name: 'B' }, null, { id: 'a', name: 'A' }]);
    expect(calls).toEqual([['a', 'b', 'missing']]);

    await load({}).load('a');
    expect(calls).toHaveLength(2);
  });

  it('memoizes one value per context', () => {
    let made = 0;
    const get = perRequest(() => ++made);
    const ctx = {};
    expect(get(ctx)).toBe(1);
    expect(get(ctx)).toBe(1);
    expect(get({})).toBe(2);
  });
});
