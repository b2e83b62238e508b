import cors from 'cors';
import type { RequestHandler } from 'express';

/** Methods a browser may use cross-origin: GraphQL over POST and GET, and the preflight itself. */
export const CORS_METHODS = ['POST', 'GET', 'OPTIONS'] as const;

/**
 * Request headers the clients send: JSON bodies, the bearer token, the request id, Apollo's CSRF headers
 * (a GET must carry one) and W3C trace context.
 */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  'authorization',
  'x-request-id',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'traceparent',
  'tracestate',
] as const;

/** Response headers a cross-origin script may read besides the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after'] as const;

/** How long a browser may reuse a preflight answer: 10 minutes (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 600;

/** Why `value` is not an exact origin (`scheme://host[:port]`, no path, no wildcard), or undefined. */
export function corsOriginProblem(value: string): string | undefined {
  if (value === '*' || value.includes('*'))
    return 'wildcards are not accepted: list each origin (https://shop.example.com)';
  if (!URL.canParse(value)) return 'expected an origin such as https://shop.example.com';
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'expected an http:// or https:// origin';
  if (url.origin !== value)
    return `expected exactly scheme://host[:port], without path or trailing slash (${url.origin})`;
  return undefined;
}

/**
 * CORS for `/graphql`: only the listed origins (exact matches) get `Access-Control-Allow-Origin`; every
 * answer carries `Vary: Origin`, so a shared cache never hands one origin's answer to another. A preflight
 * (`OPTIONS` with `Access-Control-Request-Method`) from a listed origin is answered 204 with the methods,
 * headers and max-age; from any other origin 403 without CORS headers, and nothing else runs. A simple
 * request from an unlisted origin is served as a same-origin one would be (the browser keeps the answer
 * from the page: it has no `Access-Control-Allow-Origin`). No `Access-Control-Allow-Credentials`: the
 * router reads no cookies, a token travels in `Authorization`, which the page's own script sets.
 */
export function corsMiddleware(origins: readonly string[]): RequestHandler {
  const allowed = new Set(origins);
  const handle = cors({
    origin: [...allowed],
    methods: [...CORS_METHODS],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: CORS_MAX_AGE_SECONDS,
    credentials: false,
    optionsSuccessStatus: 204,
  });
  return (req, res, next) => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (origin !== undefined && allowed.has(origin)) {
      handle(req, res, next);
      return;
    }
    // Not listed (or no Origin): no CORS header at all, only the Vary that keeps caches apart.
    res.vary('Origin');
    if (preflight) res.status(403).end();
    else next();
  };
}
