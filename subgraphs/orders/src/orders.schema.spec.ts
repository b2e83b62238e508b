import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildApiSchema,
  composeSupergraph,
  loadSubgraphSources,
  readSupergraphConfig,
  validateOperations,
} from '../../../schema/src/supergraph/index.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const sdl = readFileSync(new URL('../orders.graphql', import.meta.url), 'utf8');
const operationsFile = process.env.CONTRACT_OPERATIONS || `${repoRoot}../shared/api/operations.graphql`;

/**
 * orders.graphql composes with every subgraph registered in supergraph.yaml (through the schema
 * pipeline's own helpers), and the contract's order operations validate against the API schema.
 */
describe('orders.graphql in the supergraph', () => {
  it('composes and serves PlaceOrder, Order, MyOrders, CancelOrder and the OrderStatus subscription', async () => {
    const config = await readSupergraphConfig(`${repoRoot}supergraph.yaml`);
    const sources = (await loadSubgraphSources(config.subgraphs)).filter((s) => s.name !== 'orders');
    sources.push({ name: 'orders', url: 'http://127.0.0.1:4006/graphql', file: 'orders.graphql', sdl });
    const outcome = composeSupergraph(sources);
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems, null, 2));
    const report = validateOperations(
      buildApiSchema(outcome.supergraphSdl),
      readFileSync(operationsFile, 'utf8'),
    );
    const ours = report.operations.filter((o) =>
      ['PlaceOrder', 'Order', 'MyOrders', 'CancelOrder', 'OrderStatus'].includes(o.name),
    );
    expect(ours.map((o) => [o.name, o.errors])).toEqual([
      ['PlaceOrder', []],
      ['Order', []],
      ['MyOrders', []],
      ['CancelOrder', []],
      ['OrderStatus', []],
    ]);
  });
});
