import { loadConfig, port, serviceEnv } from '@shop/platform';
import { z } from 'zod';
import { DEFAULT_EMAIL_FROM, parseSender, parseSmtpUrl } from './smtp-email-channel.js';

/** A string checked by `parse` (which throws an Error saying what is wrong). */
const checked = (parse: (value: string) => unknown) =>
  z.string().superRefine((value, ctx) => {
    try {
      parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** The notifications subgraph's environment, validated at start-up (every problem listed at once). */
export const configSchema = z.object({
  ...serviceEnv,
  PORT: port(4008),
  /**
   * SMTP server of the email channel: `smtp://host:587` (STARTTLS when offered),
   * `smtp://user:pass@host:587` (STARTTLS required), `smtps://user:pass@host:465` (implicit TLS),
   * `?requireTLS=true` to insist on STARTTLS without credentials. Unset or empty: emails are only logged.
   */
  SMTP_URL: z.preprocess((v) => (v === '' ? undefined : v), checked(parseSmtpUrl).optional()),
  /** The From of notification emails: one mailbox, e.g. `Shop <no-reply@shop.example>`. */
  EMAIL_FROM: checked(parseSender).default(DEFAULT_EMAIL_FROM),
  /** Seconds an unread count stays cached in Redis (a safety net; writes invalidate it at once). */
  UNREAD_COUNT_TTL_SECONDS: z.coerce.number().int().min(1).default(3600),
});
export type Config = z.infer<typeof configSchema>;

export const readConfig = (env: NodeJS.ProcessEnv = process.env): Config => loadConfig(configSchema, env);
