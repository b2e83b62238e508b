import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';

/** The notifications subgraph's environment, validated at start-up (every problem listed at once). */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: port(4008),
  /** Kafka consumer group of the notification consumer. */
  NOTIFICATIONS_CONSUMER_GROUP: z.string().min(1).default('notifications'),
  /**
   * SMTP server for the email channel (`smtp://user:pass@host:587`). Unset: emails are only logged.
   * No SMTP client is installed yet, so setting it fails start-up (see README).
   */
  SMTP_URL: z.url().optional(),
  /** Seconds an unread count stays cached in Redis (a safety net; writes invalidate it at once). */
  UNREAD_COUNT_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
