import { describe, expect, it } from '@jest/globals';
import {
  formatSteps,
  formatVerdicts,
  latency,
  summarizeStep,
  verdicts,
  type OrderRecord,
  type StepResult,
} from './report.js';

const T0 = 1_000_000;

/** An order placed at `at` ms into the step, accepted `placeMs` later, CONFIRMED seen `confirmMs` after placing. */
const confirmed = (
  at: number,
  placeMs: number,
  confirmMs: number,
  extra: Partial<OrderRecord> = {},
): OrderRecord => ({
  productId: 'p1',
  startedAt: T0 + at,
  acceptedAt: T0 + at + placeMs,
  orderId: `o${at}`,
  tries: 1,
  refusals: [],
  seen: {
    statuses: ['PENDING', 'RESERVED', 'CONFIRMED'],
    terminal: {
      status: 'CONFIRMED',
      at: T0 + at + confirmMs,
      fromSnapshot: false,
      updatedAt: T0 + at + confirmMs - 5,
    },
    errors: [],
  },
  apiStatus: 'CONFIRMED',
  ...extra,
});

describe('orders benchmark figures', () => {
  it('takes nearest-rank percentiles, NaN without values', () => {
    expect(latency([5, 1, 3, 2, 4])).toEqual({ p50: 3, p95: 5, p99: 5, max: 5, count: 5 });
    expect(latency([])).toEqual({ p50: NaN, p95: NaN, p99: NaN, max: NaN, count: 0 });
  });

  it('sums up a clean step: every order accepted, CONFIRMED, seen, and the stock exact', () => {
    const orders = [0, 500, 1000, 1500].map((at, i) =>
      confirmed(at, 20 + i, 200 + 100 * i, { productId: i % 2 ? 'p2' : 'p1' }),
    );
    const step = summarizeStep({
      rate: 2,
      durationS: 2,
      loadS: 2,
      startedAt: T0,
      orders,
      stock: [
        { productId: 'p1', before: 10, after: 8 },
        { productId: 'p2', before: 10, after: 8 },
      ],
      unanswered: [],
    });
    expect(step).toMatchObject({
      offered: 4,
      accepted: 4,
      notAccepted: 0,
      offeredPerS: 2,
      // The last one is seen at 1.5 + 0.5 s = 2 s: 4 in 2 s.
      acceptedPerS: 2,
      settledPerS: 2,
      retried: 0,
      refusals: {},
      confirmedInSnapshot: 0,
      statuses: { CONFIRMED: 4 },
      seenBySubscriber: 4,
      subscriberMismatches: 0,
      notSettled: 0,
      stock: {
        products: 2,
        expectedDecrease: 4,
        actualDecrease: 4,
        consistent: true,
        unsettledUnits: 0,
        withinUnsettled: true,
      },
      nothingLost: true,
    });
    expect(step.placeOrderMs).toEqual({ p50: 21, p95: 23, p99: 23, max: 23, count: 4 });
    expect(step.confirmedMs).toEqual({ p50: 300, p95: 500, p99: 500, max: 500, count: 4 });
    expect(step.confirmedCommitMs.max).toBe(495);
  });

  it('measures sustained rates over the time the step really took when it ran late', () => {
    // 4 offered over 2 s, the last accepted at 3.9 s and seen CONFIRMED at 7.9 s.
    const orders = [0, 500, 1000, 1500].map((at) => confirmed(at, 2400, 6400));
    const step = summarizeStep({
      rate: 2,
      durationS: 2,
      loadS: 2,
      startedAt: T0,
      orders,
      stock: [],
      unanswered: [],
    });
    expect(step.acceptedPerS).toBe(1);
    expect(step.settledPerS).toBe(0.5);
    // The load generator's timers ran late: 8 orders were offered over 4 s instead of 2.
    const late = [0, 500, 1000, 1500, 2000, 2500, 3000, 3500].map((at) => confirmed(at, 20, 300));
    const lateStep = summarizeStep({
      rate: 2,
      durationS: 2,
      loadS: 4,
      startedAt: T0,
      orders: late,
      stock: [],
      unanswered: [],
    });
    expect(lateStep).toMatchObject({ offered: 8, offeredPerS: 2, acceptedPerS: 2, settledPerS: 2, loadS: 4 });
  });

  it('calls a subscriber wrong only when its terminal state contradicts a terminal API status', () => {
    const cancelled = confirmed(0, 20, 300, { apiStatus: 'CANCELLED' });
    const later = confirmed(100, 20, 300, { apiStatus: 'RESERVED' });
    const step = summarizeStep({
      rate: 2,
      durationS: 1,
      loadS: 1,
      startedAt: T0,
      orders: [cancelled, later],
      stock: [],
      unanswered: [],
    });
    expect(step.subscriberMismatches).toBe(1);
    expect(step.seenBySubscriber).toBe(2);
    expect(step.notSettled).toBe(1);
  });

  it('counts what went wrong: refusals, retries, unaccepted, unanswered, unsettled, snapshots, stock off', () => {
    const orders: OrderRecord[] = [
      confirmed(0, 300, 900, { tries: 3, refusals: ['RATE_LIMITED', 'NETWORK'] }),
      // Already CONFIRMED when its subscription started: the snapshot brought it.
      confirmed(100, 20, 400, {
        seen: {
          statuses: ['CONFIRMED'],
          terminal: { status: 'CONFIRMED', at: T0 + 500, fromSnapshot: true, updatedAt: T0 + 300 },
          errors: [],
        },
      }),
      // Accepted, never settled, the subscription failed once.
      {
        ...confirmed(200, 20, 0),
        seen: { statuses: ['PENDING'], errors: ['CLOSED_1013'] },
        apiStatus: 'PENDING',
      },
      // Accepted and then missing from the API.
      { ...confirmed(300, 20, 0), seen: { statuses: [], errors: [] }, apiStatus: undefined },
      // Every try refused.
      {
        productId: 'p1',
        startedAt: T0 + 400,
        tries: 2,
        refusals: ['INTERNAL_SERVER_ERROR', 'INTERNAL_SERVER_ERROR'],
        seen: { statuses: [], errors: [] },
      },
    ];
    const step = summarizeStep({
      rate: 10,
      durationS: 1,
      loadS: 1,
      startedAt: T0,
      orders,
      // Three CONFIRMED units and two unsettled: at most five gone, not seven.
      stock: [{ productId: 'p1', before: 10, after: 3 }],
      // Created for the refused offer (and one more: a double).
      unanswered: [
        { status: 'CONFIRMED', lines: [{ productId: 'p1', quantity: 1 }] },
        { status: 'CANCELLED', lines: [{ productId: 'p1', quantity: 3 }] },
      ],
    });
    expect(step).toMatchObject({
      offered: 5,
      accepted: 4,
      notAccepted: 1,
      retried: 1,
      refusals: { RATE_LIMITED: 1, NETWORK: 1, INTERNAL_SERVER_ERROR: 2 },
      confirmedInSnapshot: 1,
      statuses: { CONFIRMED: 2, PENDING: 1, NOT_LISTED: 1 },
      seenBySubscriber: 2,
      subscriptionErrors: { CLOSED_1013: 1 },
      notSettled: 2,
      unanswered: { count: 2, statuses: { CONFIRMED: 1, CANCELLED: 1 } },
      doubled: 1,
      stock: {
        products: 1,
        expectedDecrease: 3,
        actualDecrease: 7,
        consistent: false,
        unsettledUnits: 2,
        withinUnsettled: false,
      },
      nothingLost: false,
    });
    expect(step.confirmedMs).toMatchObject({ p50: 400, max: 900, count: 2 });
    expect(step.confirmedLiveMs).toMatchObject({ p50: 900, count: 1 });
  });

  it('judges each target against the step that measures it, and says when none does', () => {
    const base = summarizeStep({
      rate: 10,
      durationS: 60,
      loadS: 60,
      startedAt: T0,
      orders: [confirmed(0, 20, 300)],
      stock: [{ productId: 'p1', before: 5, after: 4 }],
      unanswered: [],
    });
    const slow: StepResult = { ...base, confirmedMs: { ...base.confirmedMs, p99: 501 } };
    const fast: StepResult = { ...base, rate: 100, settledPerS: 99.5 };
    const saturated: StepResult = { ...base, rate: 100, settledPerS: 16.2 };
    expect(verdicts([base, fast]).map((v) => v.met)).toEqual([true, true]);
    expect(verdicts([slow, saturated]).map((v) => v.met)).toEqual([false, false]);
    expect(verdicts([{ ...fast, nothingLost: false }]).map((v) => v.met)).toEqual([false, undefined]);
    const lines = formatVerdicts(verdicts([saturated])).split('\n');
    expect(lines[0]).toMatch(
      /^>= 100 orders\/s sustained for 60 s with nothing lost: NOT MET \(16.2 settled\/s/,
    );
    expect(lines[1]).toMatch(/at 10 orders\/s: not measured/);
  });

  it('tells stock still reserved by unsettled orders from stock lost or doubled', () => {
    const orders = [
      confirmed(0, 20, 300),
      { ...confirmed(100, 20, 0), seen: { statuses: ['PENDING'], errors: [] }, apiStatus: 'RESERVED' },
      { ...confirmed(200, 20, 0), seen: { statuses: ['PENDING'], errors: [] }, apiStatus: 'PENDING' },
    ];
    const stockAfter = (after: number) =>
      summarizeStep({
        rate: 10,
        durationS: 1,
        loadS: 1,
        startedAt: T0,
        orders,
        stock: [{ productId: 'p1', before: 10, after }],
        unanswered: [],
      }).stock;
    expect(stockAfter(8)).toMatchObject({ consistent: false, withinUnsettled: true, unsettledUnits: 2 });
    expect(stockAfter(7)).toMatchObject({ consistent: false, withinUnsettled: true });
    expect(stockAfter(10)).toMatchObject({ consistent: false, withinUnsettled: false });
    expect(stockAfter(6)).toMatchObject({ consistent: false, withinUnsettled: false });
    const table = formatSteps([
      summarizeStep({
        rate: 10,
        durationS: 1,
        loadS: 1,
        startedAt: T0,
        orders,
        stock: [{ productId: 'p1', before: 10, after: 8 }],
        unanswered: [],
      }),
    ]);
    expect(table).toMatch(/stock decrease \(CONFIRMED units\)\s+2 \(1\) \+ up to 2 not settled/);
  });

  it('prints one column per step under a label column', () => {
    const step = summarizeStep({
      rate: 10,
      durationS: 60,
      loadS: 60,
      startedAt: T0,
      orders: [confirmed(0, 20, 300)],
      stock: [{ productId: 'p1', before: 5, after: 4 }],
      unanswered: [],
    });
    const table = formatSteps([step, { ...step, rate: 100 }]).split('\n');
    expect(table[0]).toMatch(/^target orders\/s\s+10\s+100$/);
    expect(table).toContainEqual(
      expect.stringMatching(/^placed-to-CONFIRMED p50\/p95\/p99\/max ms\s+300 \/ 300 \/ 300 \/ 300\s+300/),
    );
    expect(table).toContainEqual(
      expect.stringMatching(/^stock decrease \(CONFIRMED units\)\s+1 \(1\) exact/),
    );
  });
});
