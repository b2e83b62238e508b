import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** A message as the test SMTP server received it. */
export interface ReceivedEmail {
  /** The envelope (MAIL FROM / RCPT TO). */
  mailFrom: string;
  rcptTo: string[];
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  subject: string;
  /** The decoded text body. */
  text: string;
  /** The user that authenticated, if any. */
  user?: string;
  /** The connection was TLS (implicit or after STARTTLS). */
  secure: boolean;
}

export interface TestSmtpServerOptions {
  /** Require AUTH with these credentials (PLAIN/LOGIN). */
  auth?: { user: string; pass: string };
  /** Serve TLS with this key and certificate: implicit with `secure`, else through STARTTLS. */
  tls?: { key: string; cert: string; secure?: boolean };
  /** Refuse these recipients at RCPT TO with a 550. */
  refuse?: (address: string) => boolean;
}

/**
 * A real SMTP server (the smtp-server package) on 127.0.0.1, port 0, keeping what it receives.
 * Without `tls` it has no STARTTLS, like the usual local development mail catchers.
 */
export async function startTestSmtpServer(options: TestSmtpServerOptions = {}) {
  const received: ReceivedEmail[] = [];
  const refused: string[] = [];
  const authAttempts: { user: string; ok: boolean }[] = [];
  const serverOptions: SMTPServerOptions = {
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 1_000,
    authOptional: !options.auth,
    authMethods: ['PLAIN', 'LOGIN'],
    // Accept AUTH without TLS, so a client that sends credentials in clear is seen doing it.
    allowInsecureAuth: true,
    ...(options.tls
      ? { key: options.tls.key, cert: options.tls.cert, secure: Boolean(options.tls.secure) }
      : { disabledCommands: ['STARTTLS'] }),
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass;
      authAttempts.push({ user: auth.username ?? '', ok });
      if (!ok)
        return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      if (options.refuse?.(address.address)) {
        refused.push(address.address);
        return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const { headers, text } = parseMessage(Buffer.concat(chunks).toString('utf8'));
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          headers,
          subject: headers.subject ?? '',
          text,
          ...(session.user ? { user: String(session.user) } : {}),
          secure: session.secure,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    received,
    refused,
    authAttempts,
    /** Messages received for `address`. */
    to: (address: string) => received.filter((m) => m.rcptTo.includes(address)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type TestSmtpServer = Awaited<ReturnType<typeof startTestSmtpServer>>;

/** A self-signed certificate for 127.0.0.1 and localhost, valid for a day (made with openssl). */
export function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Splits a single-part text message into headers and its decoded body (7bit, quoted-printable, base64). */
export function parseMessage(raw: string): { headers: Record<string, string>; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let text: string;
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    text = Buffer.from(bytes, 'latin1').toString('utf8');
  } else if (encoding === 'base64') {
    text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  } else {
    text = body;
  }
  return { headers, text: text.replace(/\r\n$/, '') };
}
