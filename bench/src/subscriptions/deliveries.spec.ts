import { describe, expect, it } from '@jest/globals';
import { addTallies, eventKey, expectedKeys, isSettled, sourceRate, tally } from './deliveries.js';

const note = (type: string, orderId?: string) => ({
  id: 'n1',
  type,
  createdAt: '2026-01-01T00:00:00.000Z',
  order: orderId ? { id: orderId } : null,
});

describe('subscription benchmark deliveries', () => {
  it('names an order event by its order and whether it placed or settled the order', () => {
    expect(eventKey(note('ORDER_PLACED', 'o1'))).toBe('o1:placed');
    expect(eventKey(note('ORDER_CONFIRMED', 'o1'))).toBe('o1:settled');
    expect(eventKey(note('ORDER_CANCELLED', 'o1'))).toBe('o1:settled');
    expect(eventKey(note('WELCOME'))).toBeUndefined();
    expect(eventKey(note('SOMETHING_ELSE', 'o1'))).toBeUndefined();
  });

  it('expects two events per settled order, one per order still on its way', () => {
    const orders = [
      { id: 'a', status: 'CONFIRMED' },
      { id: 'b', status: 'CANCELLED' },
      { id: 'c', status: 'RESERVED' },
      { id: 'd', status: 'PENDING' },
    ];
    expect(expectedKeys(orders)).toEqual([
      'a:placed',
      'a:settled',
      'b:placed',
      'b:settled',
      'c:placed',
      'd:placed',
    ]);
    expect([isSettled('CONFIRMED'), isSettled('CANCELLED'), isSettled('PENDING')]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('counts delivered, missing, doubled and unexpected events of one connection', () => {
    const expected = new Set(
      expectedKeys([
        { id: 'a', status: 'CONFIRMED' },
        { id: 'b', status: 'CONFIRMED' },
      ]),
    );
    const received = new Map([
      ['a:placed', 1],
      ['a:settled', 3],
      ['x:placed', 1],
    ]);
    expect(tally(received, expected)).toEqual({
      delivered: 2,
      expected: 4,
      missing: 2,
      duplicates: 2,
      unexpected: 1,
    });
    expect(tally(new Map(), new Set())).toEqual({
      delivered: 0,
      expected: 0,
      missing: 0,
      duplicates: 0,
      unexpected: 0,
    });
  });

  it('adds tallies field by field', () => {
    const one = { delivered: 1, expected: 2, missing: 1, duplicates: 0, unexpected: 3 };
    expect(addTallies([one, one])).toEqual({
      delivered: 2,
      expected: 4,
      missing: 2,
      duplicates: 0,
      unexpected: 6,
    });
  });

  it('measures the source rate between the first and the last event', () => {
    expect(sourceRate([1_000, 1_500, 2_000])).toBe(2);
    expect(sourceRate([2_000, 1_000])).toBe(1);
    expect(sourceRate([1_000])).toBeNaN();
    expect(sourceRate([1_000, 1_000])).toBeNaN();
  });
});
