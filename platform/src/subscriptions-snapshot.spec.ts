import { describe, expect, it } from '@jest/globals';
import { createBoundedBuffer } from './live-events.js';
import { snapshotThenStream } from './subscriptions-snapshot.js';

interface State {
  version: number;
  status: string;
  loadedBy: 'load' | 'apply';
}
interface Change {
  version: number;
  status: string;
}

const FINAL = new Set(['DONE', 'FAILED']);

/** A thing with a version that changes, and the live stream a replica would see for it. */
function world(initial: Change) {
  let current = initial;
  const order: string[] = [];
  const events = createBoundedBuffer<Change>({ capacity: 100 });
  let returned = false;
  let subscribed = false;
  const stream: AsyncIterable<Change> = {
    [Symbol.asyncIterator]: () => {
      order.push('subscribe');
      subscribed = true;
      return {
        next: () => events.next(),
        return: async () => {
          returned = true;
          return events.return!();
        },
      };
    },
  };
  return {
    order,
    /** A committed change: the state moves, the event is published (maybe later, maybe twice). */
    change(status: string): Change {
      current = { version: current.version + 1, status };
      return current;
    },
    /** Like a live consumer: only what is published after subscribing is seen. */
    publish: (change: Change) => subscribed && events.push(change),
    get returned() {
      return returned;
    },
    iterator(opts: { withApply?: boolean; onLoad?: () => void } = {}) {
      return snapshotThenStream<State, Change>({
        subscribe: () => stream,
        load: async () => {
          order.push('load');
          const snapshot: State = { ...current, loadedBy: 'load' };
          // A change committing right after the snapshot was read.
          opts.onLoad?.();
          return snapshot;
        },
        version: (s) => s.version,
        eventVersion: (e) => e.version,
        ...(opts.withApply ? { apply: (e: Change): State => ({ ...e, loadedBy: 'apply' }) } : {}),
        isFinal: (s) => FINAL.has(s.status),
      });
    },
  };
}

async function collect<T>(iterator: AsyncIterableIterator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const value of iterator) out.push(value);
  return out;
}

describe('snapshot then stream', () => {
  it('subscribes before loading, sends the snapshot, then each change once, and completes at a final state', async () => {
    const w = world({ version: 1, status: 'PENDING' });
    const it = w.iterator({ withApply: true });
    // Committed and published before the snapshot is read: in the snapshot and in the stream.
    w.publish(w.change('RESERVED'));
    const snapshot = await it.next();
    const confirmed = w.change('CONFIRMED');
    w.publish(confirmed);
    w.publish(confirmed); // redelivered
    w.publish(w.change('DONE'));
    w.publish(w.change('AFTER_FINAL'));
    const states = [snapshot.value as State, ...(await collect(it))];
    expect(w.order).toEqual(['subscribe', 'load']);
    expect(states.map((s) => [s.version, s.status, s.loadedBy])).toEqual([
      [2, 'RESERVED', 'load'],
      [3, 'CONFIRMED', 'apply'],
      [4, 'DONE', 'apply'],
    ]);
    expect(w.returned).toBe(true);
  });

  it('keeps events that arrive while the snapshot loads (they are buffered, not lost)', async () => {
    const w = world({ version: 1, status: 'PENDING' });
    let once = false;
    const it = w.iterator({
      withApply: true,
      onLoad: () => {
        if (once) return;
        once = true;
        w.publish(w.change('RESERVED'));
      },
    });
    const first = await it.next();
    w.publish(w.change('DONE'));
    const rest = await collect(it);
    expect(first.value).toMatchObject({ version: 1, status: 'PENDING' });
    expect(rest.map((s) => s.status)).toEqual(['RESERVED', 'DONE']);
  });

  it('reloads the current state on a gap instead of skipping it, and never sends a version twice', async () => {
    const w = world({ version: 1, status: 'PENDING' });
    const it = w.iterator({ withApply: true });
    expect((await it.next()).value).toMatchObject({ version: 1 });
    w.change('RESERVED'); // version 2: its event is lost (a lagging replica, a dropped buffer)
    const confirmed = w.change('CONFIRMED'); // version 3
    w.publish(confirmed);
    const afterGap = await it.next();
    expect(afterGap.value).toMatchObject({ version: 3, status: 'CONFIRMED', loadedBy: 'load' });
    // A late copy of an old event and the event of a change the reload already covered.
    w.publish({ version: 2, status: 'RESERVED' });
    const done = w.change('DONE');
    w.publish({ version: 5, status: 'SKIPPED_AHEAD' }); // ahead again: reload finds version 4
    w.publish(done);
    const rest = await collect(it);
    expect(rest.map((s) => [s.version, s.status])).toEqual([[4, 'DONE']]);
  });

  it('reloads on every event when no apply is given', async () => {
    const w = world({ version: 1, status: 'PENDING' });
    const it = w.iterator();
    const snapshot = await it.next();
    w.publish(w.change('DONE'));
    const states = [snapshot.value as State, ...(await collect(it))];
    expect(states.map((s) => [s.status, s.loadedBy])).toEqual([
      ['PENDING', 'load'],
      ['DONE', 'load'],
    ]);
    expect(w.order).toEqual(['subscribe', 'load', 'load']);
  });

  it('completes after the snapshot when it is already final, returning the live subscription', async () => {
    const w = world({ version: 7, status: 'FAILED' });
    const states = await collect(w.iterator());
    expect(states).toHaveLength(1);
    expect(w.returned).toBe(true);
  });

  it('return() ends it at once while it waits for an event that never comes', async () => {
    const w = world({ version: 1, status: 'PENDING' });
    const it = w.iterator();
    await it.next();
    const waiting = it.next();
    const returned = await Promise.race([
      it.return!().then(() => 'returned'),
      new Promise((r) => setTimeout(() => r('stuck'), 500)),
    ]);
    expect(returned).toBe('returned');
    await expect(waiting).resolves.toEqual({ value: undefined, done: true });
    expect(w.returned).toBe(true);
  });

  it('ends with the error of the stream (a slow subscriber) or of the loader', async () => {
    const w = world({ version: 1, status: 'PENDING' });
    const it = w.iterator();
    await it.next();
    for (let i = 0; i < 101; i++) w.publish({ version: 1, status: 'noise' });
    await expect(it.next()).rejects.toMatchObject({ extensions: { code: 'SLOW_SUBSCRIBER' } });

    const failing = snapshotThenStream<State, Change>({
      subscribe: () => createBoundedBuffer<Change>({ capacity: 1 }),
      load: async () => {
        throw new Error('database down');
      },
      version: (s) => s.version,
      eventVersion: (e) => e.version,
      isFinal: () => false,
    });
    await expect(failing.next()).rejects.toThrow('database down');
  });
});
