import type { Logger, Stoppable } from '@shop/platform';
import type { ReservationService } from './reservation.service.js';

export interface ReservationSweeperOptions {
  intervalMs: number;
  logger: Logger;
  /** Orders released per transaction (default 100); the sweep repeats while a batch is full. */
  batch?: number;
}

/**
 * The backstop: every `intervalMs`, releases the orders whose RESERVED reservations are past their
 * `expiresAt`, whole orders at a time (their units are available again; `inventory.stock.released.v1`
 * per order and `inventory.stock.changed.v1` per product are recorded in the same transaction, and
 * orders cancels the order EXPIRED on the former). One sweep at a time; `stop()` waits for the
 * running one. A failed sweep is logged and retried at the next tick. Replicas may sweep at once:
 * only what one of them actually moved is published.
 */
export function startReservationSweeper(
  reservations: Pick<ReservationService, 'releaseExpired'>,
  { intervalMs, logger, batch = 100 }: ReservationSweeperOptions,
): Stoppable & { sweep(): Promise<number> } {
  const log = logger.child({ component: 'reservation-sweeper' });
  let running: Promise<number> | undefined;
  let stopped = false;

  const sweep = (): Promise<number> => {
    running ??= (async () => {
      let released = 0;
      try {
        for (;;) {
          const batchReleased = await reservations.releaseExpired(new Date(), { limit: batch });
          released += batchReleased.length;
          const orders = new Set(batchReleased.map((r) => r.orderId)).size;
          if (orders < batch || stopped) break;
        }
        if (released > 0) log.info({ released }, 'expired reservations released');
      } catch (error) {
        log.error({ err: error }, 'sweeping expired reservations failed');
      } finally {
        running = undefined;
      }
      return released;
    })();
    return running;
  };

  const timer = setInterval(() => void sweep(), intervalMs);
  timer.unref();
  return {
    name: 'reservation-sweeper',
    sweep,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
