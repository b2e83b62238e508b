/**
 * The soak's traffic through the router: the storefront mix (browse and search, a product page with
 * its recommendations, the cart) and orders at a steady rate (open loop), each order placed with an
 * idempotency key and sent again with the same key while it gets no answer or a retriable error, and
 * sometimes once more after it was accepted (a client that lost the answer). Every order accepted is
 * watched live through `orderStatusChanged`, every customer's `notificationAdded` feed is open the
 * whole time, and both resubscribe after a disconnect or an error.
 */
import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { send, type ClientLog } from './client-log.js';

export const ADDRESS = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Codes after which a storefront sends the same placeOrder again (CONTRACT.md's retriable ones). */
const RETRIABLE = new Set([
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
  'TIMEOUT',
  'NETWORK',
  'INTERNAL_SERVER_ERROR',
]);

export const OPERATIONS = {
  Products: /* GraphQL */ `
    query Products($first: Int, $filter: ProductFilter) {
      products(first: $first, filter: $filter) {
        totalCount
        edges {
          node {
            id
            name
            price {
              amount
              currencyCode
            }
            inStock
            availableQuantity
          }
        }
      }
    }
  `,
  Product: /* GraphQL */ `
    query Product($id: ID!) {
      product(id: $id) {
        id
        name
        description
        price {
          amount
          currencyCode
        }
        inStock
        availableQuantity
        recommendations(first: 4) {
          id
          name
          price {
            amount
            currencyCode
          }
        }
      }
    }
  `,
  AddToCart: /* GraphQL */ `
    mutation AddToCart($productId: ID!, $quantity: Int!) {
      addToCart(productId: $productId, quantity: $quantity) {
        id
        totalQuantity
      }
    }
  `,
  Cart: /* GraphQL */ `
    query Cart {
      cart {
        id
        totalQuantity
        subtotal {
          amount
          currencyCode
        }
        items {
          quantity
          product {
            id
            name
          }
        }
      }
    }
  `,
  PlaceOrder: /* GraphQL */ `
    mutation PlaceOrder($input: PlaceOrderInput!) {
      placeOrder(input: $input) {
        id
        status
        total {
          amount
          currencyCode
        }
        items {
          quantity
          product {
            id
            name
          }
        }
      }
    }
  `,
  CancelOrder: /* GraphQL */ `
    mutation CancelOrder($id: ID!) {
      cancelOrder(id: $id) {
        id
        status
        cancellationReason
      }
    }
  `,
  OrderStatus: /* GraphQL */ `
    subscription OrderStatus($orderId: ID!) {
      orderStatusChanged(orderId: $orderId) {
        id
        status
        statusHistory {
          status
        }
      }
    }
  `,
  NotificationFeed: /* GraphQL */ `
    subscription NotificationFeed {
      notificationAdded {
        id
        type
      }
    }
  `,
};

export interface Customer {
  id: string;
  token: string;
}

/** A small seeded generator (mulberry32), so a soak's choices repeat with its seed. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Random = ReturnType<typeof random>;

export interface LoadOptions {
  routerUrl: string;
  log: ClientLog;
  customers: Customer[];
  products: string[];
  rng: Random;
  /** Orders per second (default 2). */
  orderRate?: number;
  /** Storefront requests per second besides the orders (default 6). */
  browseRate?: number;
  /** Share of accepted orders sent once more with their key (default 0.15). */
  resendRate?: number;
  /** Share of accepted orders the customer cancels a moment later (default 0.1). */
  cancelRate?: number;
  /** Share of orders paid with a card the sandbox declines (default 0.1). */
  declineRate?: number;
  /** How long an order is retried before the client gives up on it (default 60 s). */
  giveUpMs?: number;
}

/** Live subscriptions of one customer over one graphql-ws connection that reconnects by itself. */
function liveClient(routerUrl: string, customer: Customer, log: ClientLog) {
  // Every (re)connection is a new server-side subscription: its events are a session of their own.
  let generation = 0;
  // Every subscribe too (an order followed again after its cancellation is a new subscription).
  let subscribes = 0;
  let stopped = false;
  const client: Client = createClient({
    url: routerUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: Number.MAX_SAFE_INTEGER,
    retryWait: async () => sleep(250 + Math.floor(Math.random() * 250)),
    shouldRetry: () => !stopped,
    connectionParams: () => ({ authorization: `Bearer ${customer.token}` }),
    on: {
      connected: () => {
        generation += 1;
      },
    },
  });
  const watching = new Set<string>();
  /** Orders cancelled while watched: if their subscription completes at CONFIRMED, subscribe again. */
  const rewatch = new Set<string>();

  /** Subscribes `query` until `done` says so; a new subscribe after an error or an early complete. */
  const follow = (
    feed: 'order' | 'notification',
    query: string,
    variables: Record<string, unknown>,
    onNext: (data: any, session: string) => boolean,
  ) => {
    let finished = false;
    const start = () => {
      if (stopped || finished) return;
      subscribes += 1;
      const id = `${customer.id}/${feed}/${String(variables.orderId ?? '')}#${subscribes}`;
      client.subscribe(
        { query, variables },
        {
          next: (result) => {
            if (result.errors?.length)
              log.note('subscription errors', {
                feed,
                id,
                codes: result.errors.map((e) => e.extensions?.code),
              });
            if (result.data && onNext(result.data, `${id}@${generation}`)) finished = true;
          },
          error: (error) => {
            log.note('subscription ended with an error', { feed, id, error: describeError(error) });
            setTimeout(start, 300);
          },
          complete: () => {
            if (!finished) setTimeout(start, 300);
          },
        },
      );
    };
    start();
    return () => finished;
  };

  const watchOrder = (orderId: string) => {
    if (watching.has(orderId)) return;
    watching.add(orderId);
    let final = false;
    follow('order', OPERATIONS.OrderStatus, { orderId }, (data, session) => {
      const state = data.orderStatusChanged;
      if (!state) return false;
      log.event({
        feed: 'order',
        customerId: customer.id,
        session,
        orderId,
        status: state.status,
        history: (state.statusHistory ?? []).map((s: { status: string }) => s.status),
      });
      final = state.status === 'CONFIRMED' || state.status === 'CANCELLED';
      if (final) {
        watching.delete(orderId);
        // The subscription completes after CONFIRMED (the contract), but the customer has cancelled
        // it since: subscribe again, as a client would, to see it CANCELLED (its first event).
        if (state.status === 'CONFIRMED' && rewatch.delete(orderId)) setTimeout(() => watchOrder(orderId), 0);
      }
      return final;
    });
  };

  /** After a cancellation was accepted: follow the order to CANCELLED, subscribing again if needed. */
  const afterCancel = (orderId: string) => {
    if (watching.has(orderId)) rewatch.add(orderId);
    else watchOrder(orderId);
  };

  const followNotifications = () =>
    follow('notification', OPERATIONS.NotificationFeed, {}, (data, session) => {
      const n = data.notificationAdded;
      if (n)
        log.event({
          feed: 'notification',
          customerId: customer.id,
          session,
          notificationId: n.id,
          type: n.type,
        });
      return false;
    });

  return {
    watchOrder,
    afterCancel,
    followNotifications,
    /** Orders still watched (their final status not seen yet). */
    get watching() {
      return watching.size;
    },
    async stop() {
      stopped = true;
      await client.dispose();
    },
  };
}

const describeError = (error: unknown) => {
  if (Array.isArray(error)) return error.map((e) => e?.extensions?.code ?? e?.message).join(',');
  if (error && typeof error === 'object' && 'code' in error)
    return `close ${(error as { code: number }).code}`;
  return String(error);
};

/** Starts the traffic; `stop()` ends it and resolves once every order in flight is done. */
export function startLoad(options: LoadOptions) {
  const { routerUrl, log, customers, products, rng } = options;
  const orderRate = options.orderRate ?? 2;
  const browseRate = options.browseRate ?? 6;
  const giveUpMs = options.giveUpMs ?? 60_000;
  const inFlight = new Set<Promise<void>>();
  const live = new Map(customers.map((c) => [c.id, liveClient(routerUrl, c, log)]));
  for (const client of live.values()) client.followNotifications();
  let running = true;
  let serial = 0;
  const stats = { placed: 0, accepted: 0, givenUp: 0, resent: 0, cancelled: 0 };
  const rates = {
    resend: options.resendRate ?? 0.15,
    cancel: options.cancelRate ?? 0.1,
    decline: options.declineRate ?? 0.1,
  };

  const track = (work: Promise<void>) => {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const browse = async () => {
    const customer = rng.pick(customers);
    const product = rng.pick(products);
    const kind = rng.int(0, 9);
    if (kind < 3)
      await send(log, routerUrl, 'Products', OPERATIONS.Products, {
        first: 10,
        ...(rng.chance(0.5) ? { filter: { query: 'soak' } } : {}),
      });
    else if (kind < 7) await send(log, routerUrl, 'Product', OPERATIONS.Product, { id: product });
    else if (kind < 9)
      await send(
        log,
        routerUrl,
        'AddToCart',
        OPERATIONS.AddToCart,
        { productId: product, quantity: 1 },
        {
          token: customer.token,
          extra: { customerId: customer.id },
        },
      );
    else
      await send(
        log,
        routerUrl,
        'Cart',
        OPERATIONS.Cart,
        {},
        { token: customer.token, extra: { customerId: customer.id } },
      );
  };

  const placeOnce = (customer: Customer, input: Record<string, unknown>, key: string) =>
    send<{ placeOrder?: { id: string } }>(
      log,
      routerUrl,
      'PlaceOrder',
      OPERATIONS.PlaceOrder,
      { input },
      {
        token: customer.token,
        extra: { customerId: customer.id, key },
        describe: (answer) => (answer.data?.placeOrder?.id ? { orderId: answer.data.placeOrder.id } : {}),
      },
    );

  const order = async () => {
    const customer = customers[serial++ % customers.length]!;
    const key = randomUUID();
    const lines = new Map<string, number>();
    for (let i = rng.int(1, 2); i > 0; i--) lines.set(rng.pick(products), rng.int(1, 3));
    const input = {
      idempotencyKey: key,
      items: [...lines].map(([productId, quantity]) => ({ productId, quantity })),
      paymentToken: rng.chance(rates.decline) ? 'tok_chargeDeclined' : 'tok_visa',
      shippingAddress: ADDRESS,
    };
    const resend = rng.chance(rates.resend);
    const cancelAfterMs = rng.chance(rates.cancel) ? rng.int(0, 3_000) : undefined;
    stats.placed += 1;
    const started = Date.now();
    let orderId: string | undefined;
    while (!orderId && Date.now() - started < giveUpMs) {
      const answer = await placeOnce(customer, input, key);
      orderId = answer.data?.placeOrder?.id;
      if (orderId) break;
      // Retried while there is no answer or the answer says "try again"; given up on anything else.
      const retriable =
        answer.status === 0 || answer.status >= 500 || answer.codes.some((c) => RETRIABLE.has(c));
      if (!retriable) break;
      await sleep(250);
    }
    if (!orderId) {
      stats.givenUp += 1;
      return;
    }
    stats.accepted += 1;
    live.get(customer.id)!.watchOrder(orderId);
    if (resend) {
      stats.resent += 1;
      await placeOnce(customer, input, key);
    }
    if (cancelAfterMs !== undefined) {
      await sleep(cancelAfterMs);
      stats.cancelled += 1;
      await send(
        log,
        routerUrl,
        'CancelOrder',
        OPERATIONS.CancelOrder,
        { id: orderId },
        {
          token: customer.token,
          extra: { customerId: customer.id, orderId },
        },
      );
      // Whatever the answer (one lost to a fault may still have applied): follow it to its end.
      live.get(customer.id)!.afterCancel(orderId);
    }
  };

  // Open loops: a slow answer does not slow the rates.
  const loop = (rate: number, work: () => Promise<void>) =>
    (async () => {
      if (rate <= 0) return;
      const interval = 1_000 / rate;
      let next = Date.now();
      while (running) {
        track(work().catch((error) => log.note('load error', { error: String(error) })));
        next += interval;
        await sleep(Math.max(0, next - Date.now()));
      }
    })();
  const loops = [loop(orderRate, order), loop(browseRate, browse)];

  return {
    stats,
    /** Stops sending; resolves once every request in flight has its answer (or was given up). */
    async stop() {
      running = false;
      await Promise.all(loops);
      while (inFlight.size) await Promise.all([...inFlight]);
    },
    /** Orders whose final status no subscriber has seen yet. */
    watching: () => [...live.values()].reduce((n, c) => n + c.watching, 0),
    async closeSubscriptions() {
      await Promise.all([...live.values()].map((c) => c.stop()));
    },
  };
}
