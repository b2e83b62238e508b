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
