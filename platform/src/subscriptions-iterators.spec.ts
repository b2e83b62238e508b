import { describe, expect, it } from '@jest/globals';
import { createBoundedBuffer } from './live-events.js';
import { endAt, mapAsyncIterator, onIteratorEnd } from './subscriptions-iterators.js';

const within = <T>(promise: Promise<T>, ms: number) =>
  Promise.race([promise, new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), ms))]);

describe('subscription iterators', () => {
  it('mapAsyncIterator maps in order and returns its source at once, even while waiting', async () => {
    const source = createBoundedBuffer<number>({ capacity: 10 });
    const mapped = mapAsyncIterator(source, async (n) => n * 10);
    source.push(1);
    source.push(2);
    expect(await mapped.next()).toEqual({ value: 10, done: false });
    expect(await mapped.next()).toEqual({ value: 20, done: false });
    const waiting = mapped.next();
    expect(await within(mapped.return!(), 200)).toEqual({ value: undefined, done: true });
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(source.closed).toBe(true);
  });

  it('mapAsyncIterator ends the source when the mapper throws', async () => {
    const source = createBoundedBuffer<number>({ capacity: 10 });
    const mapped = mapAsyncIterator(source, () => {
      throw new Error('resolver failed');
    });
    source.push(1);
    await expect(mapped.next()).rejects.toThrow('resolver failed');
    expect(source.closed).toBe(true);
  });

  it('endAt fails a waiting next() at the deadline and ends the source', async () => {
    const source = createBoundedBuffer<number>({ capacity: 10 });
    const bounded = endAt(source, Date.now() + 100, () => new Error('expired'));
    source.push(1);
    expect(await bounded.next()).toEqual({ value: 1, done: false });
    const startedAt = Date.now();
    await expect(bounded.next()).rejects.toThrow('expired');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(50);
    expect(source.closed).toBe(true);
    expect(await bounded.next()).toEqual({ value: undefined, done: true });
  });

  it('endAt with a deadline already past fails the first next()', async () => {
    const bounded = endAt(
      createBoundedBuffer<number>({ capacity: 1 }),
      Date.now() - 1,
      () => new Error('expired'),
    );
    await expect(bounded.next()).rejects.toThrow('expired');
  });

  it('onIteratorEnd calls back exactly once, whichever way it ends', async () => {
    let ends = 0;
    const done = createBoundedBuffer<number>({ capacity: 1 });
    const a = onIteratorEnd(done, () => ends++);
    done.end();
    await a.next();
    await a.return!();
    expect(ends).toBe(1);

    const failing = createBoundedBuffer<number>({ capacity: 1 });
    const b = onIteratorEnd(failing, () => ends++);
    failing.fail(new Error('x'));
    await expect(b.next()).rejects.toThrow('x');
    expect(ends).toBe(2);

    const c = onIteratorEnd(createBoundedBuffer<number>({ capacity: 1 }), () => ends++);
    await c.return!();
    expect(ends).toBe(3);
  });
});
