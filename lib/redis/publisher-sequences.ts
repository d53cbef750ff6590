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
  | { kind: "gap"; missed: number };

/**
 * Remembers the last sequence number seen from each publisher. Every
 * `RedisBroker` numbers its messages 1, 2, 3… under a random publisher id;
 * a retried `XADD` may land twice in the stream, and this is what makes the
 * second copy invisible. Bounded: past `max` publishers the one heard from
 * least recently is forgotten (publisher ids are per process start, so old
 * ones never come back).
 *
 * @example
 * ```ts
 * const seen = new PublisherSequences();
 * seen.check("p1", 1); // { kind: "next" }
 * seen.check("p1", 1); // { kind: "duplicate" }
 * seen.check("p1", 4); // { kind: "gap", missed: 2 }
 * ```
 */
export class PublisherSequences {
  readonly #last = new Map<string, number>();
  readonly #max: number;

  /** @param max - publishers remembered at most (default 10 000). */
  constructor(max = 10_000) {
    this.#max = max;
  }

  /** Publishers currently remembered. */
  get size(): number {
    return this.#last.size;
  }

  /**
   * Records `sequence` from `publisher` when it is new.
   *
   * @param publisher - the publisher's id.
   * @param sequence - its message number, from 1.
   * @returns whether to deliver the entry, and whether some were missed.
   */
  check(publisher: string, sequence: number): SequenceVerdict {
    const last = this.#last.get(publisher);
    if (last !== undefined && sequence <= last) return { kind: "duplicate" };
    // Re-insert: Map order then runs from least to most recently heard from.
    this.#last.delete(publisher);
    this.#last.set(publisher, sequence);
    if (this.#last.size > this.#max) this.#last.delete(this.#last.keys().next().value as string);
    if (last !== undefined && sequence > last + 1) return { kind: "gap", missed: sequence - last - 1 };
    return { kind: "next" };
  }
}
