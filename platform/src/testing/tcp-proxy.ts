import { createServer, connect, type Server, type Socket } from 'node:net';
import { Transform } from 'node:stream';

export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1); the same after `down()`/`up()`. */
  port: number;
  /** True between `down()` and `up()`. */
  readonly isDown: boolean;
  /**
   * The dependency goes away, as a stopped server does: every open connection through the proxy is
   * reset and new connections are refused (ECONNREFUSED) until `up()`.
   */
  down(): Promise<void>;
  /** Accepts connections again on the same port. */
  up(): Promise<void>;
  /**
   * Delays every chunk, either way, by `ms` from now on (0, the default, forwards at once): a slow
   * network in front of the dependency. Open connections are slowed too.
   */
  setLatency(ms: number): void;
  /** Resets (TCP RST) every open connection and keeps accepting new ones: a dropped network path. */
  resetConnections(): number;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of `target` (a Postgres or a Redis of the local stack), so a spec
 * can take "the database" away from the processes that connect through it while the real server keeps
 * serving every other spec. Bytes are piped unchanged.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let isDown = false;
  let latencyMs = 0;
  // Chunks keep their order: a Transform handles one at a time.
  const delayed = () =>
    new Transform({
      transform(chunk, _encoding, done) {
        if (latencyMs > 0) setTimeout(() => done(null, chunk), latencyMs);
        else done(null, chunk);
      },
    });

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          // A reset on one side ends the other; errors are what a dropped connection looks like.
          socket.on('error', () => {
            client.destroy();
            upstream.destroy();
          });
        }
        client.pipe(delayed()).pipe(upstream);
        upstream.pipe(delayed()).pipe(client);
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        next.off('error', reject);
        server = next;
        port = (next.address() as { port: number }).port;
        resolve();
      });
    });

  const stop = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.resetAndDestroy();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get isDown() {
      return isDown;
    },
    async down() {
      isDown = true;
      await stop();
    },
    async up() {
      if (server) return;
      await listen();
      isDown = false;
    },
    setLatency(ms: number) {
      latencyMs = Math.max(0, ms);
    },
    resetConnections() {
      const open = [...sockets];
      for (const socket of open) socket.resetAndDestroy();
      return open.length;
    },
    close: stop,
  };
}
