import type { Logger, Stoppable } from '@shop/platform';
import type { ReservationService } from './reservation.service.js';

export interface ReservationSweeperOptions {
  intervalMs: number;
  logger: Logger;
  /** Reservations released per transaction (default 500); the sweep repeats while a batch is full. */
  batch?: number;
}

/**
 * Every `intervalMs`, releases the RESERVED reservations past their `expiresAt` (their units are
 * available again; `inventory.stock.changed.v1` is recorded as for any release). One sweep at a
 * time; `stop()` waits for the running one. A failed sweep is logged and retried at the next tick.
 */
export function startReservationSweeper(
  reservations: Pick<ReservationService, 'releaseExpired'>,
  { intervalMs, logger, batch = 500 }: ReservationSweeperOptions,
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
          if (batchReleased.length < batch || stopped) break;
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
