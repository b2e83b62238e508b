import type { ConnectionOptions } from 'node:tls';
import type { Logger, Metrics } from '@shop/platform';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import { Counter } from 'prom-client';
import type { EmailChannel, EmailMessage } from './email-channel.js';

/** The sender used when `EMAIL_FROM` is unset. */
export const DEFAULT_EMAIL_FROM = 'Shop <no-reply@shop.local>';

/** Where and how to reach the SMTP server, read from `SMTP_URL` by {@link parseSmtpUrl}. */
export interface SmtpSettings {
  host: string;
  port: number;
  /** `smtps://`: TLS from the first byte (implicit TLS, port 465 by default). */
  secure: boolean;
  /** `smtp://` only: STARTTLS must succeed or nothing is sent (always so when the URL has credentials). */
  requireTLS: boolean;
  auth?: { user: string; pass: string };
}

/**
 * Reads an `SMTP_URL`:
 * - `smtps://[user:pass@]host[:465]`: implicit TLS;
 * - `smtp://host[:587]`: STARTTLS when the server offers it; with `user:pass@` (percent-encoded) or
 *   `?requireTLS=true`, STARTTLS is required, so credentials never cross a plain connection.
 * Anything else (another scheme, a path, an unknown parameter, a user without a password) throws an
 * Error whose message never contains the password.
 */
export function parseSmtpUrl(value: string): SmtpSettings {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error('not a URL (expected smtp://host:port or smtps://host:port)');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new Error(`unsupported scheme ${url.protocol} (expected smtp: or smtps:)`);
  const secure = url.protocol === 'smtps:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error('no host');
  if ((url.pathname && url.pathname !== '/') || url.hash)
    throw new Error('a path or fragment is not allowed');
  let user: string, pass: string;
  try {
    user = decodeURIComponent(url.username);
    pass = decodeURIComponent(url.password);
  } catch {
    throw new Error('the user or password is not properly percent-encoded');
  }
  if (pass && !user) throw new Error('a password without a user');
  if (user && !pass) throw new Error('a user without a password');

  let requireTLS = !secure && Boolean(user);
  for (const [key, raw] of url.searchParams) {
    if (key !== 'requireTLS') throw new Error(`unsupported parameter ${key} (supported: requireTLS)`);
    if (secure) throw new Error('requireTLS applies to smtp:// (smtps:// is always TLS)');
    if (raw !== 'true' && raw !== 'false') throw new Error('requireTLS must be true or false');
    if (raw === 'false' && user)
      throw new Error('credentials are only sent over TLS: requireTLS=false refused');
    requireTLS = raw === 'true';
  }
  return {
    host,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS,
    ...(user ? { auth: { user, pass } } : {}),
  };
}

/** `SMTP_URL` for logs: scheme, user, host and port; never the password. */
export const describeSmtp = (s: SmtpSettings) =>
  `${s.secure ? 'smtps' : 'smtp'}://${s.auth ? `${s.auth.user}@` : ''}${s.host.includes(':') ? `[${s.host}]` : s.host}:${s.port}`;

/**
 * Checks an `EMAIL_FROM` value: exactly one mailbox (`no-reply@shop.example` or
 * `Shop <no-reply@shop.example>`), no line breaks. Returns its address; throws an Error otherwise.
 */
export function parseSender(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('line breaks are not allowed');
  const parsed = addressparser(value);
  const only = parsed.length === 1 ? parsed[0] : undefined;
  if (!only?.address || !/^[^\s@]+@[^\s@]+$/.test(only.address))
    throw new Error('expected one address such as "Shop <no-reply@shop.example>"');
  return only.address;
}

/**
 * Milliseconds each stage of a delivery may take. The Kafka consumer awaits each send, and a
 * handler that runs past the group's session timeout (kafkajs: 30 s) is taken for dead and its
 * partitions moved, so one send is bounded well below that.
 */
export interface SmtpTimeouts {
  /** TCP (and implicit TLS) connection, and the DNS lookup (default 5 s). */
  connectionMs: number;
  /** The server's greeting once connected (default 5 s). */
  greetingMs: number;
  /** Silence on an open connection (default 10 s). */
  socketMs: number;
  /** One `send` as a whole: waiting for a pooled connection, connecting, the transfer (default 15 s). */
  sendMs: number;
}

export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = {
  connectionMs: 5_000,
  greetingMs: 5_000,
  socketMs: 10_000,
  sendMs: 15_000,
};

export interface SmtpEmailChannelOptions {
  /** `SMTP_URL` (see {@link parseSmtpUrl}). */
  url: string;
  /** `EMAIL_FROM` (default {@link DEFAULT_EMAIL_FROM}). */
  from?: string;
  /** Where the channel says what it connects to (once, at construction; never the password). */
  logger: Logger;
  /** The subgraph's metrics: `notification_emails_total{outcome, reason}` is registered on its registry. */
  metrics?: Metrics;
  timeouts?: Partial<SmtpTimeouts>;
  /** Open SMTP connections at most (default 2: the consumer sends one email at a time per partition). */
  maxConnections?: number;
  /**
   * Extra TLS options (tests trust their own CA here). In production the system trust store is used;
   * a private CA goes in Node's `NODE_EXTRA_CA_CERTS`.
   */
  tls?: ConnectionOptions;
}

/** The counter's `reason` for a failure: nodemailer's error code when it is one, else `OTHER`. */
const REASONS = new Set([
  'EABORT',
  'EAUTH',
  'ECONNECTION',
  'EDNS',
  'EENVELOPE',
  'EMESSAGE',
  'ENOAUTH',
  'EPROTOCOL',
  'ESOCKET',
  'ETIMEDOUT',
  'ETLS',
]);
const reasonOf = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && REASONS.has(code) ? code : 'OTHER';
};

type EmailCounter = Counter<'outcome' | 'reason'>;

/** `notification_emails_total` on the subgraph's registry (reused when already there). */
function emailCounter(metrics: Metrics): EmailCounter {
  const name = 'notification_emails_total';
  const existing = metrics.registry.getSingleMetric(name);
  if (existing) return existing as EmailCounter;
  return new Counter({
    name,
    help: 'Notification emails handed to the SMTP server (outcome sent) or not (outcome failed, with the reason).',
    labelNames: ['outcome', 'reason'],
    registers: [metrics.registry],
  });
}

/**
 * Sends notification emails through an SMTP server with nodemailer's pooled transport. One `send`
 * is one SMTP transaction, tried once: it resolves when the server accepted the message and rejects
 * on a refusal, a timeout or an unreachable server (nodemailer's pool re-queues a message only when
 * its connection closes under it, within the same deadline). Nothing is retried later: a rejected
 * send is counted here and logged by the caller. A send that times out after the server received
 * the message may still be delivered.
 */
export class SmtpEmailChannel implements EmailChannel {
  readonly name = 'smtp';
  readonly settings: SmtpSettings;
  readonly from: string;
  private readonly fromDomain: string;
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;
  private readonly timeouts: SmtpTimeouts;
  private readonly counter: EmailCounter | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(options: SmtpEmailChannelOptions) {
    this.settings = parseSmtpUrl(options.url);
    this.from = options.from ?? DEFAULT_EMAIL_FROM;
    this.fromDomain = parseSender(this.from).split('@')[1]!;
    this.timeouts = { ...DEFAULT_SMTP_TIMEOUTS, ...options.timeouts };
    this.counter = options.metrics ? emailCounter(options.metrics) : undefined;
    const { host, port, secure, requireTLS, auth } = this.settings;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: options.maxConnections ?? 2,
      host,
      port,
      secure,
      requireTLS,
      ...(auth ? { auth } : {}),
      connectionTimeout: this.timeouts.connectionMs,
      greetingTimeout: this.timeouts.greetingMs,
      socketTimeout: this.timeouts.socketMs,
      dnsTimeout: this.timeouts.connectionMs,
      // TLS 1.2 at least; certificates are verified (nodemailer's default, kept explicit).
      tls: { minVersion: 'TLSv1.2', rejectUnauthorized: true, ...options.tls },
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
    options.logger.info({ smtp: describeSmtp(this.settings), from: this.from }, 'SMTP email channel');
  }

  async send(message: EmailMessage): Promise<void> {
    if (this.closed) throw new Error('the SMTP email channel is closed');
    const sending = this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      // RFC 3834: an automatic message, so auto-responders do not answer it.
      headers: { 'Auto-Submitted': 'auto-generated' },
      ...(message.id ? { messageId: `<${message.id}@${this.fromDomain}>` } : {}),
      signal: AbortSignal.timeout(this.timeouts.sendMs),
    });
    this.inFlight.add(sending);
    try {
      await sending;
      this.counter?.inc({ outcome: 'sent' });
    } catch (error) {
      this.counter?.inc({ outcome: 'failed', reason: reasonOf(error) });
      throw error;
    } finally {
      this.inFlight.delete(sending);
    }
  }

  /** Connects and authenticates once (a start-up check); rejects with the server's or network's error. */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  /**
   * Refuses new sends, lets the sends in flight finish for up to `graceMs` (default 5 s, within the
   * shutdown budget), then closes every connection (a send still running then fails).
   */
  async close(graceMs = 5_000): Promise<void> {
    this.closed = true;
    // The pool fails messages still queued when it closes, so the sends in flight go first.
    const settled = Promise.allSettled([...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      settled.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    this.transport.close(late ? { force: true } : {});
    await settled;
  }
}

/** The email channel for `SMTP_URL` (see {@link SmtpEmailChannel}). Throws on a bad URL or sender. */
export const createSmtpEmailChannel = (options: SmtpEmailChannelOptions) => new SmtpEmailChannel(options);
