import { describe, expect, it } from '@jest/globals';
import { checkHistory, formatReport, type History } from './history.js';

const CUSTOMER = 'c1';
const LAMP = 'p-lamp';

/**
 * A small history where everything held: three orders of one customer through the router (one
 * retried with its key), 10 lamps on hand at first: order A confirmed (2 lamps), B cancelled for
 * a declined payment (never charged), C confirmed then cancelled by the customer (refunded).
 */
function cleanHistory(): History {
  return {
    requests: [
      { t: 1, op: 'Products', status: 200, codes: [], ms: 5 },
      {
        t: 2,
        op: 'PlaceOrder',
        status: 200,
        codes: [],
        ms: 9,
        customerId: CUSTOMER,
        key: 'kA',
        orderId: 'A',
      },
      {
        t: 3,
        op: 'PlaceOrder',
        status: 200,
        codes: ['SERVICE_UNAVAILABLE'],
        ms: 9,
        customerId: CUSTOMER,
        key: 'kB',
      },
      {
        t: 4,
        op: 'PlaceOrder',
        status: 200,
        codes: [],
        ms: 9,
        customerId: CUSTOMER,
        key: 'kB',
        orderId: 'B',
      },
      {
        t: 5,
        op: 'PlaceOrder',
        status: 200,
        codes: [],
        ms: 9,
        customerId: CUSTOMER,
        key: 'kC',
        orderId: 'C',
      },
      {
        t: 6,
        op: 'PlaceOrder',
        status: 200,
        codes: [],
        ms: 9,
        customerId: CUSTOMER,
        key: 'kC',
        orderId: 'C',
      },
    ],
    events: [
      {
        t: 10,
        feed: 'order',
        customerId: CUSTOMER,
        session: 's1',
        orderId: 'A',
        status: 'PENDING',
        history: ['PENDING'],
      },
      {
        t: 11,
        feed: 'order',
        customerId: CUSTOMER,
        session: 's1',
        orderId: 'A',
        status: 'CONFIRMED',
        history: ['PENDING', 'RESERVED', 'CONFIRMED'],
      },
      {
        t: 12,
        feed: 'order',
        customerId: CUSTOMER,
        session: 's2',
        orderId: 'C',
        status: 'PENDING',
        history: ['PENDING'],
      },
      // The subscription broke; the new one starts from the snapshot.
      {
        t: 14,
        feed: 'order',
        customerId: CUSTOMER,
        session: 's3',
        orderId: 'C',
        status: 'CONFIRMED',
        history: ['PENDING', 'RESERVED', 'CONFIRMED'],
      },
      {
        t: 15,
        feed: 'order',
        customerId: CUSTOMER,
        session: 's3',
        orderId: 'C',
        status: 'CANCELLED',
        history: ['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED'],
      },
      {
        t: 16,
        feed: 'notification',
        customerId: CUSTOMER,
        session: 'n1',
        notificationId: 'n-a',
        type: 'ORDER_PLACED',
      },
    ],
    faults: [
      { t: 3, kind: 'postgres-restart', target: 'postgres', ms: 900 },
      { t: 8, kind: 'subgraph-kill', target: 'orders', ms: 1200 },
    ],
    initialStock: { [LAMP]: 10 },
    customers: [CUSTOMER],
    orders: [
      {
        id: 'A',
        customerId: CUSTOMER,
        idempotencyKey: 'kA',
        status: 'CONFIRMED',
        cancellationReason: null,
        totalMinor: 2000,
        history: ['PENDING', 'RESERVED', 'CONFIRMED'],
        lines: [{ productId: LAMP, quantity: 2 }],
      },
      {
        id: 'B',
        customerId: CUSTOMER,
        idempotencyKey: 'kB',
        status: 'CANCELLED',
        cancellationReason: 'PAYMENT_DECLINED',
        totalMinor: 1000,
        history: ['PENDING', 'RESERVED', 'CANCELLED'],
        lines: [{ productId: LAMP, quantity: 1 }],
      },
      {
        id: 'C',
        customerId: CUSTOMER,
        idempotencyKey: 'kC',
        status: 'CANCELLED',
        cancellationReason: 'CUSTOMER_CANCELLED',
        totalMinor: 3000,
        history: ['PENDING', 'RESERVED', 'CONFIRMED', 'CANCELLED'],
        lines: [{ productId: LAMP, quantity: 3 }],
      },
    ],
    payments: [
      { orderId: 'A', status: 'SUCCEEDED', providerRef: 'ch-a', refundRef: null },
      { orderId: 'B', status: 'DECLINED', providerRef: 'ch-b', refundRef: null },
      { orderId: 'C', status: 'REFUNDED', providerRef: 'ch-c', refundRef: 're-c' },
    ],
    charges: [
      { idempotencyKey: 'A', providerRef: 'ch-a', amountMinor: 2000, outcome: 'succeeded' },
      { idempotencyKey: 'B', providerRef: 'ch-b', amountMinor: 1000, outcome: 'declined' },
      { idempotencyKey: 'C', providerRef: 'ch-c', amountMinor: 3000, outcome: 'succeeded' },
    ],
    refunds: [{ idempotencyKey: 'refund:C', chargeRef: 'ch-c', amountMinor: 3000 }],
    // 10 at first: A's 2 sold, B's 1 released, C's 3 returned on hand.
    stock: [{ productId: LAMP, onHand: 8, reserved: 0 }],
    reservations: [
      { orderId: 'A', productId: LAMP, quantity: 2, status: 'COMMITTED' },
      { orderId: 'B', productId: LAMP, quantity: 1, status: 'RELEASED' },
      { orderId: 'C', productId: LAMP, quantity: 3, status: 'RETURNED' },
    ],
    notifications: [
      { id: 'n-a', userId: CUSTOMER, type: 'ORDER_PLACED', orderId: 'A' },
      { id: 'n-a2', userId: CUSTOMER, type: 'ORDER_CONFIRMED', orderId: 'A' },
      { id: 'n-w', userId: CUSTOMER, type: 'WELCOME', orderId: null },
      { id: 'n-b', userId: CUSTOMER, type: 'ORDER_PLACED', orderId: 'B' },
      { id: 'n-b2', userId: CUSTOMER, type: 'ORDER_CANCELLED', orderId: 'B' },
      { id: 'n-c', userId: CUSTOMER, type: 'ORDER_PLACED', orderId: 'C' },
      { id: 'n-c2', userId: CUSTOMER, type: 'ORDER_CONFIRMED', orderId: 'C' },
      { id: 'n-c3', userId: CUSTOMER, type: 'ORDER_CANCELLED', orderId: 'C' },
    ],
  };
}

/** The names of the invariants that failed, and their problems. */
function failures(history: History) {
  const report = checkHistory(history);
  return report.invariants.filter((i) => !i.ok).map((i) => ({ name: i.name, problems: i.problems }));
}

describe('the soak history checker', () => {
  it('passes a history where everything held, and prints one line per invariant and the totals', () => {
    const report = checkHistory(cleanHistory());
    expect(report.ok).toBe(true);
    expect(report.totals).toEqual({
      requests: 6,
      orders: 3,
      faults: 2,
      faultsByKind: { 'postgres-restart': 1, 'subgraph-kill': 1 },
      lost: 0,
      doubleCharges: 0,
      oversold: 0,
      errorsByCode: { SERVICE_UNAVAILABLE: 1 },
    });
    const lines = formatReport(report);
    expect(lines).toHaveLength(7 + 3);
    expect(lines.slice(0, 7).every((l) => l.startsWith('ok  '))).toBe(true);
    expect(lines[0]).toContain('accepted 3');
    expect(lines.at(-1)).toBe('every invariant held');
  });

  it('names an accepted order that is in no database, or still pending, as lost', () => {
    const history = cleanHistory();
    history.orders = history.orders.filter((o) => o.id !== 'A');
    history.charges = history.charges.filter((c) => c.idempotencyKey !== 'A');
    history.stock = [{ productId: LAMP, onHand: 10, reserved: 0 }];
    history.reservations = history.reservations.filter((r) => r.orderId !== 'A');
    history.events = history.events.filter((e) => e.orderId !== 'A');
    expect(failures(history)).toEqual([
      { name: expect.stringContaining('settled'), problems: ['order A was accepted but is in no database'] },
    ]);
    expect(checkHistory(history).totals.lost).toBe(1);

    const pending = cleanHistory();
    pending.orders[1]!.status = 'RESERVED';
    pending.orders[1]!.history = ['PENDING', 'RESERVED'];
    expect(failures(pending)[0]).toEqual({
      name: expect.stringContaining('settled'),
      problems: ['order B is still RESERVED'],
    });
  });

  it('names a double charge, a confirmed order without a charge, a kept charge of a cancelled one and a missing refund', () => {
    const double = cleanHistory();
    double.charges.push({
      idempotencyKey: 'A',
      providerRef: 'ch-a2',
      amountMinor: 2000,
      outcome: 'succeeded',
    });
    expect(failures(double)).toEqual([
      {
        name: expect.stringContaining('captured charge'),
        problems: ['order A was charged 2 times', 'CONFIRMED order A has 2 captured charges'],
      },
    ]);
    expect(checkHistory(double).totals.doubleCharges).toBe(1);

    const uncharged = cleanHistory();
    uncharged.charges = uncharged.charges.filter((c) => c.idempotencyKey !== 'A');
    expect(failures(uncharged)[0]!.problems).toEqual(['CONFIRMED order A has 0 captured charges']);

    const wrongAmount = cleanHistory();
    wrongAmount.charges[0]!.amountMinor = 1999;
    expect(failures(wrongAmount)[0]!.problems).toEqual(['order A charged 1999, its total is 2000']);

    const notRefunded = cleanHistory();
    notRefunded.refunds = [];
    expect(failures(notRefunded)[0]!.problems).toEqual([
      'CANCELLED order C keeps 1 captured charge(s)',
      'order C was cancelled after confirmation without a refund',
    ]);

    const chargedAfterDecline = cleanHistory();
    chargedAfterDecline.charges[1]!.outcome = 'succeeded';
    expect(failures(chargedAfterDecline)[0]!.problems).toEqual([
      'CANCELLED order B keeps 1 captured charge(s)',
    ]);
  });

  it('names stock that is not conserved, oversold or held by no reservation', () => {
    const leaked = cleanHistory();
    leaked.stock = [{ productId: LAMP, onHand: 7, reserved: 0 }];
    expect(failures(leaked)[0]!.problems).toEqual([
      `product ${LAMP}: initial 10 != available 7 + reserved 0 + sold 2`,
    ]);

    const oversold = cleanHistory();
    oversold.initialStock = { [LAMP]: 1 };
    oversold.stock = [{ productId: LAMP, onHand: -1, reserved: 0 }];
    const report = checkHistory(oversold);
    expect(report.ok).toBe(false);
    expect(report.totals.oversold).toBe(2);

    const stuck = cleanHistory();
    stuck.stock = [{ productId: LAMP, onHand: 8, reserved: 1 }];
    expect(failures(stuck)[0]!.problems).toEqual([
      `product ${LAMP}: reserved 1, but RESERVED reservations hold 0`,
    ]);

    const unsold = cleanHistory();
    unsold.reservations[0]!.status = 'RELEASED';
    unsold.stock = [{ productId: LAMP, onHand: 10, reserved: 0 }];
    expect(failures(unsold)[0]!.problems).toEqual([
      `product ${LAMP}: CONFIRMED orders hold 2 units, 0 were sold`,
    ]);
  });

  it('names a notification stored twice and one delivered twice in one subscription', () => {
    const history = cleanHistory();
    history.notifications.push({ id: 'n-a3', userId: CUSTOMER, type: 'ORDER_PLACED', orderId: 'A' });
    history.events.push({ ...history.events.at(-1)!, t: 17 });
    expect(failures(history)).toEqual([
      {
        name: 'no duplicate notification',
        problems: [
          `2 notifications ${CUSTOMER}/ORDER_PLACED/A`,
          'notification n1/n-a delivered 2 times in one subscription',
        ],
      },
    ]);
  });

  it('names a notification that was never stored: an order confirmed or cancelled nobody was told of, a missing welcome', () => {
    const history = cleanHistory();
    history.notifications = history.notifications.filter((n) => !['n-w', 'n-a2', 'n-c3'].includes(n.id));
    const report = checkHistory(history);
    const complete = report.invariants.find((i) => i.name.startsWith('every customer was notified'))!;
    expect(complete.counts).toEqual({
      expected: 8,
      'missing WELCOME': 1,
      'missing ORDER_CONFIRMED': 1,
      'missing ORDER_CANCELLED': 1,
      violations: 3,
    });
    expect(failures(history)).toEqual([
      {
        name: 'every customer was notified of each of their orders’ events',
        problems: [
          `no WELCOME notification for customer ${CUSTOMER}`,
          'no ORDER_CONFIRMED notification for order A (PENDING > RESERVED > CONFIRMED)',
          'no ORDER_CANCELLED notification for order C (PENDING > RESERVED > CONFIRMED > CANCELLED)',
        ],
      },
    ]);
  });

  it('names statuses out of order, a gap the state does not fill, and a subscriber left short of the final status', () => {
    const backwards = cleanHistory();
    backwards.events[1] = { ...backwards.events[1]!, t: 9 };
    backwards.events.splice(0, 2, backwards.events[1]!, { ...backwards.events[0]!, t: 10 });
    expect(failures(backwards)[0]!.problems).toEqual([
      'order A: PENDING arrived after CONFIRMED',
      expect.any(String),
    ]);

    const gap = cleanHistory();
    gap.events[1]!.history = ['PENDING', 'CONFIRMED'];
    expect(failures(gap)[0]!.problems).toEqual(['order A: state CONFIRMED with history PENDING>CONFIRMED']);

    const short = cleanHistory();
    short.events = short.events.filter((e) => !(e.orderId === 'C' && e.status === 'CANCELLED'));
    expect(failures(short)[0]!.problems).toEqual([
      'order C: the last state a subscriber saw is CONFIRMED, it ended CANCELLED',
    ]);
  });

  it('names a key answered with two orders and an order stored under a key no client sent (the broken build)', () => {
    const history = cleanHistory();
    // What the build without idempotency does: the retry of kC made order D, stored under a key of its own.
    history.requests[5]!.orderId = 'D';
    history.orders.push({ ...history.orders[0]!, id: 'D', idempotencyKey: 'server-made-key' });
    history.charges.push({
      idempotencyKey: 'D',
      providerRef: 'ch-d',
      amountMinor: 2000,
      outcome: 'succeeded',
    });
    history.reservations.push({ orderId: 'D', productId: LAMP, quantity: 2, status: 'COMMITTED' });
    history.stock = [{ productId: LAMP, onHand: 6, reserved: 0 }];
    history.notifications.push(
      { id: 'n-d', userId: CUSTOMER, type: 'ORDER_PLACED', orderId: 'D' },
      { id: 'n-d2', userId: CUSTOMER, type: 'ORDER_CONFIRMED', orderId: 'D' },
    );
    expect(failures(history)).toEqual([
      {
        name: expect.stringContaining('idempotency key'),
        problems: [
          'key kC was answered with 2 orders: C, D',
          'order D is stored under a key no client sent (server-made-key)',
        ],
      },
    ]);
  });
});
