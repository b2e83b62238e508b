import { beforeAll } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { waitFor } from '../../platform/src/testing/wait-for.js';
import { contract } from './contract.js';
import type { useStack } from './stack.js';

/** What `useStack()` returns: the stack and a client of its router. */
export type StackClient = ReturnType<typeof useStack>;

export const ADDRESS = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };

export interface OrderLine {
  productId: string;
  quantity: number;
}

const AVAILABLE = 'query($id: ID!) { product(id: $id) { id availableQuantity } }';
const FINAL = ['CONFIRMED', 'CANCELLED'];

/**
 * A spec's own corner of the catalog on the stack of `api`: signs in as the admin and creates a
 * category `<label> <tag>` before the spec's tests (call it at the top level or in a `describe`, after
 * `useStack`), then makes products in it with unique SKUs (`<LABEL>-<tag>-<n>`).
 */
export function useCatalog(api: StackClient, label: string) {
  const tag = randomUUID().slice(0, 8);
  const state = { admin: '', categoryId: '', serial: 0 };
  beforeAll(async () => {
    state.admin = await api.adminToken();
    state.categoryId = await api.createCategory(state.admin, `${label} ${tag}`);
  });
  return {
    /** The spec's unique tag (part of every name and SKU it makes). */
    tag,
    /** The admin's access token. */
    get admin() {
      return state.admin;
    },
    get categoryId() {
      return state.categoryId;
    },
    /**
     * Creates a product (`name` gets the tag appended; default `<label> <tag> <n>`) with `stock` units
     * on hand; resolves its id. Throws with the GraphQL errors when the router refuses either step.
     */
    async product({ price, stock = 0, name }: { price: string; stock?: number; name?: string }) {
      const serial = state.serial++;
      const created = await api.request(
        contract('CreateProduct'),
        {
          input: {
            sku: `${label.toUpperCase().replace(/\W+/g, '-')}-${tag}-${serial}`,
            name: name ? `${name} ${tag}` : `${label} ${tag} ${serial}`,
            price,
            categoryId: state.categoryId,
          },
        },
        state.admin,
      );
      if (created.errors) throw new Error(`createProduct failed: ${JSON.stringify(created.errors)}`);
      const id = created.data.createProduct.id as string;
      if (stock) {
        const adjusted = await api.request(
          contract('AdjustStock'),
          { productId: id, delta: stock },
          state.admin,
        );
        if (adjusted.errors) throw new Error(`adjustStock failed: ${JSON.stringify(adjusted.errors)}`);
      }
      return id;
    },
  };
}

/** Order helpers through the router of `api`, as a storefront sends them. */
export function ordersOf(api: StackClient) {
  const order = async (id: string, token: string) =>
    (await api.request(contract('Order'), { id }, token)).data?.order;
  return {
    /** `placeOrder` with a fresh idempotency key; resolves the whole response (errors included). */
    placeOrder: (token: string, items: OrderLine[], paymentToken = 'tok_visa') =>
      api.request(
        contract('PlaceOrder'),
        { input: { idempotencyKey: randomUUID(), items, paymentToken, shippingAddress: ADDRESS } },
        token,
      ),
    /** The `Order` query's order (null or undefined when the caller may not see it). */
    order,
    /** Polls the order until it is CONFIRMED or CANCELLED; resolves it. */
    settled: (id: string, token: string, timeoutMs = 30_000) =>
      waitFor(
        async () => {
          const found = await order(id, token);
          return found && FINAL.includes(found.status) ? found : undefined;
        },
        timeoutMs,
        `order ${id} to settle`,
      ),
    /** The product's `availableQuantity`. */
    available: async (productId: string) =>
      (await api.request(AVAILABLE, { id: productId })).data.product.availableQuantity as number,
  };
}
