import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

/** The users subgraph's environment. */
export const usersEnv = z.object({
  ...serviceEnv,
  PORT: port(4002),
  /** The auth subgraph's GraphQL endpoint, asked for profiles whose registration event has not arrived yet. */
  AUTH_URL: z.url().default('http://127.0.0.1:4001/graphql'),
});
export type UsersConfig = z.infer<typeof usersEnv>;

/** Reads and validates the environment; throws listing every problem at once. */
export const loadUsersConfig = (env: NodeJS.ProcessEnv = process.env): UsersConfig =>
  loadConfig(usersEnv, env);
