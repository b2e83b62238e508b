import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { subgraphHttp, type SubgraphHttp } from './subgraph-http.js';

/** The clients a spec made, closed after it. */
const clients: SubgraphHttp[] = [];
const client = (options: Parameters<typeof subgraphHttp>[0]) => {
  const http = subgraphHttp(options);
  clients.push(http);
  return http;
};
afterAll(() => Promise.all(clients.map((http) => http.close())));

// A subgraph replica going away: its connections that exist when it stops are dropped when the next
// request arrives on them, without an answer (what a client sees when a server closes a keep-alive
// connection just as the client reuses it); new connections are answered.
describe('subgraphHttp on connections the subgraph closes', () => {
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

  const post = (http: SubgraphHttp, query: string) =>
    http.post(
      url,
      { 'content-type': 'application/json' },
      JSON.stringify({ query }),
      !query.startsWith('mutation'),
    );
  it('sends a read again when its connection closed unanswered, and never a mutation', async () => {
    const fetcher = client({ timeoutMs: 5_000 });
    // Two pooled connections, then the replica stops.
    await Promise.all([post(fetcher, 'query A { ping }'), post(fetcher, 'query B { ping }')]);
    await new Promise((resolve) => setTimeout(resolve, 20)); // both back in the pool
    stop();
    const answer = await post(fetcher, 'query C { ping }');
    expect([answer.status, JSON.parse(answer.body)]).toEqual([200, { data: { ping: 'pong' } }]);
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
    expect([outcome, dropped]).toEqual(['SocketError: other side closed', 1]);
  });
});

describe('subgraphHttp deduplication', () => {
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

  const together = async (
    http: SubgraphHttp,
    query: string,
    headers: Record<string, string>[] = [{}, {}, {}],
  ) => {
    const body = JSON.stringify({ query });
    const read = !query.startsWith('mutation');
    const before = received;
    const answers = await Promise.all(
      headers.map((extra) =>
        http
          .post(url, { 'content-type': 'application/json', ...extra }, body, read)
          .then((a) => JSON.parse(a.body) as unknown),
      ),
    );
    return { sent: received - before, answers };
  };

  it('sends identical reads in flight at once once by default, each with its own answer', async () => {
    let shared = 0;
    const { sent, answers } = await together(client({ timeoutMs: 5_000, onShared: () => shared++ }), '{ n }');
    expect(sent).toBe(1);
    expect(shared).toBe(2);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('never shares a read between callers with another authorization or client address', async () => {
    let shared = 0;
    const http = client({ timeoutMs: 5_000, onShared: () => shared++ });
    const callers: Record<string, string>[] = [
      { authorization: 'Bearer a' },
      { authorization: 'Bearer b' },
      { 'x-forwarded-for': '10.0.0.9' },
    ];
    expect((await together(http, '{ n }', callers)).sent).toBe(3);
    expect(shared).toBe(0);
  });

  it('sends every read with deduplicate: false, and never a mutation once for several', async () => {
    let shared = 0;
    const fetcher = client({ timeoutMs: 5_000, onShared: () => shared++, deduplicate: false });
    expect((await together(fetcher, '{ n }')).sent).toBe(3);
    expect((await together(client({ timeoutMs: 5_000 }), 'mutation { n }')).sent).toBe(3);
    expect(shared).toBe(0);
  });

  it('gives up on a request unanswered after timeoutMs', async () => {
    const silent = createServer(() => undefined); // reads the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const http = client({ timeoutMs: 100 });
      const target = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/graphql`;
      const outcome = await http.post(target, {}, '{"query":"{ n }"}', true).then(
        () => 'answered',
        (error: { name?: string }) => error.name,
      );
      expect(outcome).toBe('TimeoutError');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
