/**
 * The soak's history checker, pure logic: given what the clients saw (every request, its answer and
 * every subscription event, from the client log) and what every database holds once the stack has
 * settled, it decides whether each invariant of the order flow held, with counts. No I/O here:
 * `collect.ts` reads the databases, `run.ts` drives the soak, and `history.spec.ts` feeds small
 * synthetic histories that break each invariant.
 */

export const FINAL_STATUSES = ['CONFIRMED', 'CANCELLED'] as const;

/** One HTTP request a client sent through the router, as logged. */
export interface RequestRecord {
  /** Milliseconds since the soak started. */
  t: number;
  op: string;
  /** HTTP status (0: no answer: refused connection, reset, timeout). */
  status: number;
  /** `extensions.code` of each GraphQL error; `NETWORK` / `TIMEOUT` when there was no answer. */
  codes: string[];
  ms: number;
  customerId?: string;
  /** placeOrder: the idempotency key sent. */
  key?: string;
  /** placeOrder: the order the answer named. */
  orderId?: string;
}

/** One `next` of a subscription, as the client got it. */
export interface EventRecord {
  t: number;
  feed: 'order' | 'notification';
  customerId: string;
  /** One subscribe (a resubscribe after a disconnect or an error starts a new session). */
  session: string;
  orderId?: string;
  /** order feed: the state's status and its statusHistory as sent. */
  status?: string;
  history?: string[];
  /** notification feed: the notification's id and type. */
  notificationId?: string;
  type?: string;
}

export interface FaultRecord {
  t: number;
  kind: string;
  target: string;
  /** How long the fault lasted, from injection to the dependency answering again. */
  ms: number;
}

/** What the databases hold afterwards. */
export interface StoredOrder {
  id: string;
  customerId: string;
  idempotencyKey: string;
  status: string;
  cancellationReason: string | null;
  totalMinor: number;
  /** Statuses in version order (order_status_change). */
  history: string[];
  lines: { productId: string; quantity: number }[];
}

export interface History {
  requests: RequestRecord[];
  events: EventRecord[];
  faults: FaultRecord[];
  /** Units the soak put on hand per product before the load. */
  initialStock: Record<string, number>;
  /** The soak's customers: the orders, payments and notifications checked are theirs. */
  customers: string[];
  orders: StoredOrder[];
  payments: { orderId: string; status: string; providerRef: string | null; refundRef: string | null }[];
  /** The sandbox provider's ledger (payments charges with the order id as idempotency key). */
  charges: { idempotencyKey: string; providerRef: string; amountMinor: number; outcome: string }[];
  refunds: { idempotencyKey: string; chargeRef: string; amountMinor: number }[];
  stock: { productId: string; onHand: number; reserved: number }[];
  reservations: { orderId: string; productId: string; quantity: number; status: string }[];
  notifications: { id: string; userId: string; type: string; orderId: string | null }[];
}

export interface InvariantResult {
  name: string;
  ok: boolean;
  /** Counts, printed on the invariant's line. */
  counts: Record<string, number>;
  /** Up to a few examples of what broke it. */
  problems: string[];
}

export interface Report {
  ok: boolean;
  invariants: InvariantResult[];
  totals: {
    requests: number;
    orders: number;
    faults: number;
    faultsByKind: Record<string, number>;
    lost: number;
    doubleCharges: number;
    oversold: number;
    errorsByCode: Record<string, number>;
  };
}

const MAX_PROBLEMS = 5;

function invariant(name: string) {
  const counts: Record<string, number> = {};
  const problems: string[] = [];
  let violations = 0;
  return {
    count(key: string, by = 1) {
      counts[key] = (counts[key] ?? 0) + by;
    },
    set(key: string, value: number) {
      counts[key] = value;
    },
    fail(problem: string) {
      violations += 1;
      if (problems.length < MAX_PROBLEMS) problems.push(problem);
    },
    result(): InvariantResult {
      return { name, ok: violations === 0, counts: { ...counts, violations }, problems };
    },
  };
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string) => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
};

/** placeOrder answers that named an order: key -> the distinct order ids answered for it. */
function acceptedByKey(requests: readonly RequestRecord[]) {
  const byKey = new Map<string, Set<string>>();
  for (const r of requests) {
    if (r.op !== 'PlaceOrder' || !r.key) continue;
    const ids = byKey.get(r.key) ?? new Set<string>();
    if (r.orderId) ids.add(r.orderId);
    byKey.set(r.key, ids);
  }
  return byKey;
}

/** Every accepted order reached CONFIRMED or CANCELLED; none the clients were told of is missing. */
function settled(history: History, lost: { count: number }): InvariantResult {
  const check = invariant('every accepted order settled (CONFIRMED or CANCELLED)');
  const stored = new Map(history.orders.map((o) => [o.id, o]));
  const accepted = new Set<string>();
  for (const ids of acceptedByKey(history.requests).values()) for (const id of ids) accepted.add(id);
  check.set('accepted', accepted.size);
  for (const id of accepted) {
    const order = stored.get(id);
    if (!order) {
      lost.count += 1;
      check.fail(`order ${id} was accepted but is in no database`);
      continue;
    }
    if (!(FINAL_STATUSES as readonly string[]).includes(order.status)) {
      lost.count += 1;
      check.fail(`order ${id} is still ${order.status}`);
    }
  }
  for (const order of history.orders) {
    check.count(order.status === 'CANCELLED' ? `cancelled ${order.cancellationReason}` : order.status);
    // Placed but never answered (the client gave up on the key): still settled, or lost.
    if (!accepted.has(order.id)) {
      check.count('unanswered');
      if (!(FINAL_STATUSES as readonly string[]).includes(order.status)) {
        lost.count += 1;
        check.fail(`order ${order.id} (never answered) is still ${order.status}`);
      }
    }
  }
  return check.result();
}

/**
 * One captured charge per CONFIRMED order (of its total, not refunded); none left for a CANCELLED one
 * (never charged, or refunded); a refund for each order cancelled after it was confirmed.
 */
function charged(history: History, doubles: { count: number }): InvariantResult {
  const check = invariant('one captured charge per CONFIRMED order, none kept for a CANCELLED one');
  const orderIds = new Set(history.orders.map((o) => o.id));
  const succeeded = groupBy(
    history.charges.filter((c) => c.outcome === 'succeeded'),
    (c) => c.idempotencyKey,
  );
  const refundedCharges = new Set(history.refunds.map((r) => r.chargeRef));
  for (const key of succeeded.keys())
    if (!orderIds.has(key)) check.fail(`a charge under key ${key}, which is no order of the soak`);
  for (const order of history.orders) {
    const charges = succeeded.get(order.id) ?? [];
    const kept = charges.filter((c) => !refundedCharges.has(c.providerRef));
    if (charges.length > 1) {
      doubles.count += 1;
      check.fail(`order ${order.id} was charged ${charges.length} times`);
    }
    if (order.status === 'CONFIRMED') {
      check.count('confirmed charged');
      if (kept.length !== 1) check.fail(`CONFIRMED order ${order.id} has ${kept.length} captured charges`);
      else if (kept[0]!.amountMinor !== order.totalMinor)
        check.fail(`order ${order.id} charged ${kept[0]!.amountMinor}, its total is ${order.totalMinor}`);
    } else if (order.status === 'CANCELLED') {
      const wasConfirmed = order.history.includes('CONFIRMED');
      if (kept.length > 0) check.fail(`CANCELLED order ${order.id} keeps ${kept.length} captured charge(s)`);
      if (wasConfirmed) {
        check.count('refunded after confirmation');
        if (charges.length === 0 || charges.some((c) => !refundedCharges.has(c.providerRef)))
          check.fail(`order ${order.id} was cancelled after confirmation without a refund`);
      } else if (charges.length === 0) check.count('cancelled uncharged');
      else check.count('cancelled charged and refunded');
    }
  }
  return check.result();
}

/** Per product: initial = available + reserved + sold, nothing negative, sold = what CONFIRMED orders hold. */
function stockConserved(history: History, oversold: { units: number }): InvariantResult {
  const check = invariant('stock conserved per product (initial = available + reserved + sold)');
  const stock = new Map(history.stock.map((s) => [s.productId, s]));
  const reservations = groupBy(history.reservations, (r) => r.productId);
  const confirmedUnits = new Map<string, number>();
  for (const order of history.orders)
    if (order.status === 'CONFIRMED')
      for (const line of order.lines)
        confirmedUnits.set(line.productId, (confirmedUnits.get(line.productId) ?? 0) + line.quantity);
  for (const [productId, initial] of Object.entries(history.initialStock)) {
    check.count('products');
    const row = stock.get(productId);
    if (!row) {
      check.fail(`product ${productId} has no stock row`);
      continue;
    }
    const of = reservations.get(productId) ?? [];
    const sum = (status: string) =>
      of.filter((r) => r.status === status).reduce((total, r) => total + r.quantity, 0);
    const sold = sum('COMMITTED');
    const held = sum('RESERVED');
    const available = row.onHand - row.reserved;
    check.count('units sold', sold);
    if (available < 0 || row.reserved < 0 || row.onHand < 0)
      check.fail(`product ${productId}: on hand ${row.onHand}, reserved ${row.reserved}`);
    if (row.reserved !== held)
      check.fail(`product ${productId}: reserved ${row.reserved}, but RESERVED reservations hold ${held}`);
    if (available + row.reserved + sold !== initial)
      check.fail(
        `product ${productId}: initial ${initial} != available ${available} + reserved ${row.reserved} + sold ${sold}`,
      );
    if (sold > initial) oversold.units += sold - initial;
    if (available < 0) oversold.units += -available;
    const confirmed = confirmedUnits.get(productId) ?? 0;
    if (confirmed !== sold)
      check.fail(`product ${productId}: CONFIRMED orders hold ${confirmed} units, ${sold} were sold`);
  }
  return check.result();
}

/** At most one notification per (user, type, order) stored, and no subscriber got one twice. */
function notificationsOnce(history: History): InvariantResult {
  const check = invariant('no duplicate notification');
  const customers = new Set(history.customers);
  const mine = history.notifications.filter((n) => customers.has(n.userId));
  check.set('stored', mine.length);
  for (const [key, group] of groupBy(mine, (n) => `${n.userId}/${n.type}/${n.orderId ?? '-'}`))
    if (group.length > 1) check.fail(`${group.length} notifications ${key}`);
  const live = history.events.filter((e) => e.feed === 'notification');
  check.set('delivered live', live.length);
  for (const [key, group] of groupBy(live, (e) => `${e.session}/${e.notificationId}`))
    if (group.length > 1)
      check.fail(`notification ${key} delivered ${group.length} times in one subscription`);
  return check.result();
}

/**
 * Every customer was told what happened: a WELCOME each, and for each of their orders ORDER_PLACED,
 * ORDER_CONFIRMED when it was confirmed and ORDER_CANCELLED when it ended cancelled. A consumer that
 * stopped consuming (or skipped events) after a fault shows here.
 */
function notificationsComplete(history: History): InvariantResult {
  const check = invariant('every customer was notified of each of their orders’ events');
  const stored = new Set(history.notifications.map((n) => `${n.userId}/${n.type}/${n.orderId ?? '-'}`));
  const expect = (userId: string, type: string, orderId: string | null, what: string) => {
    check.count('expected');
    if (stored.has(`${userId}/${type}/${orderId ?? '-'}`)) return;
    check.count(`missing ${type}`);
    check.fail(`no ${type} notification for ${what}`);
  };
  for (const customer of history.customers) expect(customer, 'WELCOME', null, `customer ${customer}`);
  const customers = new Set(history.customers);
  for (const order of history.orders) {
    if (!customers.has(order.customerId)) continue;
    const what = `order ${order.id} (${order.history.join(' > ')})`;
    expect(order.customerId, 'ORDER_PLACED', order.id, what);
    if (order.history.includes('CONFIRMED')) expect(order.customerId, 'ORDER_CONFIRMED', order.id, what);
    if (order.status === 'CANCELLED') expect(order.customerId, 'ORDER_CANCELLED', order.id, what);
  }
  return check.result();
}

/**
 * Each subscriber saw each order's statuses in order: within one subscription every state comes
 * later in the order's stored history than the one before, and carries the history up to it (so a
 * status it skipped is in the snapshot it got); the last state seen is the order's final status.
 */
function subscribersInOrder(history: History): InvariantResult {
  const check = invariant('every subscriber saw each order’s statuses in order, ending at the final one');
  const stored = new Map(history.orders.map((o) => [o.id, o]));
  const byOrder = groupBy(
    history.events.filter((e) => e.feed === 'order' && e.orderId),
    (e) => e.orderId!,
  );
  check.set('orders watched', byOrder.size);
  for (const [orderId, events] of byOrder) {
    const order = stored.get(orderId);
    if (!order) {
      check.fail(`events for order ${orderId}, which is in no database`);
      continue;
    }
    check.count('events', events.length);
    const sessions = groupBy(events, (e) => e.session);
    check.count('subscriptions', sessions.size);
    for (const session of sessions.values()) {
      let last = -1;
      for (const event of session) {
        const at = order.history.indexOf(event.status ?? '');
        if (at < 0) {
          check.count('a status not in the history');
          check.fail(`order ${orderId}: a subscriber got ${event.status}, not in its history`);
          break;
        }
        if (at <= last) {
          check.count('out of order');
          check.fail(`order ${orderId}: ${event.status} arrived after ${order.history[last]}`);
          break;
        }
        const expected = order.history.slice(0, at + 1);
        if (event.history && event.history.join() !== expected.join()) {
          check.count('a history that differs');
          check.fail(`order ${orderId}: state ${event.status} with history ${event.history.join('>')}`);
          break;
        }
        if (at > last + 1 && last >= 0) check.count('gaps filled from the snapshot');
        last = at;
      }
    }
    const final = events.reduce((a, b) => (b.t >= a.t ? b : a));
    if (final.status !== order.status) {
      check.count('the last state seen not the final one');
      check.fail(
        `order ${orderId}: the last state a subscriber saw is ${final.status}, it ended ${order.status}`,
      );
    }
  }
  return check.result();
}

/** A retry with the same idempotency key never made a second order. */
function idempotent(history: History): InvariantResult {
  const check = invariant('a retry with the same idempotency key never made a second order');
  const byKey = acceptedByKey(history.requests);
  const sent = groupBy(
    history.requests.filter((r) => r.op === 'PlaceOrder' && r.key),
    (r) => r.key!,
  );
  check.set('keys', sent.size);
  for (const [key, requests] of sent) {
    if (requests.length > 1) check.count('keys sent again');
    const ids = byKey.get(key)!;
    if (ids.size > 1) check.fail(`key ${key} was answered with ${ids.size} orders: ${[...ids].join(', ')}`);
  }
  const customers = new Set(history.customers);
  for (const [key, orders] of groupBy(
    history.orders.filter((o) => customers.has(o.customerId)),
    (o) => `${o.customerId}/${o.idempotencyKey}`,
  )) {
    if (orders.length > 1) check.fail(`${orders.length} orders stored under ${key}`);
    if (!sent.has(orders[0]!.idempotencyKey))
      check.fail(
        `order ${orders[0]!.id} is stored under a key no client sent (${orders[0]!.idempotencyKey})`,
      );
  }
  return check.result();
}

/** Runs every invariant over `history`. */
export function checkHistory(history: History): Report {
  const lost = { count: 0 };
  const doubles = { count: 0 };
  const oversold = { units: 0 };
  const invariants = [
    settled(history, lost),
    charged(history, doubles),
    stockConserved(history, oversold),
    notificationsOnce(history),
    notificationsComplete(history),
    subscribersInOrder(history),
    idempotent(history),
  ];
  const errorsByCode: Record<string, number> = {};
  for (const r of history.requests)
    for (const code of r.codes) errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
  const faultsByKind: Record<string, number> = {};
  for (const f of history.faults) faultsByKind[f.kind] = (faultsByKind[f.kind] ?? 0) + 1;
  const accepted = new Set<string>();
  for (const ids of acceptedByKey(history.requests).values()) for (const id of ids) accepted.add(id);
  return {
    ok: invariants.every((i) => i.ok),
    invariants,
    totals: {
      requests: history.requests.length,
      orders: accepted.size,
      faults: history.faults.length,
      faultsByKind,
      lost: lost.count,
      doubleCharges: doubles.count,
      oversold: oversold.units,
      errorsByCode,
    },
  };
}

const counts = (record: Record<string, number>) =>
  Object.entries(record)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** The report as printed: one line per invariant with its counts, then the totals. */
export function formatReport(report: Report): string[] {
  const lines = report.invariants.map(
    (i) =>
      `${i.ok ? 'ok  ' : 'FAIL'}  ${i.name}: ${counts(i.counts)}${i.problems.map((p) => `\n        ${p}`).join('')}`,
  );
  const t = report.totals;
  lines.push(
    `totals: requests ${t.requests}, orders ${t.orders}, faults ${t.faults} (${counts(t.faultsByKind) || 'none'}), ` +
      `lost ${t.lost}, double charges ${t.doubleCharges}, oversold ${t.oversold}`,
    `errors by code: ${counts(t.errorsByCode) || 'none'}`,
    report.ok ? 'every invariant held' : 'INVARIANTS BROKEN',
  );
  return lines;
}
