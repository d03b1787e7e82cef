/**
 * A subscriber's buffer: an async iterator fed by the fan-out. It holds at most
 * `limit` undelivered events; one more ends this subscriber's iterator with an error,
 * so a client that stops reading is cut off instead of slowing the others or growing
 * memory without bound.
 */
export class BoundedQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private failWaiting: ((error: unknown) => void) | null = null;
  private ended = false;
  private failure: unknown = null;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly overflowError: () => Error,
  ) {}

  /** Offers an event; false once the queue has ended (the producer should forget it). */
  push(item: T): boolean {
    if (this.ended) return false;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = null;
      resolve({ value: item, done: false });
      return true;
    }
    if (this.items.length >= this.limit) {
      this.fail(this.overflowError());
      return false;
    }
    this.items.push(item);
    return true;
  }

  /** Ends the iterator with an error (after nothing else: buffered events are dropped with it). */
  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = error;
    this.items.length = 0;
    this.finish();
    if (this.failWaiting) {
      const reject = this.failWaiting;
      this.waiting = this.failWaiting = null;
      reject(error);
    }
  }

  onEnd(cleanup: () => void): void {
    if (this.ended) cleanup();
    else this.cleanups.push(cleanup);
  }

  get size(): number {
    return this.items.length;
  }

  /** True once the queue has ended: failed (cut off, expired) or returned by its consumer. */
  get closed(): boolean {
    return this.ended;
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.failure) {
      const error = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.finish();
    this.waiting?.({ value: undefined, done: true });
    this.waiting = this.failWaiting = null;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
