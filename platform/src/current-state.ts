import type { ExecutionResult, FormattedExecutionResult } from 'graphql';

/**
 * Subscriptions that follow one thing's state ("snapshot then stream", e.g. `orderStatusChanged`) send
 * the whole current state in every result: a later result supersedes every earlier one. Feeds (e.g.
 * `notificationAdded`) send what happened from now on, each result new. Whoever shares one upstream
 * subscription among several subscribers (the router) must give a subscriber that joins late the last
 * state, and must give it nothing of a feed's past. The kit's subscription endpoint says which kind a
 * result is: a current state carries `extensions.currentState: true` (the router takes it off before
 * its clients see the result).
 */
export const CURRENT_STATE_EXTENSION = 'currentState';

const states = new WeakSet<object>();

/** Marks a subscription's source value as a whole current state (the kit's `snapshotThenStream` does). */
export function markCurrentState<T>(value: T): T {
  if (typeof value === 'object' && value !== null) states.add(value);
  return value;
}

/** Whether {@link markCurrentState} marked `value`. */
export function isCurrentState(value: unknown): boolean {
  return typeof value === 'object' && value !== null && states.has(value);
}

/** `result` with the mark in its `extensions`. */
export function withCurrentStateMark(result: ExecutionResult): ExecutionResult {
  return { ...result, extensions: { ...result.extensions, [CURRENT_STATE_EXTENSION]: true } };
}

/**
 * Reads and removes the mark: `current` is true when `result` is a whole current state; `result` is
 * the same result without the mark (`extensions` dropped when nothing else was in it).
 */
export function takeCurrentStateMark(result: FormattedExecutionResult): {
  current: boolean;
  result: FormattedExecutionResult;
} {
  const extensions = result.extensions;
  if (!extensions || !(CURRENT_STATE_EXTENSION in extensions)) return { current: false, result };
  const { [CURRENT_STATE_EXTENSION]: mark, ...rest } = extensions;
  const { extensions: _extensions, ...others } = result;
  return {
    current: mark === true,
    result: Object.keys(rest).length ? { ...others, extensions: rest } : others,
  };
}
