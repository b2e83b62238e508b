import { describe, expect, it } from '@jest/globals';
import {
  createBoundedBuffer,
  createLiveHub,
  recentIds,
  SHUTTING_DOWN,
  shuttingDown,
  SLOW_SUBSCRIBER,
} from './live-events.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('bounded buffer', () => {
  it('ends after the queued items and a last item, accepted even when full', async () => {
    const buffer = createBoundedBuffer<string>({ capacity: 1 });
    expect(buffer.push('event')).toBe(true);
    buffer.end('how it ended');
    expect(buffer.closed).toBe(true);
    expect(buffer.push('late')).toBe(false);
    await expect(buffer.next()).resolves.toEqual({ value: 'event', done: false });
    await expect(buffer.next()).resolves.toEqual({ value: 'how it ended', done: false });
    await expect(buffer.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('hands the last item to a waiting next(), and ignores an end after the first', async () => {
    const buffer = createBoundedBuffer<string>({ capacity: 1 });
    const waiting = buffer.next();
    buffer.end('last');
    buffer.end('another');
    await expect(waiting).resolves.toEqual({ value: 'last', done: false });
    await expect(buffer.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('hands items over in order, queued or to a waiting next()', async () => {
    const buffer = createBoundedBuffer<number>({ capacity: 3 });
    const waiting = buffer.next();
    expect(buffer.push(1)).toBe(true);
    await expect(waiting).resolves.toEqual({ value: 1, done: false });
    buffer.push(2);
    buffer.push(3);
    expect(buffer.size).toBe(2);
    await expect(buffer.next()).resolves.toEqual({ value: 2, done: false });
    await expect(buffer.next()).resolves.toEqual({ value: 3, done: false });
  });

  it('never holds more than its capacity: overflow discards the queue and fails the subscriber', async () => {
    const dropped: number[] = [];
    let closes = 0;
    const buffer = createBoundedBuffer<number>({
      capacity: 2,
      onOverflow: (n) => dropped.push(n),
      onClose: () => closes++,
    });
    expect(buffer.push(1)).toBe(true);
    expect(buffer.push(2)).toBe(true);
    expect(buffer.push(3)).toBe(false);
    expect(buffer.size).toBe(0);
    expect(buffer.closed).toBe(true);
    expect(dropped).toEqual([3]);
    expect(buffer.push(4)).toBe(false);
    await expect(buffer.next()).rejects.toMatchObject({ extensions: { code: SLOW_SUBSCRIBER } });
    await expect(buffer.next()).resolves.toEqual({ value: undefined, done: true });
    expect(closes).toBe(1);
  });

  it('return() releases a pending next() at once and stops accepting', async () => {
    let closes = 0;
    const buffer = createBoundedBuffer<number>({ capacity: 2, onClose: () => closes++ });
    const pending = buffer.next();
    await buffer.return!();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    expect(buffer.push(1)).toBe(false);
    await buffer.return!();
    expect(closes).toBe(1);
  });

  it('end() delivers what is queued, then done; fail() rejects a waiting next()', async () => {
    const ended = createBoundedBuffer<string>({ capacity: 5 });
    ended.push('a');
    ended.end();
    expect(ended.push('b')).toBe(false);
    await expect(ended.next()).resolves.toEqual({ value: 'a', done: false });
    await expect(ended.next()).resolves.toEqual({ value: undefined, done: true });

    const failed = createBoundedBuffer<string>({ capacity: 5 });
    const pending = failed.next();
    failed.fail(new Error('boom'));
    await expect(pending).rejects.toThrow('boom');
    await expect(failed.next()).resolves.toMatchObject({ done: true });
  });

  it('refuses a capacity below one', () => {
    expect(() => createBoundedBuffer({ capacity: 0 })).toThrow(RangeError);
  });
});

interface TestEvent {
  key: string;
  type: string;
  n: number;
}
const event = (key: string, n: number, type = 't'): TestEvent => ({ key, type, n });

async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i++) {
    const next = await iterator.next();
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

describe('live hub', () => {
  it('gives every subscriber every matching event once, in publish order', async () => {
    const hub = createLiveHub<TestEvent>();
    const all = hub.subscribe();
    const onlyA = hub.subscribe({ key: 'a' });
    const evenA = hub.subscribe({ key: 'a', filter: (e) => e.n % 2 === 0 });
    for (let n = 1; n <= 4; n++) hub.publish(event(n === 3 ? 'b' : 'a', n));
    expect((await take(all, 4)).map((e) => e.n)).toEqual([1, 2, 3, 4]);
    expect((await take(onlyA, 3)).map((e) => e.n)).toEqual([1, 2, 4]);
    expect((await take(evenA, 2)).map((e) => e.n)).toEqual([2, 4]);
  });

  it('ends only the slow subscriber and counts what it dropped', async () => {
    const dropped: number[] = [];
    const delivered: string[] = [];
    const hub = createLiveHub<TestEvent>({
      bufferSize: 2,
      onDropped: (n) => dropped.push(n),
      onDelivered: (e) => delivered.push(e.type),
    });
    const slow = hub.subscribe();
    const fast = hub.subscribe();
    const received: number[] = [];
    const reading = (async () => {
      for await (const e of fast) {
        received.push(e.n);
        if (received.length === 5) break;
      }
    })();
    for (let n = 1; n <= 5; n++) {
      hub.publish(event('k', n));
      await tick();
    }
    await reading;
    expect(received).toEqual([1, 2, 3, 4, 5]);
    expect(dropped).toEqual([3]);
    await expect(slow.next()).rejects.toMatchObject({ extensions: { code: SLOW_SUBSCRIBER } });
    // 5 to the fast one, 2 queued for the slow one before it overflowed.
    expect(delivered).toHaveLength(7);
    expect(hub.subscribers).toBe(0);
  });

  it('forgets subscribers that leave, and ends the rest on close', async () => {
    const counts: number[] = [];
    const hub = createLiveHub<TestEvent>({ onSubscribers: (n) => counts.push(n) });
    const leaving = hub.subscribe({ key: 'a' });
    const staying = hub.subscribe({ key: 'a' });
    expect(hub.subscribers).toBe(2);
    await leaving.return!();
    expect(hub.subscribers).toBe(1);
    hub.publish(event('a', 1));
    expect(await leaving.next()).toEqual({ value: undefined, done: true });
    hub.close(shuttingDown());
    // Failing discards what was queued: the socket is going away anyway.
    await expect(staying.next()).rejects.toMatchObject({ extensions: { code: SHUTTING_DOWN } });
    expect(counts).toEqual([1, 2, 1, 0]);
  });

  it('a filter that throws ends that subscriber with the error', async () => {
    const hub = createLiveHub<TestEvent>();
    const broken = hub.subscribe({
      filter: () => {
        throw new Error('bad filter');
      },
    });
    hub.publish(event('a', 1));
    await expect(broken.next()).rejects.toThrow('bad filter');
    expect(hub.subscribers).toBe(0);
  });
});

describe('recent ids', () => {
  it('says an id was seen once it has been, and remembers at most its capacity, forgetting the oldest', () => {
    const recent = recentIds(3);
    expect(['a', 'b', 'a', 'c'].map((id) => recent.seen(id))).toEqual([false, false, true, false]);
    expect(recent.size).toBe(3);
    // d pushes a out; b and c are still remembered.
    expect(recent.seen('d')).toBe(false);
    expect(recent.size).toBe(3);
    expect([recent.seen('b'), recent.seen('c'), recent.seen('d')]).toEqual([true, true, true]);
    expect(recent.seen('a')).toBe(false);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => recentIds(0)).toThrow(RangeError);
    expect(() => recentIds(1.5)).toThrow(RangeError);
  });
});
