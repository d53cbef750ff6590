/**
 * Duplicate and gap detection for stream entries, by publisher.
 *
 * @module
 */

/** What {@link PublisherSequences.check} found about one entry. */
export type SequenceVerdict =
  /** The next one expected (or the first seen from this publisher): deliver it. */
  | { kind: "next" }
  /** Seen before (a publish retried after its acknowledgement was lost): skip it. */
  | { kind: "duplicate" }
  /** Newer than expected: `missed` entries of this publisher have not reached us (yet). Deliver it. */
  | { kind: "gap"; missed: number }
  /** Older than the newest, but never seen: one of the missed ones after all. Deliver it. */
  | { kind: "late" }
  /**
   * So far ahead of the newest (more than the window) that it may be forged:
   * deliver it, but do not move the publisher's position, so that a lone
   * entry claiming sequence 2^53 cannot make every later genuine entry look
   * like a duplicate (issue 22.7). The publisher's next entry confirms it.
   */
  | { kind: "jump" };

/** Where one publisher stands. */
interface Position {
  /** The newest sequence number accepted. */
  last: number;
  /** Which of the `window` numbers up to `last` were seen: bit `n % window`. */
  seen: Uint8Array;
  /** A number past the window, delivered but not yet confirmed by its successor. */
  jump: number | undefined;
}

/**
 * Remembers which sequence numbers each publisher's entries carried. Every
 * `RedisBroker` numbers its messages 1, 2, 3… under a random publisher id;
 * a retried `XADD` may land twice in the stream, and this is what makes the
 * second copy invisible. Like IPsec's anti-replay window, it keeps one bit per
 * number for the last `window` numbers, so an entry skipped over (by a forged
 * number a little ahead, or a write retried out of order) is still delivered
 * when it comes. A number more than `window` ahead moves nothing until the
 * publisher's next entry follows it: a trimmed stream makes real jumps, and
 * those continue; a forged one stands alone. Two forged entries in a row
 * still win: only signed entries, checked before this, stop a forger.
 * Bounded: past `max` publishers the one heard from least recently is
 * forgotten (publisher ids are per process start, so old ones never come back).
 *
 * @example
 * ```ts
 * const seen = new PublisherSequences();
 * seen.check("p1", 1); // { kind: "next" }
 * seen.check("p1", 1); // { kind: "duplicate" }
 * seen.check("p1", 4); // { kind: "gap", missed: 2 }
 * seen.check("p1", 2); // { kind: "late" }
 * seen.check("p1", Number.MAX_SAFE_INTEGER); // { kind: "jump" }
 * seen.check("p1", 5); // { kind: "next" }
 * ```
 */
export class PublisherSequences {
  readonly #positions = new Map<string, Position>();
  readonly #max: number;
  readonly #window: number;

  /**
   * @param max - publishers remembered at most (default 10 000).
   * @param window - numbers remembered per publisher, and how far ahead a number may be and still move the position (default 1024, 128 bytes each).
   */
  constructor(max = 10_000, window = 1024) {
    this.#max = max;
    this.#window = window;
  }

  /** Publishers currently remembered. */
  get size(): number {
    return this.#positions.size;
  }

  /**
   * Records `sequence` from `publisher` when it is new.
   *
   * @param publisher - the publisher's id.
   * @param sequence - its message number, from 1.
   * @returns whether to deliver the entry, and whether some were missed.
   */
  check(publisher: string, sequence: number): SequenceVerdict {
    let position = this.#positions.get(publisher);
    if (position === undefined) {
      position = { last: sequence, seen: new Uint8Array(Math.ceil(this.#window / 8)), jump: undefined };
      this.#mark(position, sequence);
      this.#remember(publisher, position);
      return { kind: "next" };
    }
    // Re-insert: Map order then runs from least to most recently heard from.
    this.#remember(publisher, position);
    if (sequence <= position.last) {
      if (sequence <= position.last - this.#window || this.#marked(position, sequence)) return { kind: "duplicate" };
      this.#mark(position, sequence);
      return { kind: "late" };
    }
    if (sequence === position.jump) return { kind: "duplicate" };
    const confirmsJump = position.jump !== undefined && sequence === position.jump + 1;
    if (sequence - position.last > this.#window && !confirmsJump) {
      position.jump = sequence;
      return { kind: "jump" };
    }
    const missed = sequence - position.last - 1 - (confirmsJump ? 1 : 0);
    this.#advance(position, sequence);
    if (confirmsJump) this.#mark(position, position.jump!);
    position.jump = undefined;
    return missed > 0 ? { kind: "gap", missed } : { kind: "next" };
  }

  /** Moves the newest number to `sequence`, forgetting the bits of the numbers it passes. */
  #advance(position: Position, sequence: number): void {
    if (sequence - position.last >= this.#window) position.seen.fill(0);
    else for (let n = position.last + 1; n < sequence; n++) this.#unmark(position, n);
    position.last = sequence;
    this.#mark(position, sequence);
  }

  #marked(position: Position, n: number): boolean {
    const bit = n % this.#window;
    return (position.seen[bit >> 3]! & (1 << (bit & 7))) !== 0;
  }

  #mark(position: Position, n: number): void {
    const bit = n % this.#window;
    position.seen[bit >> 3]! |= 1 << (bit & 7);
  }

  #unmark(position: Position, n: number): void {
    const bit = n % this.#window;
    position.seen[bit >> 3]! &= ~(1 << (bit & 7));
  }

  #remember(publisher: string, position: Position): void {
    this.#positions.delete(publisher);
    this.#positions.set(publisher, position);
    if (this.#positions.size > this.#max) this.#positions.delete(this.#positions.keys().next().value as string);
  }
}
