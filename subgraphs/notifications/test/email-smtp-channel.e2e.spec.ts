import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createLogger, createMetrics, type Metrics } from '@shop/platform';
import { SmtpEmailChannel, type SmtpEmailChannelOptions } from '../src/smtp-email-channel.js';
import { selfSignedCertificate, startTestSmtpServer } from './email-test-server.js';

/**
 * The SMTP channel on its own against real SMTP servers (the smtp-server package) on local ports:
 * what goes over the wire, TLS and authentication per URL, refusals and timeouts, the counter, close.
 */
describe('SmtpEmailChannel', () => {
  const logger = createLogger('email', { level: 'silent' });
  const certificate = selfSignedCertificate();
  const opened: { close(): Promise<void> }[] = [];
  let metrics: Metrics;

  const channel = (options: Omit<SmtpEmailChannelOptions, 'logger' | 'metrics'>) => {
    const c = new SmtpEmailChannel({ logger, metrics, ...options });
    opened.push(c);
    return c;
  };
  const server = async (options: Parameters<typeof startTestSmtpServer>[0] = {}) => {
    const s = await startTestSmtpServer(options);
    opened.push(s);
    return s;
  };
  const counted = async () => {
    const metric = metrics.registry.getSingleMetric('notification_emails_total');
    const values = metric ? (await metric.get()).values : [];
    return Object.fromEntries(
      values.map((v) => [[v.labels.outcome, v.labels.reason].filter(Boolean).join(':'), v.value]),
    );
  };
  const message = (to: string) => ({
    to,
    subject: 'Welcome to the shop',
    text: 'Hello Ada, your account is ready.',
  });

  beforeAll(() => {
    metrics = createMetrics('notifications');
  });
  afterEach(async () => {
    // Channels first: a pooled connection left open would hold the server's close.
    for (const c of opened.splice(0).reverse()) await c.close();
    metrics = createMetrics('notifications');
  });
  afterAll(async () => {
    for (const c of opened.splice(0).reverse()) await c.close();
  });

  it('delivers one plain-text message over smtp:// with the From, envelope and headers it should', async () => {
    const smtp = await server();
    const email = channel({
      url: `smtp://127.0.0.1:${smtp.port}`,
      from: 'Shop Alerts <alerts@shop.example>',
    });
    await email.send({ ...message('ada@example.com'), id: '0b0e7f0c-5d8e-4c1c-9a57-0e8e0f7f1a11' });

    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail).toMatchObject({
      mailFrom: 'alerts@shop.example',
      rcptTo: ['ada@example.com'],
      subject: 'Welcome to the shop',
      text: 'Hello Ada, your account is ready.',
      secure: false,
    });
    expect(mail!.headers.from).toBe('Shop Alerts <alerts@shop.example>');
    expect(mail!.headers.to).toBe('ada@example.com');
    expect(mail!.headers['auto-submitted']).toBe('auto-generated');
    expect(mail!.headers['message-id']).toBe('<0b0e7f0c-5d8e-4c1c-9a57-0e8e0f7f1a11@shop.example>');
    expect(mail!.headers['content-type']).toMatch(/^text\/plain/);
    expect(await counted()).toEqual({ sent: 1 });
  });

  it('decodes a long body intact (quoted-printable) and uses the default sender without EMAIL_FROM', async () => {
    const smtp = await server();
    const email = channel({ url: `smtp://127.0.0.1:${smtp.port}` });
    const text = `We received your order 1A2B3C4D of 25.00 USD. ${'We are reserving your items. '.repeat(6)}Thank you — é.`;
    await email.send({ to: 'grace@example.com', subject: 'Order 1A2B3C4D placed', text });
    expect(smtp.received[0]!.text).toBe(text);
    expect(smtp.received[0]!.headers.from).toBe('Shop <no-reply@shop.local>');
    expect(smtp.received[0]!.mailFrom).toBe('no-reply@shop.local');
  });

  it('a refused recipient rejects the send (EENVELOPE, 550), is counted, and the channel goes on', async () => {
    const smtp = await server({ refuse: (address) => address.startsWith('refused') });
    const email = channel({ url: `smtp://127.0.0.1:${smtp.port}` });
    await expect(email.send(message('refused@example.com'))).rejects.toMatchObject({
      code: 'EENVELOPE',
      responseCode: 550,
    });
    await email.send(message('fine@example.com'));
    expect(smtp.refused).toEqual(['refused@example.com']);
    expect(smtp.received.map((m) => m.rcptTo)).toEqual([['fine@example.com']]);
    expect(await counted()).toEqual({ 'failed:EENVELOPE': 1, sent: 1 });
  });

  it('smtp://user:pass@ authenticates after STARTTLS (percent-encoded password), with the certificate verified', async () => {
    const smtp = await server({ auth: { user: 'mailer', pass: 'p@ss:word' }, tls: certificate });
    const email = channel({
      url: `smtp://mailer:p%40ss%3Aword@127.0.0.1:${smtp.port}`,
      tls: { ca: certificate.cert },
    });
    await email.verify();
    await email.send(message('ada@example.com'));
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]).toMatchObject({ user: 'mailer', secure: true });
  });

  it('smtps:// speaks TLS from the first byte', async () => {
    const smtp = await server({
      auth: { user: 'mailer', pass: 'secret' },
      tls: { ...certificate, secure: true },
    });
    const email = channel({
      url: `smtps://mailer:secret@127.0.0.1:${smtp.port}`,
      tls: { ca: certificate.cert },
    });
    await email.send(message('ada@example.com'));
    expect(smtp.received[0]).toMatchObject({ user: 'mailer', secure: true, rcptTo: ['ada@example.com'] });
  });

  it('a wrong password rejects (EAUTH) and sends nothing; verify() says so too', async () => {
    const smtp = await server({ auth: { user: 'mailer', pass: 'secret' }, tls: certificate });
    const email = channel({
      url: `smtp://mailer:wrong@127.0.0.1:${smtp.port}`,
      tls: { ca: certificate.cert },
    });
    await expect(email.verify()).rejects.toMatchObject({ code: 'EAUTH' });
    await expect(email.send(message('ada@example.com'))).rejects.toMatchObject({ code: 'EAUTH' });
    expect(smtp.received).toEqual([]);
    expect(smtp.authAttempts.length).toBeGreaterThan(0);
    expect(smtp.authAttempts.every((a) => !a.ok)).toBe(true);
    expect(await counted()).toEqual({ 'failed:EAUTH': 1 });
  });

  it('credentials never cross a plain connection: a server without STARTTLS gets no AUTH and no message', async () => {
    const smtp = await server({ auth: { user: 'mailer', pass: 'secret' } });
    const email = channel({ url: `smtp://mailer:secret@127.0.0.1:${smtp.port}` });
    await expect(email.send(message('ada@example.com'))).rejects.toMatchObject({ code: 'ETLS' });
    expect(smtp.authAttempts).toEqual([]);
    expect(smtp.received).toEqual([]);
  });

  it('an untrusted certificate is refused (no TLS bypass by default)', async () => {
    const smtp = await server({ tls: { ...certificate, secure: true } });
    const email = channel({ url: `smtps://127.0.0.1:${smtp.port}` });
    await expect(email.send(message('ada@example.com'))).rejects.toMatchObject({
      code: 'ESOCKET',
      message: expect.stringContaining('self-signed certificate'),
    });
    expect(smtp.received).toEqual([]);
    expect(await counted()).toEqual({ 'failed:ESOCKET': 1 });
  });

  it('an unreachable server rejects quickly and is counted', async () => {
    const closed = await server();
    await closed.close();
    const email = channel({ url: `smtp://127.0.0.1:${closed.port}` });
    const started = Date.now();
    await expect(email.send(message('ada@example.com'))).rejects.toMatchObject({
      code: expect.stringMatching(/^(ECONNECTION|ESOCKET)$/),
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(Object.keys(await counted())).toEqual([expect.stringMatching(/^failed:(ECONNECTION|ESOCKET)$/)]);
  });

  describe('a server that accepts the connection and never answers', () => {
    let silent: Server;
    const sockets: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((socket) => void sockets.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });

    it('gives up after the greeting timeout (the consumer is never stuck)', async () => {
      const port = (silent.address() as AddressInfo).port;
      const email = channel({ url: `smtp://127.0.0.1:${port}`, timeouts: { greetingMs: 300 } });
      const started = Date.now();
      await expect(email.send(message('ada@example.com'))).rejects.toMatchObject({ code: 'ETIMEDOUT' });
      expect(Date.now() - started).toBeLessThan(3_000);
    });

    it('gives up after the whole-send deadline even when every stage is patient', async () => {
      const port = (silent.address() as AddressInfo).port;
      const email = channel({ url: `smtp://127.0.0.1:${port}`, timeouts: { sendMs: 400 } });
      const started = Date.now();
      await expect(email.send(message('ada@example.com'))).rejects.toMatchObject({ code: 'EABORT' });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await counted()).toEqual({ 'failed:EABORT': 1 });
    });
  });

  it('close() lets a send in flight finish, then refuses new ones', async () => {
    const smtp = await server();
    const email = channel({ url: `smtp://127.0.0.1:${smtp.port}` });
    const inFlight = email.send(message('ada@example.com'));
    await email.close();
    await expect(inFlight).resolves.toBeUndefined();
    expect(smtp.received).toHaveLength(1);
    await expect(email.send(message('grace@example.com'))).rejects.toThrow('closed');
    expect(smtp.received).toHaveLength(1);
  });
});
