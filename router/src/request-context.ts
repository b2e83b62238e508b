import { randomBytes, randomUUID } from 'node:crypto';
import type { RequestContext } from '@shop/platform/edge';

/** The headers the router sends with every subgraph fetch made for one client request. */
export interface ForwardedHeaders {
  /** The caller's `Authorization` header, only when its token was verified. */
  authorization?: string;
  'x-request-id': string;
  traceparent: string;
  tracestate?: string;
  'x-forwarded-for': string;
}

/** The context of one request at the router: the kit's base context plus what subgraphs receive. */
export interface RouterContext extends RequestContext {
  forwardedHeaders: ForwardedHeaders;
}

/** A header value as node gives it. */
type HeaderValue = string | string[] | undefined;

const first = (value: HeaderValue) => (Array.isArray(value) ? value[0] : value);

// Printable ASCII without spaces, short enough for log lines and header limits.
const REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The client's `x-request-id` when it is a sane token (printable ASCII, at most 128 characters), else a new UUID. */
export function requestIdFrom(header: HeaderValue): string {
  const value = first(header)?.trim();
  return value && REQUEST_ID.test(value) ? value : randomUUID();
}

// W3C Trace Context: version-traceid-parentid-flags; future versions may append fields after a dash.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Whether a `traceparent` value is valid W3C Trace Context (all-zero ids and version `ff` are not). */
export function isValidTraceparent(value: string): boolean {
  const match = TRACEPARENT.exec(value);
  if (!match) return false;
  const [, version, traceId, parentId] = match;
  if (version === 'ff' || (version === '00' && match[5] !== undefined)) return false;
  return !/^0+$/.test(traceId!) && !/^0+$/.test(parentId!);
}

/** A new sampled `traceparent` that starts a trace. */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`;
}

/**
 * `text` (ASCII) as one flat string. A string built by concatenation is a rope of its pieces until
 * something reads it whole: `randomUUID()` joins 20 pieces, over 600 bytes of rope for 36 characters,
 * held as long as the string is (by every idle subscription, for its request id).
 */
export function flatString(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}

/**
 * The trace context to send on: the client's `traceparent` (and its `tracestate`) when valid, unchanged
 * (the router records no spans of its own, so it has no span id to put in between); otherwise a new trace
 * and no `tracestate`.
 */
export function traceContextFrom(
  traceparent: HeaderValue,
  tracestate: HeaderValue,
): Pick<ForwardedHeaders, 'traceparent' | 'tracestate'> {
  const parent = first(traceparent)?.trim().toLowerCase();
  if (parent && isValidTraceparent(parent)) {
    const state = Array.isArray(tracestate) ? tracestate.join(',') : tracestate;
    return state ? { traceparent: parent, tracestate: state } : { traceparent: parent };
  }
  return { traceparent: newTraceparent() };
}

/** `::ffff:127.0.0.1` (IPv4 over an IPv6 socket) as `127.0.0.1`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/**
 * The `x-forwarded-for` to send: the peer's address alone, or, when `trustProxy` (the router runs behind a
 * load balancer or ingress that sets the header), the incoming chain with the peer appended, as every
 * proxy does. Without `trustProxy` a client-supplied header is dropped, so a subgraph that rate-limits by
 * client IP (the first entry) cannot be fooled.
 */
export function forwardedFor(
  incoming: HeaderValue,
  peerAddress: string | undefined,
  trustProxy: boolean,
): string {
  const peer = plainAddress(peerAddress ?? 'unknown');
  const chain = Array.isArray(incoming) ? incoming.join(', ') : incoming?.trim();
  return trustProxy && chain ? `${chain}, ${peer}` : peer;
}

/**
 * The address a client is known by at the edge (rate limits): the peer, or, when `trustProxy`, the last
 * address of the incoming `x-forwarded-for` chain, the one the trusted proxy appended for the peer it
 * saw. Entries further left are what the client itself claimed; taking the first would let a client
 * choose its own key by sending a header.
 */
export function clientAddress(
  incoming: HeaderValue,
  peerAddress: string | undefined,
  trustProxy: boolean,
): string {
  const chain = forwardedFor(incoming, peerAddress, trustProxy)
    .split(',')
    .map((entry) => entry.trim());
  // With trustProxy and a header, forwardedFor's chain ends with the peer (the proxy) itself.
  const candidate = trustProxy && chain.length > 1 ? chain[chain.length - 2] : chain[chain.length - 1];
  return candidate || plainAddress(peerAddress ?? 'unknown');
}
