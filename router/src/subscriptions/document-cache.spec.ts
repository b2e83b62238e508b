import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { createDocumentCache } from './websocket-transport.js';

describe('the WebSocket transport document cache', () => {
  it('gives every operation with the same text the same parsed document and text', () => {
    const cache = createDocumentCache();
    const first = cache.parse('subscription { ticks }');
    expect(first.document.kind).toBe('Document');
    expect(first.query).toBe('subscription { ticks }');
    // A text equal to one seen before (another copy of the string) gives the first one's entry.
    const again = cache.parse(['subscription', '{ ticks }'].join(' '));
    expect(again).toBe(first);
    expect(again.document).toBe(first.document);
    expect(cache.parse('subscription { ticks  }')).not.toBe(first);
    expect(cache.size).toBe(2);
  });

  it('keeps at most `max` documents, dropping the least recently used', () => {
    const cache = createDocumentCache(2);
    const a = cache.parse('{ a }');
    const b = cache.parse('{ b }');
    expect(cache.parse('{ a }')).toBe(a); // a is now the most recently used
    cache.parse('{ c }');
    expect(cache.size).toBe(2);
    expect(cache.parse('{ a }')).toBe(a);
    expect(cache.parse('{ b }')).not.toBe(b); // b was dropped and parsed again
  });

  it('throws the syntax error and keeps nothing for it', () => {
    const cache = createDocumentCache();
    expect(() => cache.parse('subscription {')).toThrow(GraphQLError);
    expect(cache.size).toBe(0);
  });
});
