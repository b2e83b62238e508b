import { serviceUnavailable } from '@shop/platform';
import { Counter, Gauge, type Registry } from 'prom-client';

export interface OrderAdmissionOptions {
  /**
   * Most orders unsettled (PENDING or RESERVED: placed, reservation or payment still to come) at once;
   * past it `placeOrder` is refused with SERVICE_UNAVAILABLE (503, `Retry-After`), nothing written.
   * 0 sets no bound.
   */
  maxUnsettled: number;
  /** How long one count of the unsettled orders is used (ms); orders placed meanwhile are added to it. */
  countTtlMs: number;
  /** Counts the unsettled orders (one statement). */
  count: () => Promise<number>;
  registry: Registry;
  now?: () => number;
}

export interface OrderAdmission {
  /** Throws SERVICE_UNAVAILABLE when the unsettled orders are at the bound. */
  admit(): Promise<void>;
  /** This replica committed an order (counted until the next count). */
  placed(): void;
}

/**
 * Load shedding for `placeOrder`: above what the order flow settles, orders would queue in the saga
 * (every hop a Kafka round trip) until clients time out and retry, so accepted and settled throughput
 * fall instead of levelling off. A bound on the orders in flight keeps the backlog, and with it the time
 * from placed to CONFIRMED, bounded: past it a new order is refused at once with SERVICE_UNAVAILABLE
 * (the contract's "retry the same request after Retry-After": nothing was written), while a retry of an
 * order already placed is still answered (the idempotency replay comes first).
 *
 * The count is read at most once per `countTtlMs` (one statement, however many requests wait for it),
 * plus the orders this replica placed since; other replicas' orders of that window are seen at the next
 * count. Metrics: `orders_unsettled` (the last estimate) and `orders_admission_refused_total`.
 */
export function createOrderAdmission(options: OrderAdmissionOptions): OrderAdmission {
  const now = options.now ?? Date.now;
  const unsettled = new Gauge({
    name: 'orders_unsettled',
    help: 'Orders PENDING or RESERVED, as placeOrder admission last estimated them.',
    registers: [options.registry],
  });
  const refused = new Counter({
    name: 'orders_admission_refused_total',
    help: 'placeOrder calls refused with SERVICE_UNAVAILABLE because the unsettled orders were at ORDER_MAX_UNSETTLED.',
    registers: [options.registry],
  });
  let counted: { value: number; at: number } | undefined;
  let counting: Promise<number> | undefined;
  let placedSince = 0;

  const fresh = async (): Promise<number> => {
    if (counted && now() - counted.at < options.countTtlMs) return counted.value + placedSince;
    counting ??= (async () => {
      const at = now();
      try {
        const value = await options.count();
        counted = { value, at };
        placedSince = 0;
        return value;
      } finally {
        counting = undefined;
      }
    })();
    return (await counting) + placedSince;
  };

  return {
    async admit() {
      if (options.maxUnsettled <= 0) return;
      const estimate = await fresh();
      unsettled.set(estimate);
      if (estimate >= options.maxUnsettled) {
        refused.inc();
        throw serviceUnavailable('Too many orders are being settled right now; try again shortly', 1);
      }
    },
    placed() {
      placedSince++;
    },
  };
}
