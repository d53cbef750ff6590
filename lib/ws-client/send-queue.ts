/**
 * The client's outgoing messages, in call order, with the one rule the
 * Moobius SDK broke: a message that was handed to a socket that then died
 * goes back to the **front** of the queue, ahead of everything sent after it.
 *
 * Three lanes:
 * - `first`: what `onConnect` sends; written before anything else, never
 *   carried to another connection (`onConnect` runs again there);
 * - `waiting`: not yet written;
 * - `inflight`: written, waiting for the transport's confirmation (or the
 *   server's acknowledgement when acks are on).
 * Entries settle in call order: one that is confirmed early waits for the
 * ones before it.
 *
 * @module
 */
import { QueueFullError } from "./errors.js";
import type { Frame } from "./transport.js";

/** One message on its way out. */
export interface Outgoing {
  readonly data: Frame;
  /** The acknowledgement id, when acks are on. */
  readonly id: string | undefined;
  /** Written by `onConnect`: goes first, and is not carried over to the next connection. */
  readonly first: boolean;
  /** `Date.now()` after which it is rejected if not yet settled (see `WSClient` for which lanes expire). */
  readonly deadline: number;
  state: "waiting" | "inflight" | "confirmed" | "settled";
  /** The connection it was last written on (a stale confirmation is ignored). */
  connection: number;
  resolve(): void;
  reject(error: Error): void;
}

/** A FIFO with O(1) shift and unshift (an array with a moving head). */
class Deque<T> {
  #items: T[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  peek(): T | undefined {
    return this.#items[this.#head];
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head]!;
    this.#items[this.#head++] = undefined as T;
    // Compact once the dead prefix is both large and most of the array.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Puts `items` (in their order) before everything else. */
  unshiftAll(items: T[]): void {
    if (items.length === 0) return;
    this.#items = [...items, ...this.#items.slice(this.#head)];
    this.#head = 0;
  }

  /** The first item that satisfies `test`. */
  find(test: (item: T) => boolean): T | undefined {
    for (let i = this.#head; i < this.#items.length; i++) if (test(this.#items[i]!)) return this.#items[i];
    return undefined;
  }

  drain(): T[] {
    const items = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return items;
  }
}

/** The ordered, bounded queue of a {@link WSClient}'s sends. */
export class SendQueue {
  readonly #maxQueue: number;
  readonly #first = new Deque<Outgoing>();
  readonly #waiting = new Deque<Outgoing>();
  readonly #inflight = new Deque<Outgoing>();
  /** In-flight entries by acknowledgement id (acks on). */
  readonly #byId = new Map<string, Outgoing>();

  /** @param maxQueue - how many unsettled sends (all lanes but `first`) it holds before {@link push} throws. */
  constructor(maxQueue: number) {
    this.#maxQueue = maxQueue;
  }

  /** Unsettled sends, `onConnect`'s excepted. */
  get size(): number {
    return this.#waiting.length + this.#inflight.length;
  }

  /** Sends not yet written. */
  get waiting(): number {
    return this.#first.length + this.#waiting.length;
  }

  /** Sends written but not yet confirmed (or acknowledged). */
  get inflight(): number {
    return this.#inflight.length;
  }

  /**
   * Appends a send.
   * @throws {@link QueueFullError} when `maxQueue` sends are unsettled (`onConnect`'s are never refused).
   */
  push(entry: Outgoing): void {
    if (entry.first) return this.#first.push(entry);
    if (this.size >= this.#maxQueue) throw new QueueFullError(this.#maxQueue);
    this.#waiting.push(entry);
  }

  /** The next entry to write (`onConnect`'s first), moved to the in-flight lane; `onlyFirst` while `onConnect` runs. */
  take(connection: number, onlyFirst: boolean): Outgoing | undefined {
    const entry = this.#first.length > 0 ? this.#first.shift() : onlyFirst ? undefined : this.#waiting.shift();
    if (entry === undefined) return undefined;
    entry.state = "inflight";
    entry.connection = connection;
    this.#inflight.push(entry);
    if (entry.id !== undefined) this.#byId.set(entry.id, entry);
    return entry;
  }

  /** Marks an in-flight entry done (written, or acknowledged) and settles every done entry at the head, in order. */
  confirm(entry: Outgoing): void {
    if (entry.state !== "inflight") return;
    entry.state = "confirmed";
    this.#settleHead();
  }

  /** Confirms the oldest unconfirmed in-flight entry (transports confirm writes in order). */
  confirmOldest(): void {
    const head = this.#inflight.find((entry) => entry.state === "inflight");
    if (head !== undefined) this.confirm(head);
  }

  /** The in-flight entry acknowledged as `id`, if any. */
  findInflight(id: string): Outgoing | undefined {
    return this.#byId.get(id);
  }

  /** Resolves the confirmed entries at the head of the in-flight lane, in order. */
  #settleHead(): void {
    for (let head = this.#inflight.peek(); head !== undefined && head.state === "confirmed"; head = this.#inflight.peek()) {
      this.#inflight.shift();
      if (head.id !== undefined) this.#byId.delete(head.id);
      head.state = "settled";
      head.resolve();
    }
  }

  /**
   * The connection died: every unsettled in-flight entry goes back to the front
   * of the waiting lane, in its order, ahead of later sends. `onConnect`'s
   * entries (in flight or not) are rejected with `error`: the next
   * connection runs `onConnect` again.
   */
  requeue(error: Error): void {
    const back: Outgoing[] = [];
    const dropped: Outgoing[] = [];
    this.#byId.clear();
    for (const entry of this.#inflight.drain()) {
      if (entry.state === "confirmed") {
        // Written, and acknowledged out of order (acks on): it arrived, so it settles.
        entry.state = "settled";
        entry.resolve();
      } else if (entry.first) dropped.push(entry);
      else {
        entry.state = "waiting";
        back.push(entry);
      }
    }
    this.#waiting.unshiftAll(back);
    for (const entry of [...dropped, ...this.#first.drain()]) this.#settleWith(entry, error);
  }

  /**
   * Rejects, with `makeError()`, the oldest entries whose deadline passed: the
   * waiting ones, and in-flight ones too when `inflightExpires` (acks on).
   * @returns the next deadline to check at, or `undefined` when nothing is left.
   */
  expire(now: number, inflightExpires: boolean, makeError: (entry: Outgoing) => Error): number | undefined {
    if (inflightExpires) {
      const all = this.#inflight.drain();
      for (const entry of all) {
        if (entry.state === "inflight" && entry.deadline <= now) {
          if (entry.id !== undefined) this.#byId.delete(entry.id);
          this.#settleWith(entry, makeError(entry));
        } else this.#inflight.push(entry);
      }
      // Entries confirmed behind an expired one may settle now.
      this.#settleHead();
    }
    for (const lane of [this.#first, this.#waiting]) {
      while (lane.length > 0 && lane.peek()!.deadline <= now) {
        const entry = lane.shift()!;
        this.#settleWith(entry, makeError(entry));
      }
    }
    let next: number | undefined;
    for (const candidate of [this.#first.peek(), this.#waiting.peek(), inflightExpires ? this.#inflight.find((e) => e.state === "inflight") : undefined]) {
      if (candidate !== undefined && (next === undefined || candidate.deadline < next)) next = candidate.deadline;
    }
    return next;
  }

  /** Rejects everything with `error` (the client closed); written-and-confirmed entries still resolve. */
  rejectAll(error: Error, includeInflight: boolean): void {
    for (const entry of [...this.#first.drain(), ...this.#waiting.drain()]) this.#settleWith(entry, error);
    if (!includeInflight) return;
    this.#byId.clear();
    for (const entry of this.#inflight.drain()) {
      if (entry.state === "confirmed") {
        entry.state = "settled";
        entry.resolve();
      } else this.#settleWith(entry, error);
    }
  }

  #settleWith(entry: Outgoing, error: Error): void {
    if (entry.state === "settled") return;
    entry.state = "settled";
    entry.reject(error);
  }
}
