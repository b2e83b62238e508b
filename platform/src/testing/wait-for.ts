/** A value that passes an `if`: what {@link waitFor} resolves with. */
export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/** How often {@link waitFor} asks again. */
const POLL_INTERVAL_MS = 50;

/** The longest description of a check an error message quotes. */
const MAX_DESCRIPTION = 160;

/**
 * Polls `check` every 50 ms until it returns (or resolves to) a truthy value, and resolves with that
 * value: `await waitFor(() => seen.length > 0)`, or `const event = await waitFor(() => events.find(...))`.
 * This is how e2e specs wait for what happens asynchronously (a Kafka consumer's effect, an event
 * reaching a probe), instead of sleeping.
 *
 * `check` runs at once, then again after each pause, one call at a time; it may be sync or async.
 * Default timeout 30 s (keep it below jest's per-test timeout).
 *
 * Failure modes: once `timeoutMs` has passed and the latest check is still falsy, rejects with
 * `timed out after <timeoutMs> ms waiting for <what>`; `what` defaults to the check's source (as
 * compiled, shortened), so give a few words when the source would not say what was awaited. An
 * error thrown by `check` is not retried: it rejects `waitFor` at once with that error.
 */
export async function waitFor<T>(
  check: () => T | PromiseLike<T>,
  timeoutMs = 30_000,
  what?: string,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as Truthy<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? sourceOf(check)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** `check`'s source on one line, shortened: the default `what` of a timeout message. */
function sourceOf(check: () => unknown): string {
  const source = check.toString().replace(/\s+/g, ' ').trim();
  return source.length > MAX_DESCRIPTION ? `${source.slice(0, MAX_DESCRIPTION - 3)}...` : source;
}
