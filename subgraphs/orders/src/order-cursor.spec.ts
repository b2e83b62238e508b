import { describe, expect, it } from '@jest/globals';
import { decodeOrderCursor, encodeOrderCursor } from './order-cursor.js';

describe('order cursor', () => {
  it('round-trips a position', () => {
    const position = {
      createdAt: new Date('2026-11-24T10:00:00.123Z'),
      id: '0b0e6d8e-3c6a-4a57-9d2b-3a8f1f9b7c11',
    };
    expect(decodeOrderCursor(encodeOrderCursor(position))).toEqual(position);
  });

  it('refuses what is not one of its cursors with BAD_USER_INPUT', () => {
    for (const bad of ['', 'nope', Buffer.from('{"v":2}').toString('base64url')]) {
      let code: unknown;
      try {
        decodeOrderCursor(bad);
      } catch (error) {
        code = (error as { extensions?: { code?: string } }).extensions?.code;
      }
      expect(code).toBe('BAD_USER_INPUT');
    }
  });
});
