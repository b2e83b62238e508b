import { describe, expect, it } from '@jest/globals';
import {
  clientAddress,
  forwardedFor,
  isValidTraceparent,
  flatString,
  newTraceparent,
  requestIdFrom,
  traceContextFrom,
} from './request-context.js';

const PARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('requestIdFrom', () => {
  it('keeps a sane client id and replaces a missing, long or odd one with a UUID', () => {
    expect(requestIdFrom('abc-123')).toBe('abc-123');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    for (const bad of [undefined, '', 'has space', 'x'.repeat(129), 'new\nline']) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f-]{36}$/);
    }
  });
});

describe('flatString', () => {
  it('keeps the text as it was', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(flatString(['0f8fad5b', 'd9cb', '469f', 'a165', '70867728950e'].join('-'))).toBe(id);
    expect(flatString(newTraceparent())).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(flatString('')).toBe('');
  });
});

describe('trace context', () => {
  it('validates traceparent as W3C Trace Context does', () => {
    expect(isValidTraceparent(PARENT)).toBe(true);
    expect(isValidTraceparent(newTraceparent())).toBe(true);
    expect(isValidTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01')).toBe(false);
    expect(isValidTraceparent('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(false);
    expect(isValidTraceparent(`${PARENT}-extra`)).toBe(false);
    expect(isValidTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra`)).toBe(true);
    expect(isValidTraceparent('nonsense')).toBe(false);
  });

  it('propagates a valid traceparent with its tracestate, or starts a new trace without one', () => {
    expect(traceContextFrom(PARENT, 'vendor=1')).toEqual({ traceparent: PARENT, tracestate: 'vendor=1' });
    expect(traceContextFrom(PARENT.toUpperCase(), undefined)).toEqual({ traceparent: PARENT });
    const started = traceContextFrom('garbage', 'vendor=1');
    expect(started.tracestate).toBeUndefined();
    expect(isValidTraceparent(started.traceparent)).toBe(true);
    expect(traceContextFrom(undefined, undefined).traceparent).not.toBe(started.traceparent);
  });
});

describe('forwardedFor', () => {
  it('is the peer address alone unless the router trusts its proxy', () => {
    expect(forwardedFor('6.6.6.6', '::ffff:10.0.0.5', false)).toBe('10.0.0.5');
    expect(forwardedFor('203.0.113.7', '10.0.0.5', true)).toBe('203.0.113.7, 10.0.0.5');
    expect(forwardedFor(undefined, '::1', true)).toBe('::1');
  });
});

describe('clientAddress', () => {
  it('is the peer unless the router trusts its proxy, whose appended address it then is', () => {
    expect(clientAddress('6.6.6.6', '::ffff:10.0.0.5', false)).toBe('10.0.0.5');
    expect(clientAddress(undefined, '::ffff:10.0.0.5', true)).toBe('10.0.0.5');
    expect(clientAddress('203.0.113.7', '10.0.0.5', true)).toBe('203.0.113.7');
  });

  it('ignores the addresses a client put in front of the chain itself', () => {
    expect(clientAddress('1.2.3.4, 203.0.113.7', '10.0.0.5', true)).toBe('203.0.113.7');
    expect(clientAddress(['9.9.9.9', '203.0.113.7'], '10.0.0.5', true)).toBe('203.0.113.7');
  });
});
