/**
 * Messages a `RedisBroker` has accepted but Redis has not acknowledged yet.
 *
 * @module
 */
import { BacklogFullError } from "./backlog-full-error.js";

/** One message waiting for its `XADD`. */
export interface HeldMessage {
  topic: string;
  payload: string | Uint8Array;
  /** The publisher's sequence number (1, 2, 3…). */
  sequence: number;
}

/**
 * A FIFO of held messages bounded by count and payload bytes, plus waiters
 * for "everything accepted so far has been written".
 *
 * @example
 * ```ts
 * const backlog = new PublishBacklog(10_000, 16 * 1024 * 1024);
 * backlog.push("news", "hi");          // throws BacklogFullError past the bounds
 * const batch = backlog.peek(100);     // send these…
 * backlog.acknowledge(batch.length);   // …then drop them once Redis took them
 * ```
 */
export class PublishBacklog {
  #items: HeldMessage[] = [];
  #head = 0;
  #bytes = 0;
  #nextSequence = 1;
  #acknowledged = 0;
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  readonly #waiters: { sequence: number; resolve: () => void; reject: (error: Error) => void }[] = [];

  /**
   * @param maxMessages - most messages held.
   * @param maxBytes - most payload bytes held.
   */
  constructor(maxMessages: number, maxBytes: number) {
    this.#maxMessages = maxMessages;
    this.#maxBytes = maxBytes;
  }

  /** Messages held. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Payload bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Holds a message, numbering it.
   *
   * @throws {@link BacklogFullError} when it would pass either bound; nothing is dropped.
   */
  push(topic: string, payload: string | Uint8Array): void {
    const size = typeof payload === "string" ? Buffer.byteLength(payload) : payload.byteLength;
    // One message larger than the byte bound still goes through an empty backlog.
    if (this.length >= this.#maxMessages || (this.length > 0 && this.#bytes + size > this.#maxBytes)) {
      throw new BacklogFullError(this.length, this.#bytes);
    }
    this.#items.push({ topic, payload, sequence: this.#nextSequence++ });
    this.#bytes += size;
  }

  /** The oldest `count` held messages, without removing them. */
  peek(count: number): HeldMessage[] {
    return this.#items.slice(this.#head, this.#head + count);
  }

  /** Removes the oldest `count` messages: Redis has them. */
  acknowledge(count: number): void {
    for (let i = 0; i < count; i++) {
      const item = this.#items[this.#head++]!;
      this.#bytes -= typeof item.payload === "string" ? Buffer.byteLength(item.payload) : item.payload.byteLength;
      this.#acknowledged = item.sequence;
    }
    // Compact now and then instead of shifting on every acknowledgement.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    while (this.#waiters.length > 0 && this.#waiters[0]!.sequence <= this.#acknowledged) this.#waiters.shift()!.resolve();
  }

  /** Resolves once every message held now has been acknowledged. */
  drained(): Promise<void> {
    if (this.length === 0) return Promise.resolve();
    const sequence = this.#nextSequence - 1;
    return new Promise((resolve, reject) => this.#waiters.push({ sequence, resolve, reject }));
  }

  /** Rejects every {@link drained} waiter (the broker is closing without Redis). */
  abandon(error: Error): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}
