import type { Logger } from '@shop/platform';

/** One email to one recipient (plain text). */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * Where notification emails go out. Implementations send one message or reject; the caller decides
 * what a failure means (notifications logs it: the in-app notification is already committed).
 */
export interface EmailChannel {
  readonly name: string;
  send(message: EmailMessage): Promise<void>;
}

/**
 * The channel used when no SMTP server is configured (development, tests): logs each message at
 * info level instead of sending it, and keeps the last `keep` messages in `sent` for inspection.
 */
export class LogEmailChannel implements EmailChannel {
  readonly name = 'log';
  readonly sent: EmailMessage[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly keep = 100,
  ) {}

  async send(message: EmailMessage): Promise<void> {
    this.logger.info({ to: message.to, subject: message.subject }, 'email (not sent: no SMTP_URL)');
    this.sent.push(message);
    if (this.sent.length > this.keep) this.sent.shift();
  }
}

/**
 * The channel for `SMTP_URL`. No SMTP client library is installed (nodemailer must be added to this
 * workspace) and a hand-written SMTP client is not something to ship, so asking for SMTP fails at
 * start-up rather than silently dropping every email.
 */
export function createSmtpEmailChannel(smtpUrl: string): EmailChannel {
  throw new Error(
    `SMTP_URL is set (${new URL(smtpUrl).host}) but no SMTP client is installed: add nodemailer to @shop/notifications, or unset SMTP_URL to log emails`,
  );
}
