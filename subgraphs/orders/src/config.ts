import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

/** The orders subgraph's environment, validated at start-up (every problem listed at once). */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: port(4006),
  /** The products subgraph, asked through `_entities` for prices orders has not heard of yet. */
  PRODUCTS_URL: z.url().default('http://127.0.0.1:4003/graphql'),
  /** Kafka consumer group of the order flow and price projection. */
  ORDERS_CONSUMER_GROUP: z.string().min(1).default('orders'),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
