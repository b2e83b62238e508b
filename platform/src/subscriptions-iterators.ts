/**
 * Async-iterator plumbing for subscriptions. Every iterator here is written by hand rather than as
 * an `async function*`: an async generator parked in `await source.next()` queues a `return()`
 * behind that await, so a client that unsubscribes (or a socket that closes) would keep its
 * subscription registered until the next event arrives, which for a finished order is never.
 * These iterators forward `return()` to their source at once.
 */

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * Maps each value of `source` through `map` (awaited, one at a time, in order). `return()` ends the
 * source at once; an error thrown by `map` ends the source and rejects `next()` with that error.
 */
export function mapAsyncIterator<T, U>(
  source: AsyncIterable<T>,
  map: (value: T) => U | Promise<U>,
): AsyncIterableIterator<U> {
  const iterator = source[Symbol.asyncIterator]();
  const close = async () => {
    await iterator.return?.();
  };
  const mapResult = async (result: IteratorResult<T>): Promise<IteratorResult<U>> => {
    if (result.done) return DONE;
    try {
      return { value: await map(result.value), done: false };
    } catch (error) {
      await close().catch(() => undefined);
      throw error;
    }
  };
  return {
    async next() {
      return mapResult(await iterator.next());
    },
    async return() {
      await close();
      return DONE;
    },
    async throw(error: unknown) {
      if (iterator.throw) return mapResult(await iterator.throw(error));
      await close();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Ends `source` at `deadline` (ms since the epoch): the pending or next `next()` rejects with
 * `error()`, the source is returned, and later calls report done. Used to end a subscription when
 * its access token expires. A deadline already past fails the first `next()`.
 */
export function endAt<T>(
  source: AsyncIterable<T>,
  deadline: number,
  error: () => unknown,
): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  let rejectExpired: (reason: unknown) => void = () => undefined;
  const expired = new Promise<never>((_, reject) => (rejectExpired = reject));
  // Nobody may be waiting when the timer fires; the rejection is observed by the next race.
  expired.catch(() => undefined);
  // setTimeout keeps 32-bit delays; tokens live minutes, so clamping only guards against nonsense.
  const timer = setTimeout(
    () => rejectExpired(error()),
    Math.min(Math.max(0, deadline - Date.now()), 2 ** 31 - 1),
  );
  timer.unref?.();
  const finish = async () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    await iterator.return?.();
  };
  return {
    async next() {
      if (finished) return DONE;
      try {
        const result = await Promise.race([iterator.next(), expired]);
        if (result.done) await finish();
        return result;
      } catch (reason) {
        await finish().catch(() => undefined);
        throw reason;
      }
    },
    async return() {
      await finish();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Calls `onEnd` exactly once when `source` ends for any reason: done, an error from `next()`, or
 * `return()` (a client leaving). Used for gauges of active subscriptions.
 */
export function onIteratorEnd<T>(source: AsyncIterable<T>, onEnd: () => void): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  return {
    async next() {
      try {
        const result = await iterator.next();
        if (result.done) end();
        return result;
      } catch (error) {
        end();
        throw error;
      }
    },
    async return() {
      end();
      await iterator.return?.();
      return DONE;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
