import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@shop/platform';
import { startTestSubgraph, type TestSubgraph, waitFor } from '@shop/platform/testing';
import { buildApp } from '../src/app.js';
import { entities } from '../src/entities.js';
import { migrations } from '../src/migrations/index.js';
import { SmtpEmailChannel } from '../src/smtp-email-channel.js';
import { startTestSmtpServer, type TestSmtpServer } from './email-test-server.js';
import {
  events,
  notificationsOf,
  republished,
  sleep,
  waitForRows,
  type NotificationNode,
} from './notifications.harness.js';

const FROM = 'Shop Notifications <notify@shop.example>';

/**
 * The notifications subgraph with the SMTP email channel (as main.ts wires it when SMTP_URL is set)
 * against a real SMTP server started here; events arrive over real Kafka. The server refuses every
 * recipient whose address starts with `refused`.
 */
describe('notification emails over SMTP', () => {
  let smtp: TestSmtpServer;
  let email: SmtpEmailChannel;
  let subgraph: TestSubgraph;

  beforeAll(async () => {
    smtp = await startTestSmtpServer({ refuse: (address) => address.startsWith('refused') });
    const suffix = randomUUID().slice(0, 8);
    subgraph = await startTestSubgraph({
      name: 'notifications',
      entities,
      migrations,
      redis: true,
      redisKeyPrefix: `notifications:test-${suffix}:`,
      buildApp: (runtime) => {
        email = new SmtpEmailChannel({
          url: `smtp://127.0.0.1:${smtp.port}`,
          from: FROM,
          logger: runtime.logger,
          metrics: runtime.metrics,
        });
        return buildApp(runtime, { email });
      },
    });
  });

  afterAll(async () => {
    // main.ts's order: consumers stop, then the channel closes, then the runtime (here: with the server).
    await subgraph?.stop();
    await email?.close();
    await smtp?.close();
  });

  const publish = (...envelopes: EventEnvelope[]) => subgraph.runtime.producer.publish(envelopes);
  const processed = async (eventId: string) => {
    const rows = await subgraph.runtime.orm.em
      .fork()
      .execute<{ n: string }[]>('select count(*) as n from processed_event where event_id = ?', [eventId]);
    return Number(rows[0]!.n) === 1;
  };
  const nodesOf = async (userId: string): Promise<NotificationNode[]> => {
    const { response, connection } = await notificationsOf(subgraph, userId, { first: 100 });
    expect(response.errors).toBeUndefined();
    return connection.edges.map((e: { node: NotificationNode }) => e.node);
  };
  /** `notification_emails_total` as served on /metrics, by `outcome` or `outcome:reason`. */
  const emailMetrics = async () => {
    const text = await (await fetch(subgraph.url.replace(/\/graphql$/, '/metrics'))).text();
    const counts: Record<string, number> = {};
    for (const [, labels, value] of text.matchAll(/^notification_emails_total\{([^}]*)\} (\S+)$/gm)) {
      const label = (name: string) => labels!.match(new RegExp(`${name}="([^"]*)"`))?.[1];
      counts[[label('outcome'), label('reason')].filter(Boolean).join(':')] = Number(value);
    }
    return counts;
  };

  it('auth.user.registered.v1 -> WELCOME and exactly one email with its title and body, From EMAIL_FROM', async () => {
    const userId = randomUUID();
    const registered = events.registered(userId, { name: 'Grace Hopper' });
    const address = registered.payload.email;
    await publish(registered);
    await waitFor(() => smtp.to(address).length > 0, 30_000, 'the welcome email');

    const [welcome] = await nodesOf(userId);
    expect(welcome).toMatchObject({ type: 'WELCOME' });
    const [mail, ...more] = smtp.to(address);
    expect(more).toEqual([]);
    expect(mail).toMatchObject({
      mailFrom: 'notify@shop.example',
      rcptTo: [address],
      subject: welcome!.title,
      text: welcome!.body,
    });
    expect(mail!.text).toContain('Grace Hopper');
    expect(mail!.headers.from).toBe(FROM);
    expect((await emailMetrics()).sent).toBeGreaterThanOrEqual(1);
  });

  it('one email per notification: a redelivered or re-published event sends nothing more', async () => {
    const userId = randomUUID();
    const orderId = randomUUID();
    const registered = events.registered(userId);
    const placed = events.placed(userId, orderId);
    const address = registered.payload.email;
    await publish(registered);
    await waitFor(() => smtp.to(address).length === 1, 30_000, 'the welcome email');

    // Same key, so each partition handles them in this order: the re-published copies come last.
    const again = [republished(registered), republished(placed)];
    await publish(registered, placed, placed, ...again);
    for (const e of again) await waitFor(() => processed(e.id), 30_000, `${e.type} re-published, processed`);
    await waitFor(() => smtp.to(address).length >= 2, 30_000, 'the order email');
    await sleep(500); // a late duplicate would arrive now

    const mails = smtp.to(address);
    expect(mails.map((m) => m.subject)).toEqual([
      'Welcome to the shop',
      `Order ${orderId.slice(0, 8).toUpperCase()} placed`,
    ]);
    // The order event carries no address: the email went to the one registered (recipient projection).
    expect(mails[1]!.text).toContain('25.00 USD');
    expect((await nodesOf(userId)).map((n) => n.type).sort()).toEqual(['ORDER_PLACED', 'WELCOME']);
  });

  it('a refused email: the notification is stored, the failure counted, nothing retried, the consumer goes on', async () => {
    const before = await emailMetrics();
    const userId = randomUUID();
    const registered = events.registered(userId, { email: `refused-${userId.slice(0, 8)}@example.com` });
    const address = registered.payload.email;
    await publish(registered);
    await waitForRows(subgraph, userId, 1);
    await waitFor(
      async () => ((await emailMetrics())['failed:EENVELOPE'] ?? 0) > (before['failed:EENVELOPE'] ?? 0),
      30_000,
      'the failure counted',
    );

    expect(smtp.refused.filter((a) => a === address)).toHaveLength(1);
    expect(smtp.to(address)).toEqual([]);
    const [welcome, ...rest] = await nodesOf(userId);
    expect(rest).toEqual([]);
    expect(welcome).toMatchObject({ type: 'WELCOME', read: false });

    // Redelivery does not retry the email (at most once per notification, see README), and the
    // consumer is alive: the next user's email goes out.
    const copy = republished(registered);
    await publish(registered, copy); // one key: the copy is handled after the redelivery
    await waitFor(() => processed(copy.id), 30_000, 'the re-published copy processed');
    const next = events.registered(randomUUID());
    await publish(next);
    await waitFor(() => smtp.to(next.payload.email).length === 1, 30_000, "the next user's email");
    expect(smtp.refused.filter((a) => a === address)).toHaveLength(1);
    const after = await emailMetrics();
    expect(after['failed:EENVELOPE']).toBe((before['failed:EENVELOPE'] ?? 0) + 1);
    expect(after.sent).toBe((before.sent ?? 0) + 1);
  });
});
