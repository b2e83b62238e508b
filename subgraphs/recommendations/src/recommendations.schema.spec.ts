import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { composeWith, validateContractOperations } from '../../../schema/src/supergraph/index.js';

const sdl = readFileSync(new URL('../recommendations.graphql', import.meta.url), 'utf8');

/**
 * recommendations.graphql composes with every subgraph registered in supergraph.yaml (through the
 * schema pipeline's own helpers), and the contract's operations that read recommendations validate
 * against the API schema.
 */
describe('recommendations.graphql in the supergraph', () => {
  it('composes and serves Product and ForYou', async () => {
    const supergraphSdl = await composeWith({ name: 'recommendations', sdl });
    const ours = await validateContractOperations(supergraphSdl, ['Product', 'ForYou']);
    expect(ours.map((o) => [o.name, o.errors])).toEqual([
      ['Product', []],
      ['ForYou', []],
    ]);
  });
});
