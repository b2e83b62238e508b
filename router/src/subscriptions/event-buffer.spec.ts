import { describe, expect, it } from '@jest/globals';
import { EventBuffer } from './event-buffer.js';

describe('EventBuffer', () => {
  it('hands items over in order, to a waiting consumer directly', async () => {
    const buffer = new EventBuffer<number>(2);
    const first = buffer.shift();
    expect(buffer.push(1)).toBe(true);
    expect(await first).toBe(1);
    expect(buffer.push(2)).toBe(true);
    expect(buffer.push(3)).toBe(true);
    expect(await buffer.shift()).toBe(2);
    expect(await buffer.shift()).toBe(3);
  });

  it('refuses items beyond its capacity and keeps what it holds', async () => {
    const buffer = new EventBuffer<number>(2);
    expect([buffer.push(1), buffer.push(2), buffer.push(3)]).toEqual([true, true, false]);
    expect(buffer.size).toBe(2);
    expect([await buffer.shift(), await buffer.shift()]).toEqual([1, 2]);
  });

  it('always accepts the final item, after what is buffered', async () => {
    const buffer = new EventBuffer<string>(1);
    buffer.push('event');
    buffer.end('done');
    expect([await buffer.shift(), await buffer.shift()]).toEqual(['event', 'done']);
  });

  it('serves a single consumer', async () => {
    const buffer = new EventBuffer<number>(1);
    void buffer.shift();
    await expect(buffer.shift()).rejects.toThrow('single consumer');
  });
});
