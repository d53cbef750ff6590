/**
 * `Wand`: how other code in the process hands a running service "spells"
 * (seed 001's wand): `wand.spell(anything)` queues it, and the service's
 * `listenLoop()` gives each, in order, to `onSpell`. The queue is bounded:
 * a spell past the bound throws instead of growing memory.
 *
 * @module
 */

/** Thrown by {@link Wand.spell} when the queue is full or the wand is closed. */
export class WandError extends Error {
  override name = "WandError";
}

export class Wand implements AsyncIterable<unknown> {
  readonly maxQueued: number;
  readonly #queue: unknown[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  /** @param maxQueued - spells waiting at most (default 1000). */
  constructor(maxQueued = 1000) {
    this.maxQueued = maxQueued;
  }

  /** Queues a spell for the service. @throws {@link WandError} when full or closed. */
  spell(obj: unknown): void {
    if (this.#closed) throw new WandError("the wand is closed");
    if (this.#queue.length >= this.maxQueued) throw new WandError(`the wand holds ${this.maxQueued} spells already`);
    this.#queue.push(obj);
    this.#wake?.();
  }

  /** Spells waiting. */
  get size(): number {
    return this.#queue.length;
  }

  /** No more spells: the loop ends once the queued ones are read. */
  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<unknown> {
    for (;;) {
      if (this.#queue.length > 0) {
        yield this.#queue.shift();
        continue;
      }
      if (this.#closed) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}
