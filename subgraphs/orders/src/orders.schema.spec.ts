import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { composeWith, validateContractOperations } from '../../../schema/src/supergraph/index.js';

const sdl = readFileSync(new URL('../orders.graphql', import.meta.url), 'utf8');

/**
 * orders.graphql composes with every subgraph registered in supergraph.yaml (through the schema
 * pipeline's own helpers), and the contract's order operations validate against the API schema.
 */
describe('orders.graphql in the supergraph', () => {
  it('composes and serves PlaceOrder, Order, MyOrders, CancelOrder and the OrderStatus subscription', async () => {
    const supergraphSdl = await composeWith({ name: 'orders', sdl });
    const ours = await validateContractOperations(supergraphSdl, [
      'PlaceOrder',
      'Order',
      'MyOrders',
      'CancelOrder',
      'OrderStatus',
    ]);
    expect(ours.map((o) => [o.name, o.errors])).toEqual([
      ['PlaceOrder', []],
      ['Order', []],
      ['MyOrders', []],
      ['CancelOrder', []],
      ['OrderStatus', []],
    ]);
  });
});
