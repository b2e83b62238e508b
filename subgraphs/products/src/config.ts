import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

/** The products subgraph's environment, validated at start-up (every problem listed at once). */
export const productsEnv = z.object({
  ...serviceEnv,
  PORT: port(4003),
  /** ISO 4217 code of the store's currency: every price is stored in its minor units. */
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .default('USD'),
});

export type ProductsConfig = z.infer<typeof productsEnv>;

export const loadProductsConfig = (env: NodeJS.ProcessEnv = process.env): ProductsConfig =>
  loadConfig(productsEnv, env);
