import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

/** The payments subgraph's environment, validated at start-up (every problem listed at once). */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: port(4007),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
