/**
 * Values pushed by producers, read by one async loop until closed. A push
 * that leaves more than `limit` values waiting settles only once the reader
 * has caught up (or the channel is closed): a producer that awaits it goes at
 * the reader's pace.
 */
export class Channel<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  #waiting: (() => void)[] = [];

  constructor(readonly limit = 16) {}

  push(item: T): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#items.push(item);
    this.#wake?.();
    if (this.#items.length <= this.limit) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
    this.#release();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.#items.length > 0) {
        const item = this.#items.shift()!;
        if (this.#items.length <= this.limit) this.#release();
        yield item;
      }
      if (this.#closed) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }

  #release(): void {
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}
