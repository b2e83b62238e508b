import { afterAll, describe, expect, it } from '@jest/globals';
import { webSocketClient, type TestSubscription } from '../platform/src/testing/graphql-ws-client.js';
import { waitFor } from '../platform/src/testing/wait-for.js';
import { contract } from './support/contract.js';
import { SPAN_KIND, useOtlpReceiver, type ReceivedSpan } from './support/otlp-receiver.js';
import { ordersOf, useCatalog } from './support/shop.js';
import { useStack } from './support/stack.js';

// Tracing on the real stack: every process exports OTLP/HTTP JSON to a receiver in this spec. One
// placeOrder through the router must be one trace, from the router's request through orders, the Kafka
// hops to inventory, payments and notifications, back to orders, and to the orderStatusChanged events a
// subscriber receives (the subgraph's live consumer, its event execution, the router's per-event plan).
const receiver = useOtlpReceiver();
const api = useStack({
  env: () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '200' }),
});
const catalog = useCatalog(api, 'Traced');
const orders = ordersOf(api);

interface OrderEvent {
  orderStatusChanged: { id: string; status: string; items: { product: { name: string } }[] };
}

/** The spans of one trace, by span id, and the way from a span up to the trace's root. */
function traceOf(traceId: string) {
  const spans = receiver.spans().filter((s) => s.traceId === traceId);
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  /** `span` and its ancestors, nearest first; stops at the root or at a parent not received (yet). */
  const ancestry = (span: ReceivedSpan): ReceivedSpan[] => {
    const chain = [span];
    for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId))
      chain.push(parent);
    return chain;
  };
  const find = (service: string, name: string | RegExp, kind?: number) =>
    spans.filter(
      (s) =>
        s.service === service &&
        (typeof name === 'string' ? s.name === name : name.test(s.name)) &&
        (kind === undefined || s.kind === kind),
    );
  return { spans, byId, ancestry, find };
}

describe('tracing across the stack', () => {
  const socket = { current: undefined as ReturnType<typeof webSocketClient> | undefined };
  afterAll(async () => {
    await socket.current?.dispose();
  });

  it('one placeOrder is one trace across router, orders, inventory, payments and notifications, Kafka hops and subscription events included', async () => {
    const customer = await api.registerCustomer();
    const lamp = await catalog.product({ name: 'Lamp', price: '12.50', stock: 5 });
    socket.current = webSocketClient(api.stack.routerUrl, { token: customer.accessToken });

    // Inventory waits while the order is placed and its subscription opens, so the RESERVED and
    // CONFIRMED events reach the subscriber live (not in its snapshot).
    const inventory = api.stack.processes.get('inventory')!;
    let tracking!: TestSubscription<OrderEvent>;
    let orderId!: string;
    await inventory.stop();
    try {
      const placed = await orders.placeOrder(customer.accessToken, [{ productId: lamp, quantity: 2 }]);
      expect(placed.errors).toBeUndefined();
      orderId = placed.data.placeOrder.id;
      tracking = socket.current.subscribe<OrderEvent>(contract('OrderStatus'), { orderId });
      await tracking.waitFor(1, 20_000);
    } finally {
      await inventory.restart();
    }
    await tracking.finished;
    expect(tracking.results.map((r) => r.data?.orderStatusChanged.status)).toEqual([
      'PENDING',
      'RESERVED',
      'CONFIRMED',
    ]);
    // The trace context the subgraph sends with each event stays between it and the router.
    for (const result of tracking.results) {
      expect(result.errors).toBeUndefined();
      expect(result.extensions).toBeUndefined();
      expect(result.data!.orderStatusChanged.items[0]!.product.name).toBe(`Lamp ${catalog.tag}`);
    }

    // The router's span for the placeOrder request: the root of the trace (the client sent no traceparent).
    const operation = await waitFor(
      () =>
        receiver
          .spans()
          .find(
            (s) =>
              s.service === 'router' &&
              s.name === 'mutation PlaceOrder' &&
              receiver.spans().some((r) => r.spanId === s.parentSpanId && r.kind === SPAN_KIND.SERVER),
          ),
      20_000,
      "the router's PlaceOrder span",
    );
    const request = receiver.spans().find((s) => s.spanId === operation.parentSpanId)!;
    expect(request).toMatchObject({
      service: 'router',
      name: 'POST /graphql',
      kind: SPAN_KIND.SERVER,
      parentSpanId: '',
    });
    expect(request.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    expect(operation.attributes).toMatchObject({
      'graphql.operation.type': 'mutation',
      'graphql.operation.name': 'PlaceOrder',
    });

    // Every hop we expect, each with its whole parent chain received, up to the router's request span.
    const leadsToRequest = (span: ReceivedSpan, trace: ReturnType<typeof traceOf>) =>
      trace.ancestry(span).at(-1) === request;
    const expected = (trace: ReturnType<typeof traceOf>) => ({
      ordersRequest: trace.find('orders', 'POST /graphql', SPAN_KIND.SERVER),
      ordersSql: trace.find('orders', /^INSERT /, SPAN_KIND.CLIENT),
      placedSent: trace.find('orders', 'send orders.order.placed.v1', SPAN_KIND.PRODUCER),
      inventoryReserves: trace.find('inventory', 'process orders.order.placed.v1', SPAN_KIND.CONSUMER),
      paymentsCharges: trace.find('payments', /^process inventory\.stock\.reserved/, SPAN_KIND.CONSUMER),
      ordersConfirms: trace.find('orders', /^process payments\.payment\.succeeded/, SPAN_KIND.CONSUMER),
      notified: trace.find('notifications', /^process orders\./, SPAN_KIND.CONSUMER),
      liveEvents: trace.find('orders', /^process orders\.order\.status-changed/, SPAN_KIND.CONSUMER),
      // The router names the subgraph's part of an operation `<operation>__<subgraph>__<n>`.
      subgraphEvents: trace.find('orders', /^subscription event OrderStatus__orders__/),
      routerEvents: trace.find('router', 'subscription event OrderStatus'),
    });
    const trace = await waitFor(
      () => {
        const current = traceOf(request.traceId);
        const hops = expected(current);
        const complete =
          Object.values(hops).every((list) => list.length > 0) &&
          hops.routerEvents.length >= 2 &&
          Object.values(hops).every((list) => list.every((span) => leadsToRequest(span, current)));
        return complete ? current : undefined;
      },
      30_000,
      'every hop of the order in one trace',
    );
    const hops = expected(trace);

    // At least five services, all in this one trace.
    const services = new Set(trace.spans.map((s) => s.service));
    for (const service of ['router', 'orders', 'inventory', 'payments', 'notifications'])
      expect(services).toContain(service);

    // Kafka: the consumer continues the producer's span, whose parent is the request that recorded the event.
    const [reserve] = hops.inventoryReserves;
    const sent = trace.byId.get(reserve!.parentSpanId)!;
    expect(sent).toMatchObject({
      service: 'orders',
      name: 'send orders.order.placed.v1',
      kind: SPAN_KIND.PRODUCER,
    });
    expect(trace.ancestry(sent).map((s) => s.service)).toContain('router');
    expect(trace.byId.get(sent.parentSpanId)).toMatchObject({ service: 'orders', kind: SPAN_KIND.INTERNAL });
    expect(trace.byId.get(sent.parentSpanId)!.name).toMatch(/^mutation PlaceOrder__orders__/);
    expect(reserve!.attributes).toMatchObject({
      'messaging.system.name': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'orders.order.placed.v1',
      'kafka.message.key': orderId,
    });
    expect(reserve!.attributes['messaging.consumer.group.name']).toBe('inventory');
    // The chain from inventory's consumer to the router passes through orders' request span.
    expect(trace.ancestry(reserve!)).toEqual(
      expect.arrayContaining([hops.ordersRequest[0], operation, request]),
    );

    // SQL is part of it, its literals masked.
    const insert = hops.ordersSql[0]!;
    expect(insert.attributes).toMatchObject({ 'db.system.name': 'postgresql' });
    expect(String(insert.attributes['db.query.text'])).not.toContain(customer.id);

    // Every message of this order (all keyed by its id) was processed in this trace, by every consumer.
    const processed = receiver
      .spans()
      .filter((s) => s.kind === SPAN_KIND.CONSUMER && s.attributes['kafka.message.key'] === orderId);
    expect(processed.length).toBeGreaterThan(5);
    expect(new Set(processed.map((s) => s.traceId))).toEqual(new Set([request.traceId]));

    // The subscription events: the router's per-event span continues the subgraph's event span, which
    // continues orders' live consumer of the status-changed message; the products fetch of `items
    // { product { name } }` is part of it.
    for (const routerEvent of hops.routerEvents) {
      const chain = trace.ancestry(routerEvent);
      expect(chain[1]).toMatchObject({ service: 'orders', kind: SPAN_KIND.INTERNAL });
      expect(chain[1]!.name).toMatch(/^subscription event OrderStatus__orders__/);
      expect(chain[2]).toMatchObject({ service: 'orders', kind: SPAN_KIND.CONSUMER });
      expect(chain[2]!.name).toMatch(/^process orders\.order\.status-changed/);
      expect(String(chain[2]!.attributes['messaging.consumer.group.name'])).toMatch(/^orders\.live\./);
      expect(chain.at(-1)).toBe(request);
      const fetches = trace.spans.filter(
        (s) =>
          s.parentSpanId !== '' && trace.ancestry(s).includes(routerEvent) && s.name === 'subgraph products',
      );
      expect(fetches.length).toBeGreaterThan(0);
    }
    expect(trace.spans.some((s) => s.service === 'products' && s.kind === SPAN_KIND.SERVER)).toBe(true);

    expect(receiver.refused()).toEqual([]);
  });
});
