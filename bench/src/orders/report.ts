/**
 * Pure helpers of the orders benchmark (bench/orders.ts): what one order went through, the figures of
 * one step (one target rate for a fixed time), the targets and the printed table. No clock, no I/O.
 */
import { ascending, percentile } from '../../support/shop.js';

/** Statuses after which an order never changes (the subscription completes after them). */
export const TERMINAL_STATUSES = ['CONFIRMED', 'CANCELLED'] as const;
export const isTerminal = (status: string | undefined) =>
  status !== undefined && (TERMINAL_STATUSES as readonly string[]).includes(status);

/** The terminal state an `orderStatusChanged` subscriber received for one order. */
export interface SeenTerminal {
  status: string;
  /** When the client received it (ms since the epoch). */
  at: number;
  /**
   * True when it was the subscription's first message (the snapshot of the current state): the order
   * had already settled when the subscription started, so `at` is later than the settlement.
   */
  fromSnapshot: boolean;
  /** The order's `updatedAt` in that state: when orders committed the transition (same machine clock). */
  updatedAt: number;
}

/** One order of a step, from the load, the subscriber and the API check afterwards. */
export interface OrderRecord {
  productId: string;
  /** When the load decided to place it (placeOrder's first try starts then). */
  startedAt: number;
  /** When placeOrder answered with the order; undefined when every try was refused. */
  acceptedAt?: number;
  orderId?: string;
  tries: number;
  /** Error codes of the refused tries. */
  refusals: string[];
  /** What the subscriber received: every status in order, and the terminal one. */
  seen: { statuses: string[]; terminal?: SeenTerminal; errors: string[] };
  /** The status the API gave after the step (undefined: the order was not listed). */
  apiStatus?: string;
}

/** One product's available stock around a step. */
export interface StockCheck {
  productId: string;
  before: number;
  after: number;
}

export interface StepInput {
  rate: number;
  durationS: number;
  /**
   * Seconds the load really ran, from the first order due to the stop (more than `durationS` when the
   * load generator's own timers ran late on a busy machine).
   */
  loadS: number;
  /** When the step's first order was due (ms since the epoch). */
  startedAt: number;
  orders: readonly OrderRecord[];
  stock: readonly StockCheck[];
  /**
   * Orders the API listed for the step's customers that no placeOrder of the run returned: created for
   * an offer whose every try was refused or timed out (or a double), with their status and lines.
   */
  unanswered: readonly UnansweredOrder[];
}

/** An order the stack created that no placeOrder answer returned. */
export interface UnansweredOrder {
  status: string;
  lines: readonly { productId: string; quantity: number }[];
}

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export interface StepResult {
  rate: number;
  durationS: number;
  loadS: number;
  offered: number;
  accepted: number;
  /** Offered orders placeOrder never accepted (every try refused until the load gave up). */
  notAccepted: number;
  offeredPerS: number;
  /** Accepted orders per second from the step's start to the last acceptance (at least the duration). */
  acceptedPerS: number;
  /**
   * Orders the API shows terminal whose terminal state the subscriber received, per second from the
   * step's start to the last such state received (at least the duration).
   */
  settledPerS: number;
  /** placeOrder, first try to accepted (retries included). */
  placeOrderMs: Latency;
  /** Accepted orders that needed more than one try. */
  retried: number;
  /** Refused tries by error code. */
  refusals: Record<string, number>;
  /** placeOrder's start to the CONFIRMED state received by the subscriber (snapshots included). */
  confirmedMs: Latency;
  /** The same, only for orders whose CONFIRMED came as a live event (after a non-final snapshot). */
  confirmedLiveMs: Latency;
  /** placeOrder's start to orders' commit of CONFIRMED (the state's `updatedAt`). */
  confirmedCommitMs: Latency;
  /** CONFIRMED received as the subscription's first message (already settled when it started). */
  confirmedInSnapshot: number;
  /** Terminal statuses the API shows, by status (`NOT_LISTED` for an accepted order it does not show). */
  statuses: Record<string, number>;
  /** Accepted orders whose terminal status the subscriber received. */
  seenBySubscriber: number;
  /** Terminal states the subscriber received that differ from the API's terminal status (must be 0). */
  subscriberMismatches: number;
  /** Subscription errors by code. */
  subscriptionErrors: Record<string, number>;
  /** Accepted orders not terminal in the API (or not listed) when the settle time ran out. */
  notSettled: number;
  /** Orders created for offers placeOrder never answered, by status (they count in the stock check). */
  unanswered: { count: number; statuses: Record<string, number> };
  /** Created orders beyond one per offer (unanswered ones above the offers not accepted): must be 0. */
  doubled: number;
  stock: {
    products: number;
    /** Units of the step's CONFIRMED orders (accepted and unanswered). */
    expectedDecrease: number;
    actualDecrease: number;
    /** Every product's stock went down by exactly its CONFIRMED units. */
    consistent: boolean;
    /** Units of the step's orders not settled (their stock may be reserved, or not yet). */
    unsettledUnits: number;
    /**
     * Every product's stock went down by at least its CONFIRMED units and at most those plus its
     * unsettled ones (no unit doubled or lost, with orders still in flight).
     */
    withinUnsettled: boolean;
  };
  /** Nothing lost: every offered order accepted and settled, none created unanswered, stock exact. */
  nothingLost: boolean;
}

const round1 = (value: number) => Math.round(value * 10) / 10;

export function latency(values: readonly number[]): Latency {
  const sorted = ascending(values);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted.at(-1)! : Number.NaN,
    count: sorted.length,
  };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/**
 * Per second over the step: from `start` to the last of `times`, or the step's duration when that is
 * longer (a run of a few orders cannot be faster than they were offered).
 */
function perSecond(start: number, durationS: number, times: readonly number[]): number {
  if (times.length === 0) return 0;
  const seconds = Math.max(durationS, (Math.max(...times) - start) / 1000);
  return round1(times.length / seconds);
}

/** The figures of one step. */
export function summarizeStep(input: StepInput): StepResult {
  const accepted = input.orders.filter((o) => o.acceptedAt !== undefined);
  const settled = accepted.filter((o) => isTerminal(o.apiStatus));
  const confirmed = accepted.filter((o) => o.seen.terminal?.status === 'CONFIRMED');
  const since = (o: OrderRecord, at: number) => at - o.startedAt;
  // Every created order's lines: the accepted ones (one unit each) and the unanswered ones.
  const created = [
    ...accepted.map((o) => ({ status: o.apiStatus, lines: [{ productId: o.productId, quantity: 1 }] })),
    ...input.unanswered,
  ];
  const unitsWhere = (wanted: (status: string | undefined) => boolean) => {
    const units = new Map<string, number>();
    for (const order of created)
      if (wanted(order.status))
        for (const line of order.lines)
          units.set(line.productId, (units.get(line.productId) ?? 0) + line.quantity);
    return units;
  };
  const confirmedUnits = unitsWhere((status) => status === 'CONFIRMED');
  const unsettledUnits = unitsWhere((status) => !isTerminal(status));
  const sum = (units: Map<string, number>) => [...units.values()].reduce((a, b) => a + b, 0);
  const expectedDecrease = sum(confirmedUnits);
  const actualDecrease = input.stock.reduce((total, s) => total + s.before - s.after, 0);
  const decreaseOf = (s: StockCheck) => s.before - s.after;
  const consistent = input.stock.every((s) => decreaseOf(s) === (confirmedUnits.get(s.productId) ?? 0));
  const withinUnsettled = input.stock.every(
    (s) =>
      decreaseOf(s) >= (confirmedUnits.get(s.productId) ?? 0) &&
      decreaseOf(s) <= (confirmedUnits.get(s.productId) ?? 0) + (unsettledUnits.get(s.productId) ?? 0),
  );
  const notSettled = accepted.length - settled.length;
  const notAccepted = input.orders.length - accepted.length;
  return {
    rate: input.rate,
    durationS: input.durationS,
    loadS: round1(input.loadS),
    offered: input.orders.length,
    accepted: accepted.length,
    notAccepted,
    offeredPerS: round1(input.orders.length / Math.max(input.durationS, input.loadS)),
    acceptedPerS: perSecond(
      input.startedAt,
      Math.max(input.durationS, input.loadS),
      accepted.map((o) => o.acceptedAt!),
    ),
    settledPerS: perSecond(
      input.startedAt,
      Math.max(input.durationS, input.loadS),
      settled.filter((o) => o.seen.terminal).map((o) => o.seen.terminal!.at),
    ),
    placeOrderMs: latency(accepted.map((o) => since(o, o.acceptedAt!))),
    retried: accepted.filter((o) => o.tries > 1).length,
    refusals: countBy(input.orders.flatMap((o) => o.refusals)),
    confirmedMs: latency(confirmed.map((o) => since(o, o.seen.terminal!.at))),
    confirmedLiveMs: latency(
      confirmed.filter((o) => !o.seen.terminal!.fromSnapshot).map((o) => since(o, o.seen.terminal!.at)),
    ),
    confirmedCommitMs: latency(confirmed.map((o) => since(o, o.seen.terminal!.updatedAt))),
    confirmedInSnapshot: confirmed.filter((o) => o.seen.terminal!.fromSnapshot).length,
    statuses: countBy(accepted.map((o) => o.apiStatus ?? 'NOT_LISTED')),
    seenBySubscriber: accepted.filter((o) => o.seen.terminal).length,
    // Both terminal and different (a CONFIRMED received after the API's last answer is no contradiction).
    subscriberMismatches: accepted.filter(
      (o) => o.seen.terminal && isTerminal(o.apiStatus) && o.seen.terminal.status !== o.apiStatus,
    ).length,
    subscriptionErrors: countBy(input.orders.flatMap((o) => o.seen.errors)),
    notSettled,
    unanswered: {
      count: input.unanswered.length,
      statuses: countBy(input.unanswered.map((o) => o.status)),
    },
    doubled: Math.max(0, input.unanswered.length - notAccepted),
    stock: {
      products: input.stock.length,
      expectedDecrease,
      actualDecrease,
      consistent,
      unsettledUnits: sum(unsettledUnits),
      withinUnsettled,
    },
    nothingLost: notAccepted === 0 && notSettled === 0 && consistent && input.unanswered.length === 0,
  };
}

/** What the product owner asked for (printed, never asserted). */
export interface TargetVerdict {
  target: string;
  /** The step that measured it, or undefined when the run had no such step. */
  rate?: number;
  met?: boolean;
  why: string;
}

const SUSTAINED_RATE = 100;
const SUSTAINED_SECONDS = 60;
const LATENCY_RATE = 10;
const LATENCY_P99_MS = 500;

/** The two targets, each against the step that measures it. */
export function verdicts(steps: readonly StepResult[]): TargetVerdict[] {
  const sustained = steps.find((s) => s.rate >= SUSTAINED_RATE && s.durationS >= SUSTAINED_SECONDS);
  const latencyStep = steps.find((s) => s.rate === LATENCY_RATE);
  const lost = (s: StepResult) =>
    s.nothingLost
      ? 'nothing lost'
      : `${s.notAccepted} not accepted (${s.unanswered.count} of them created), ${s.notSettled} not settled, ${s.doubled} doubled, stock ${s.stock.consistent ? 'exact' : 'not settled or off'}`;
  return [
    {
      target: `>= ${SUSTAINED_RATE} orders/s sustained for ${SUSTAINED_SECONDS} s with nothing lost`,
      ...(sustained
        ? {
            rate: sustained.rate,
            // 99 %: the last acceptance or settlement lands a little after the window's end.
            met: sustained.nothingLost && sustained.settledPerS >= SUSTAINED_RATE * 0.99,
            why: `${sustained.settledPerS} settled/s, ${sustained.acceptedPerS} accepted/s, ${lost(sustained)}`,
          }
        : { why: `no step at >= ${SUSTAINED_RATE}/s for >= ${SUSTAINED_SECONDS} s in this run` }),
    },
    {
      target: `p99 placed-to-CONFIRMED <= ${LATENCY_P99_MS} ms at ${LATENCY_RATE} orders/s`,
      ...(latencyStep
        ? {
            rate: latencyStep.rate,
            met: latencyStep.nothingLost && latencyStep.confirmedMs.p99 <= LATENCY_P99_MS,
            why: `p99 ${latencyStep.confirmedMs.p99} ms, ${lost(latencyStep)}`,
          }
        : { why: `no step at ${LATENCY_RATE}/s in this run` }),
    },
  ];
}

const codes = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ') || '-';

function stockCell(stock: StepResult['stock']): string {
  const figures = `${stock.actualDecrease} (${stock.expectedDecrease})`;
  if (stock.consistent) return `${figures} exact`;
  if (stock.withinUnsettled && stock.unsettledUnits > 0)
    return `${figures} + up to ${stock.unsettledUnits} not settled`;
  return `${figures} OFF`;
}

/** The printed table: one column per step. */
export function formatSteps(steps: readonly StepResult[]): string {
  const rows: [string, (s: StepResult) => string | number][] = [
    ['target orders/s', (s) => s.rate],
    ['seconds (load ran)', (s) => `${s.durationS} (${s.loadS})`],
    ['offered', (s) => `${s.offered} (${s.offeredPerS}/s)`],
    ['accepted', (s) => s.accepted],
    ['accepted/s', (s) => s.acceptedPerS],
    ['settled/s', (s) => s.settledPerS],
    ['placeOrder p50 / p99 ms', (s) => `${s.placeOrderMs.p50} / ${s.placeOrderMs.p99}`],
    ['retried / refusals', (s) => `${s.retried} / ${codes(s.refusals)}`],
    [
      'placed-to-CONFIRMED p50/p95/p99/max ms',
      (s) => `${s.confirmedMs.p50} / ${s.confirmedMs.p95} / ${s.confirmedMs.p99} / ${s.confirmedMs.max}`,
    ],
    ['  of which in the snapshot', (s) => s.confirmedInSnapshot],
    [
      '  live events only p50/p99 ms',
      (s) => `${s.confirmedLiveMs.p50} / ${s.confirmedLiveMs.p99} (${s.confirmedLiveMs.count})`,
    ],
    ['  commit (updatedAt) p50/p99 ms', (s) => `${s.confirmedCommitMs.p50} / ${s.confirmedCommitMs.p99}`],
    ['statuses', (s) => codes(s.statuses)],
    ['seen by subscriber', (s) => `${s.seenBySubscriber} (${s.subscriberMismatches} differ)`],
    ['subscription errors', (s) => codes(s.subscriptionErrors)],
    ['not settled', (s) => s.notSettled],
    ['not accepted', (s) => s.notAccepted],
    ['  created anyway (statuses)', (s) => `${s.unanswered.count} (${codes(s.unanswered.statuses)})`],
    ['doubled', (s) => s.doubled],
    ['stock decrease (CONFIRMED units)', (s) => stockCell(s.stock)],
  ];
  const cells = rows.map(([label, cell]) => [label, ...steps.map((s) => String(cell(s)))]);
  const widths = cells[0]!.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  return cells
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One line per target: met, not met, or not measured. */
export function formatVerdicts(list: readonly TargetVerdict[]): string {
  return list
    .map((v) => {
      const outcome = v.met === undefined ? 'not measured' : v.met ? 'MET' : 'NOT MET';
      return `${v.target}: ${outcome} (${v.why})`;
    })
    .join('\n');
}
