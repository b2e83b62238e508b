import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { createDocumentCache } from './websocket-transport.js';

describe('the WebSocket transport document cache', () => {
  it('gives every operation with the same text the same parsed document', () => {
    const cache = createDocumentCache();
    const first = cache.parse('subscription { ticks }');
    expect(cache.parse('subscription { ticks }')).toBe(first);
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
