import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack, type TestRouter } from './fixtures.js';

const SHOP = 'https://shop.example.com';
const ADMIN = 'http://localhost:5173';
const EVIL = 'https://evil.example.net';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with exactly these headers (a browser's `Origin` included), answered as a browser receives it. */
function send(url: string, method: string, headers: Record<string, string>, body?: string) {
  return new Promise<RawAnswer>((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const preflight = (url: string, origin: string) =>
  send(url, 'OPTIONS', {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type,authorization,x-request-id,traceparent',
  });

const post = (url: string, origin: string | undefined) =>
  send(
    url,
    'POST',
    { 'content-type': 'application/json', ...(origin ? { origin } : {}) },
    JSON.stringify({ query: '{ ping }' }),
  );

const varyList = (answer: RawAnswer) =>
  String(answer.headers.vary ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase());

describe('router: CORS allowlist (CORS_ORIGINS)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ corsOrigins: [SHOP, ADMIN] });
  });
  afterAll(() => stack?.stop());

  it("answers an allowed origin's preflight with 204, the methods, the clients' headers and a max-age", async () => {
    const answer = await preflight(stack.router.graphqlUrl, SHOP);
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(SHOP);
    expect(answer.headers['access-control-allow-methods']).toBe('POST,GET,OPTIONS');
    expect(String(answer.headers['access-control-allow-headers']).split(',')).toEqual(
      expect.arrayContaining([
        'content-type',
        'authorization',
        'x-request-id',
        'apollo-require-preflight',
        'traceparent',
      ]),
    );
    expect(answer.headers['access-control-max-age']).toBe('600');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    expect(varyList(answer)).toContain('origin');
    expect((await preflight(stack.router.graphqlUrl, ADMIN)).headers['access-control-allow-origin']).toBe(
      ADMIN,
    );
  });

  it("lets an allowed origin's page read the answer, and the request id", async () => {
    const answer = await post(stack.router.graphqlUrl, SHOP);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { ping: 'pong' } });
    expect(answer.headers['access-control-allow-origin']).toBe(SHOP);
    expect(String(answer.headers['access-control-expose-headers'])).toMatch(/x-request-id/);
    expect(varyList(answer)).toContain('origin');
  });

  it("refuses another origin's preflight with 403, no CORS headers and no subgraph call", async () => {
    const before = stack.subgraphCalls();
    for (const origin of [EVIL, `${SHOP}.evil.example.net`, 'http://shop.example.com', 'null']) {
      const answer = await preflight(stack.router.graphqlUrl, origin);
      expect(answer.status).toBe(403);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers['access-control-allow-methods']).toBeUndefined();
      expect(answer.headers['access-control-allow-headers']).toBeUndefined();
      expect(varyList(answer)).toContain('origin');
    }
    expect(stack.subgraphCalls()).toBe(before);
  });

  it('gives another origin no Access-Control-Allow-Origin, so its page cannot read the answer', async () => {
    const answer = await post(stack.router.graphqlUrl, EVIL);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(answer.headers['access-control-expose-headers']).toBeUndefined();
    expect(varyList(answer)).toContain('origin');
  });

  it('serves same-origin and non-browser requests (no Origin) as before', async () => {
    const answer = await post(stack.router.graphqlUrl, undefined);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ data: { ping: 'pong' } });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('router: without CORS_ORIGINS', () => {
  let stack: Stack;
  let router: TestRouter;
  beforeAll(async () => {
    stack = await startStack();
    router = stack.router;
  });
  afterAll(() => stack?.stop());

  it('sends no CORS headers at all: same-origin pages only', async () => {
    const answer = await post(router.graphqlUrl, SHOP);
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await preflight(router.graphqlUrl, SHOP);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    expect(pre.headers['access-control-allow-methods']).toBeUndefined();
    expect(pre.headers['access-control-allow-headers']).toBeUndefined();
  });
});
