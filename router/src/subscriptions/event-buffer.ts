/**
 * A bounded first-in first-out buffer between a producer that must never wait (events arriving from a
 * subgraph) and one consumer that may be slow (a client's socket). `push` refuses an item once `capacity`
 * are waiting, so a slow consumer costs at most `capacity` items of memory; the owner decides what a
 * refusal means (the router disconnects the slow client). `end` items (completion, failure) are always
 * accepted so the consumer learns how the stream ended.
 */
export class EventBuffer<T> {
  private readonly items: T[] = [];
  private waiting: ((item: T) => void) | undefined;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('capacity must be a positive integer');
  }

  get size(): number {
    return this.items.length;
  }

  /** Adds an item; false (and nothing added) when the buffer is full. */
  push(item: T): boolean {
    if (this.waiting) {
      const deliver = this.waiting;
      this.waiting = undefined;
      deliver(item);
      return true;
    }
    if (this.items.length >= this.capacity) return false;
    this.items.push(item);
    return true;
  }

  /** Adds a final item even when the buffer is full. */
  end(item: T): void {
    if (this.waiting) this.push(item);
    else this.items.push(item);
  }

  /** The next item, waiting for one if none is buffered. One consumer at a time. */
  shift(): Promise<T> {
    if (this.items.length > 0) return Promise.resolve(this.items.shift()!);
    if (this.waiting) return Promise.reject(new Error('EventBuffer has a single consumer'));
    return new Promise((resolve) => (this.waiting = resolve));
  }
}
