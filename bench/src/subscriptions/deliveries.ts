/**
 * Bookkeeping of the subscription benchmark's deliveries: which order event a notification is, what one
 * connection received against what its customer should have received (nothing lost, nothing doubled).
 */

/** The fields of a `notificationAdded` result the benchmark reads. */
export interface FeedNotification {
  id: string;
  type: string;
  createdAt: string;
  order?: { id: string } | null;
}

/**
 * The order event a notification stands for: `<orderId>:placed` (ORDER_PLACED) or `<orderId>:settled`
 * (ORDER_CONFIRMED or ORDER_CANCELLED: an order settles once). Undefined for any other notification
 * (WELCOME, ...), which the benchmark does not expect.
 */
export function eventKey(notification: FeedNotification): string | undefined {
  const orderId = notification.order?.id;
  if (!orderId) return undefined;
  if (notification.type === 'ORDER_PLACED') return `${orderId}:placed`;
  if (notification.type === 'ORDER_CONFIRMED' || notification.type === 'ORDER_CANCELLED')
    return `${orderId}:settled`;
  return undefined;
}

/** Whether an order's status is final (it sent its second event). */
export const isSettled = (status: string) => status === 'CONFIRMED' || status === 'CANCELLED';

/**
 * The events every subscriber of a customer must receive: per order of the customer, its ORDER_PLACED,
 * and once it settled, its ORDER_CONFIRMED or ORDER_CANCELLED.
 */
export const expectedKeys = (orders: Iterable<{ id: string; status: string }>): string[] =>
  [...orders].flatMap(({ id, status }) =>
    isSettled(status) ? [`${id}:placed`, `${id}:settled`] : [`${id}:placed`],
  );

/** One connection's (or many connections') deliveries against what was expected. */
export interface Tally {
  /** Expected events received at least once. */
  delivered: number;
  /** Expected events: what `delivered` should be. */
  expected: number;
  /** Expected events never received. */
  missing: number;
  /** Copies beyond the first of any event (expected or not). */
  duplicates: number;
  /** Order events received that this connection's customer did not expect (another customer's, or unknown). */
  unexpected: number;
}

export const emptyTally = (): Tally => ({
  delivered: 0,
  expected: 0,
  missing: 0,
  duplicates: 0,
  unexpected: 0,
});

/** `received`: event key -> how many times it came on one connection. */
export function tally(received: ReadonlyMap<string, number>, expected: ReadonlySet<string>): Tally {
  const result = emptyTally();
  result.expected = expected.size;
  for (const [key, count] of received) {
    result.duplicates += count - 1;
    if (expected.has(key)) result.delivered += 1;
    else result.unexpected += 1;
  }
  result.missing = result.expected - result.delivered;
  return result;
}

export function addTallies(tallies: Iterable<Tally>): Tally {
  const sum = emptyTally();
  for (const t of tallies) {
    sum.delivered += t.delivered;
    sum.expected += t.expected;
    sum.missing += t.missing;
    sum.duplicates += t.duplicates;
    sum.unexpected += t.unexpected;
  }
  return sum;
}

/**
 * The rate at which events were created at the source: events per second between the first and the
 * last creation time (ms since the epoch); NaN with fewer than two.
 */
export function sourceRate(createdAt: readonly number[]): number {
  if (createdAt.length < 2) return Number.NaN;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const t of createdAt) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return last === first ? Number.NaN : ((createdAt.length - 1) * 1000) / (last - first);
}
