// @ts-check
/**
 * The storefront's server for `npm start` and the browser specs: the built assets of web/dist and a
 * reverse proxy of /graphql (HTTP and the graphql-ws upgrade) to the router, so the browser talks to one
 * origin and the router needs no CORS policy. No dependencies beyond Node.
 *
 * Environment: PORT (default 3000), ROUTER_URL (default http://127.0.0.1:4000), STOREFRONT_DIST (default
 * web/dist beside this file). GET /health/live and /health/ready answer 200 (ready once dist/index.html
 * exists). A path that is no file gets index.html, so the client's routes load on a refresh.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';

const port = Number(process.env.PORT ?? 3000);
const router = new URL(process.env.ROUTER_URL ?? 'http://127.0.0.1:4000');
const dist = resolve(process.env.STOREFRONT_DIST ?? join(import.meta.dirname, 'dist'));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://storefront').pathname;
  if (path === '/graphql') return proxy(req, res);
  if (path === '/health/live' || path === '/health/ready') {
    const ready = path === '/health/live' || existsSync(join(dist, 'index.html'));
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ status: ready ? 'ok' : 'no build in ' + dist }));
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' });
    return res.end();
  }
  // normalize() resolves '..' before the join, so no path leaves dist/.
  let file = join(dist, normalize(decodeURIComponent(path)));
  if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) {
    file = join(dist, 'index.html');
  }
  const hashed = file.includes(`${join(dist, 'assets')}`);
  res.writeHead(200, {
    'content-type': TYPES[/** @type {keyof TYPES} */ (extname(file))] ?? 'application/octet-stream',
    // Built assets carry a content hash in their name; index.html must be fetched again.
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') return res.end();
  createReadStream(file).pipe(res);
});

/** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
function proxy(req, res) {
  const upstream = request(
    {
      host: router.hostname,
      port: router.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: router.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        errors: [{ message: 'router unreachable', extensions: { code: 'SERVICE_UNAVAILABLE' } }],
      }),
    );
  });
  req.pipe(upstream);
}

// graphql-ws: the upgrade request is replayed to the router as is and the two sockets are joined.
server.on('upgrade', (req, socket, head) => {
  if (new URL(req.url ?? '/', 'http://storefront').pathname !== '/graphql') return socket.destroy();
  const upstream = connect(Number(router.port), router.hostname, () => {
    const headers = Object.entries({ ...req.headers, host: router.host })
      .map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}`)
      .join('\r\n');
    upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers}\r\n\r\n`);
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
});

server.listen(port, '127.0.0.1', () =>
  console.log(`storefront on http://127.0.0.1:${port}/ (router ${router.origin})`),
);

// Graceful stop: no new connections; open ones (subscriptions) end with the process.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
