import type { Logger } from '@shop/platform';

/** One email to one recipient (plain text). */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  /**
   * A stable id of what the email is about (e.g. the notification's id). The SMTP channel derives
   * the Message-ID from it, so a copy that does go out twice is recognisable downstream.
   */
  id?: string;
}

/**
 * Where notification emails go out: {@link LogEmailChannel} without `SMTP_URL`, the SMTP channel
 * (`smtp-email-channel.ts`) with it. Implementations send one message or reject; the caller decides
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
