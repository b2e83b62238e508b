import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

/** The cart subgraph's environment, validated at start-up (every problem listed at once). */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: port(4005),
  /** The products subgraph, asked through `_entities` for prices the local projection lacks. */
  PRODUCTS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  /** ISO 4217 code of the store's currency: the currency of an empty cart's subtotal. */
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .default('USD'),
  /** Seconds a cart is kept after its last change (default 30 days; every write starts it again). */
  CART_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(30 * 24 * 3600),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
