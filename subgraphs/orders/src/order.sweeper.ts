import type { EntityManager, Logger, Stoppable } from '@shop/platform';
import type { OrderService } from './order.service.js';

export interface OrderSweeperOptions {
  /** An order still PENDING or RESERVED this long after it was placed is cancelled EXPIRED. */
  timeoutMs: number;
  /** How often to look for such orders. */
  intervalMs: number;
  /** A fresh EntityManager fork per sweep. */
  fork: () => EntityManager;
  logger: Logger;
  /** Orders expired per transaction (default 100); the sweep repeats while a batch is full. */
  batch?: number;
}

/**
 * The settlement sweeper: every `intervalMs`, cancels (reason EXPIRED) the orders still PENDING or
 * RESERVED `timeoutMs` after they were placed, through `OrderService.expireUnsettled` (state machine,
 * `orders.order.cancelled.v1` in the same transaction). Every replica runs one; they never take the
 * same order (`FOR UPDATE SKIP LOCKED`). One sweep at a time per sweeper; `stop()` waits for the
 * running one. A failed sweep is logged and retried at the next tick.
 */
export function startOrderSweeper(
  orders: Pick<OrderService, 'expireUnsettled'>,
  { timeoutMs, intervalMs, fork, logger, batch = 100 }: OrderSweeperOptions,
): Stoppable & { sweep(): Promise<number> } {
  const log = logger.child({ component: 'order-sweeper' });
  let running: Promise<number> | undefined;
  let stopped = false;

  const sweep = (): Promise<number> => {
    running ??= (async () => {
      let expired = 0;
      try {
        for (;;) {
          const placedBefore = new Date(Date.now() - timeoutMs);
          const ids = await orders.expireUnsettled(fork(), placedBefore, batch);
          expired += ids.length;
          if (ids.length < batch || stopped) break;
        }
      } catch (error) {
        log.error({ err: error }, 'expiring unsettled orders failed');
      } finally {
        running = undefined;
      }
      return expired;
    })();
    return running;
  };

  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return {
    name: 'order-sweeper',
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
