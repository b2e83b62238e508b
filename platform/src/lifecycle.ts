import type { Logger } from './logger.js';

/** Something to stop on shutdown, in the order given. */
export interface Stoppable {
  name: string;
  stop: () => Promise<void> | void;
}

/** A part that goes on starting after it is returned, e.g. a Kafka consumer joining its group. */
export interface StartsInBackground {
  /** Resolves once it has started (a consumer: joined its group, partitions assigned). */
  readonly joined: Promise<void>;
}

/** Resolves once every part of `parts` that starts in the background has ({@link StartsInBackground}). */
export async function allJoined(parts: readonly object[]): Promise<void> {
  await Promise.all(
    parts.map((part) => ('joined' in part ? (part as StartsInBackground).joined : undefined)),
  );
}

/**
 * Runs a service from `main.ts`: awaits `start`, then on SIGTERM or SIGINT stops every part it
 * returned, in order (stop accepting and drain, stop consumers, flush the outbox relay, close
 * Kafka, then Redis and the ORM), and exits 0. A failed start, or a stop that takes longer than
 * `timeoutMs` (default 25 s, below Kubernetes' 30 s grace period), exits 1.
 */
export async function runService(
  logger: Logger,
  start: () => Promise<Stoppable[]>,
  { timeoutMs = 25_000 }: { timeoutMs?: number } = {},
): Promise<void> {
  let parts: Stoppable[];
  try {
    parts = await start();
  } catch (error) {
    logger.fatal({ err: error }, 'start-up failed');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    await stopAll(parts, logger);
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** Stops each part in order; a part that fails is logged and the rest still stop. */
export async function stopAll(parts: Stoppable[], logger?: Logger): Promise<void> {
  for (const part of parts) {
    const started = Date.now();
    try {
      await part.stop();
      logger?.debug({ part: part.name, ms: Date.now() - started }, 'stopped');
    } catch (error) {
      logger?.error({ err: error, part: part.name }, 'stop failed');
    }
  }
}
