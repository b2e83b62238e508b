import { flag, loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

/** The orders subgraph's environment, validated at start-up (every problem listed at once). */
export const configSchema = z
  .object({
    ...serviceEnv,
    PORT: port(4006),
    /** The products subgraph, asked through `_entities` for prices orders has not heard of yet. */
    PRODUCTS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
    /**
     * An order still PENDING or RESERVED this many seconds after it was placed is cancelled EXPIRED.
     * Keep it well below inventory's RESERVATION_TTL_SECONDS (its backstop), and above the time
     * reservation and payment normally take.
     */
    ORDER_SETTLEMENT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(900),
    /** How often the settlement sweeper looks for such orders (milliseconds). */
    ORDER_SETTLEMENT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
    /**
     * For tests only, a deliberately broken build: `true` makes `placeOrder` ignore the idempotency key
     * (no replay lookup, the order stored under a fresh key), so a client's retry places a second order.
     * The soak's history checker must catch it (test/soak.e2e.spec.ts). Refused, so the process does
     * not start, unless NODE_ENV=test.
     */
    UNSAFE_SKIP_IDEMPOTENCY: flag(false),
    /**
     * Load shedding: while this many orders are PENDING or RESERVED, placeOrder answers
     * SERVICE_UNAVAILABLE (503, Retry-After) and writes nothing; a retry of a placed order is still
     * answered. 0 sets no bound. About 10 s of what two cores settle.
     */
    ORDER_MAX_UNSETTLED: z.coerce.number().int().min(0).default(200),
    /** How long one count of the unsettled orders is used (milliseconds). */
    ORDER_ADMISSION_COUNT_MS: z.coerce.number().int().min(0).default(250),
  })
  .refine((config) => !config.UNSAFE_SKIP_IDEMPOTENCY || config.NODE_ENV === 'test', {
    message: 'UNSAFE_SKIP_IDEMPOTENCY=true is for tests only and refused unless NODE_ENV=test',
    path: ['UNSAFE_SKIP_IDEMPOTENCY'],
  });
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
