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
  /** Newer than expected: `missed` entries of this publisher never reached us. Deliver it. */
  | { kind: "gap"; missed: number }
  /**
   * So far ahead of the last one (more than the window) that it may be
   * forged: deliver it, but do not move the publisher's position, so that a
   * lone entry claiming sequence 2^53 cannot make every later genuine entry
   * look like a duplicate (issue 22.7). The next entry after it confirms it.
   */
  | { kind: "jump" };

/** Where one publisher stands. */
interface Position {
  /** The last sequence number accepted in order. */
  last: number;
  /** A number past the window, delivered but not yet confirmed by its successor. */
  jump: number | undefined;
}

/**
 * Remembers the last sequence number seen from each publisher. Every
 * `RedisBroker` numbers its messages 1, 2, 3… under a random publisher id;
 * a retried `XADD` may land twice in the stream, and this is what makes the
 * second copy invisible. A number more than `window` ahead moves nothing until
 * the publisher's next entry follows it: a trimmed stream makes real jumps,
 * and those continue; a forged one stands alone. (Two forged entries in a
 * row still win: only signed entries, checked before this, stop a forger.)
 * Bounded: past `max` publishers the one heard from least recently is
 * forgotten (publisher ids are per process start, so old ones never come back).
 *
 * @example
 * ```ts
 * const seen = new PublisherSequences();
 * seen.check("p1", 1); // { kind: "next" }
 * seen.check("p1", 1); // { kind: "duplicate" }
 * seen.check("p1", 4); // { kind: "gap", missed: 2 }
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
   * @param window - how far ahead of the last number an entry may be and still count as in order (default 10 000).
   */
  constructor(max = 10_000, window = 10_000) {
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
    const position = this.#positions.get(publisher);
    if (position === undefined) {
      this.#remember(publisher, { last: sequence, jump: undefined });
      return { kind: "next" };
    }
    if (sequence <= position.last || sequence === position.jump) return { kind: "duplicate" };
    // Re-insert: Map order then runs from least to most recently heard from.
    this.#remember(publisher, position);
    const confirmsJump = position.jump !== undefined && sequence === position.jump + 1;
    if (sequence - position.last > this.#window && !confirmsJump) {
      position.jump = sequence;
      return { kind: "jump" };
    }
    const missed = sequence - position.last - 1 - (confirmsJump ? 1 : 0);
    position.last = sequence;
    position.jump = undefined;
    return missed > 0 ? { kind: "gap", missed } : { kind: "next" };
  }

  #remember(publisher: string, position: Position): void {
    this.#positions.delete(publisher);
    this.#positions.set(publisher, position);
    if (this.#positions.size > this.#max) this.#positions.delete(this.#positions.keys().next().value as string);
  }
}
