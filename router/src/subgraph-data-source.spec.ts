import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { keepAliveFetcher } from './subgraph-data-source.js';

// A subgraph replica going away: its connections that exist when it stops are dropped when the next
// request arrives on them, without an answer (what a client sees when a server closes a keep-alive
// connection just as the client reuses it); new connections are answered.
describe('keepAliveFetcher on connections the subgraph closes', () => {
  let server: Server;
  let url: string;
  let dropped = 0;
  const sockets = new Set<object>();
  let doomed = new Set<object>();
  /** The replica stops: every connection it has now is dropped at its next request. */
  const stop = () => {
    doomed = new Set(sockets);
    dropped = 0;
  };
  beforeAll(async () => {
    server = createServer((request, response) => {
      const socket = request.socket;
      if (doomed.has(socket)) {
        dropped++;
        socket.destroy();
        return;
      }
      sockets.add(socket);
      request.resume();
      request.on('end', () => response.end(JSON.stringify({ data: { ping: 'pong' } })));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (fetcher: ReturnType<typeof keepAliveFetcher>, query: string) =>
    (fetcher as unknown as (url: string, init: RequestInit) => Promise<Response>)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });

  it('sends a read again when its connection closed unanswered, and never a mutation', async () => {
    const fetcher = keepAliveFetcher(5_000);
    // Two pooled connections, then the replica stops.
    await Promise.all([post(fetcher, 'query A { ping }'), post(fetcher, 'query B { ping }')]);
    await new Promise((resolve) => setTimeout(resolve, 20)); // both back in the pool
    stop();
    expect(await (await post(fetcher, 'query C { ping }')).json()).toEqual({ data: { ping: 'pong' } });
    expect(dropped).toBeGreaterThan(0);
    dropped = 0;

    // The same for a mutation fails: the subgraph may have received it. (Until one is sent on a
    // dropped connection: undici may open a new one while the last is not back in its pool.)
    let outcome = 'never sent on a dropped connection';
    for (let i = 0; i < 10 && dropped === 0; i++) {
      await post(fetcher, `query D${i} { ping }`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      stop();
      outcome = await post(fetcher, `mutation E${i} { ping }`).then(
        () => (dropped ? 'answered' : outcome),
        (error: unknown) => String(error),
      );
    }
    expect([outcome, dropped]).toEqual(['TypeError: fetch failed', 1]);
  });
});

describe('keepAliveFetcher deduplication', () => {
  let server: Server;
  let url: string;
  let received = 0;
  beforeAll(async () => {
    // Answers after 50 ms, so reads sent together are in flight at the same moment.
    server = createServer((request, response) => {
      received++;
      request.resume();
      request.on('end', () => setTimeout(() => response.end(JSON.stringify({ data: { n: received } })), 50));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const together = async (fetcher: ReturnType<typeof keepAliveFetcher>, query: string) => {
    const send = fetcher as unknown as (url: string, init: RequestInit) => Promise<Response>;
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    };
    const before = received;
    const answers = await Promise.all([1, 2, 3].map(() => send(url, init).then((r) => r.json())));
    return { sent: received - before, answers };
  };

  it('sends identical reads in flight at once once by default, each with its own answer', async () => {
    let shared = 0;
    const { sent, answers } = await together(keepAliveFetcher(5_000, { onShared: () => shared++ }), '{ n }');
    expect(sent).toBe(1);
    expect(shared).toBe(2);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('sends every read with deduplicate: false, and never a mutation once for several', async () => {
    let shared = 0;
    const fetcher = keepAliveFetcher(5_000, { onShared: () => shared++, deduplicate: false });
    expect((await together(fetcher, '{ n }')).sent).toBe(3);
    expect((await together(keepAliveFetcher(5_000), 'mutation { n }')).sent).toBe(3);
    expect(shared).toBe(0);
  });
});
