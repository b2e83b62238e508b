import { context } from '@opentelemetry/api';
import { markCurrentState } from './current-state.js';
import { rememberTraceContext, traceContextOf } from './trace-context.js';

export interface SnapshotThenStreamOptions<S, E> {
  /**
   * Subscribes to the live events of the thing watched. Called first, before `load`, so an event
   * committed while the snapshot loads is buffered rather than lost.
   */
  subscribe: () => AsyncIterable<E>;
  /** Loads the current state (with a fresh EntityManager fork: it is called again on every gap). */
  load: () => Promise<S>;
  /** The state's version: it grows by exactly one with each change (e.g. an order's `version`). */
  version: (state: S) => number;
  /** The version the state has after `event`. */
  eventVersion: (event: E) => number;
  /**
   * The state after the next-in-line `event` (version = last emitted + 1), given the last emitted
   * state. Default: `load()` again, which is always right and costs one read per event.
   */
  apply?: (event: E, previous: S) => S | Promise<S>;
  /** True for a state after which nothing changes (the stream completes after emitting it). */
  isFinal: (state: S) => boolean;
}

/**
 * "Snapshot then stream": the current state first, then every later state in version order, with
 * no gap and no duplicate, completing after a final state. The rule:
 * 1. subscribe to the live events (they buffer), then load the snapshot and emit it;
 * 2. skip events whose version is not above the last emitted one (already in the snapshot, or
 *    redelivered);
 * 3. the next-in-line version is applied (`apply`, default a reload);
 * 4. a version further ahead means events were missed (a replica's consumer lagged or restarted, a
 *    buffer was dropped): the current state is loaded instead of skipping, and emitted when newer;
 * 5. stop after emitting a state `isFinal` says is final (the live subscription is returned).
 * With tracing on, a state made from an event is loaded in, and carries, that event's trace context.
 * Every state emitted is marked a whole current state (`markCurrentState`): a late subscriber sharing
 * the subscription needs only the last one.
 * Errors from `load`, `apply` or the event stream (e.g. the subscriber's buffer overflowed) end the
 * iterator with that error. `return()` ends the live subscription at once, even while waiting.
 */
export function snapshotThenStream<S, E>(options: SnapshotThenStreamOptions<S, E>): AsyncIterableIterator<S> {
  const events = options.subscribe()[Symbol.asyncIterator]();
  const closeEvents = async () => {
    await events.return?.();
  };

  async function* run(): AsyncGenerator<S, void, undefined> {
    try {
      let state = await options.load();
      let last = options.version(state);
      yield markCurrentState(state);
      while (!options.isFinal(state)) {
        const next = await events.next();
        if (next.done) return;
        const version = options.eventVersion(next.value);
        if (version <= last) continue;
        // The state an event leads to is made, and remembered, in the event's trace (tracing on): its
        // load is part of that trace, and so is sending it on.
        const eventContext = traceContextOf(next.value) ?? context.active();
        const candidate = await context.with(eventContext, () =>
          version === last + 1 && options.apply ? options.apply(next.value, state) : options.load(),
        );
        rememberTraceContext(candidate, eventContext);
        const candidateVersion = options.version(candidate);
        // A reload may return a state no newer than what was sent (the event's change already
        // emitted through an earlier reload): never send it twice.
        if (candidateVersion <= last) continue;
        state = candidate;
        last = candidateVersion;
        yield markCurrentState(state);
      }
    } finally {
      await closeEvents();
    }
  }

  const generator = run();
  return {
    next: () => generator.next(),
    async return() {
      // The generator may be parked in `events.next()`; ending the events first wakes it, so its
      // own return is not queued behind an event that may never come.
      await closeEvents();
      return generator.return(undefined);
    },
    async throw(error: unknown) {
      await closeEvents();
      return generator.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
