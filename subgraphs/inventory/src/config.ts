import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

/** The inventory subgraph's environment, validated at start-up (every problem listed at once). */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: port(4004),
  /** The products subgraph, asked through `_entities` about products inventory has not heard of yet. */
  PRODUCTS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  /**
   * How long an order's reservation holds its units before the backstop sweeper releases it
   * (seconds). Orders cancels an unsettled order after its own ORDER_SETTLEMENT_TIMEOUT_SECONDS
   * (900 by default), which releases the reservation; this backstop must be much longer than that
   * plus the consumer lag to tolerate, so it only fires when that did not happen.
   */
  RESERVATION_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** How often the sweeper releases expired reservations (milliseconds). */
  RESERVATION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
