/**
 * The reading half of `RedisBroker`: follows the stream from where the
 * process started, in bounded reads, and delivers each genuine entry once,
 * in stream order. No entry, malformed, forged, oversized or repeated, stops
 * the ones after it (issue 22.7): each is checked and either delivered or
 * dropped and counted, and nothing it holds can throw out of the loop.
 *
 * @module
 */
import type { Redis } from "ioredis";

import type { Logger } from "../protocol/logger.js";
import type { PublishedMessage } from "../pubsub/broker.js";
import { PublisherSequences } from "./publisher-sequences.js";
import { entryBytes, readBatch, type ReadLimits } from "./read-batch.js";
import { parseEntry, type EntrySigner } from "./stream-entry.js";

/** What the reader counted since it started. */
export interface ReaderStats {
  /** Entries handed to the sinks. */
  delivered: number;
  /** Repeats of entries already delivered (a retried `XADD`), skipped. */
  duplicates: number;
  /** Entries of a publisher skipped over and not seen since: trimmed from the stream before this process read them. */
  missed: number;
  /** Entries that are not the broker's shape (a field missing, repeated or of the wrong form), skipped. */
  malformed: number;
  /** Entries without a valid signature while the broker has a secret, skipped. */
  unverified: number;
  /** Entries over the per-entry cap, skipped without being read out of Redis. */
  oversized: number;
  /** Entries far ahead of their publisher's sequence: delivered, but they moved nothing until confirmed. */
  jumps: number;
}

/** What a {@link StreamReader} needs. */
export interface StreamReaderOptions {
  streamKey: string;
  limits: ReadLimits;
  logger: Logger;
  /** Hands one genuine message to the local sinks. */
  deliver(topic: string, message: PublishedMessage): void;
}

const BLOCK_MS = 5000;
// Retry at least twice a second: a restarted Redis is noticed within 0.5 s.
const MAX_BACKOFF_MS = 500;

/** Reads the stream on a connection of its own until {@link stop}. */
export class StreamReader {
  /** Counters; see {@link ReaderStats}. */
  readonly stats: ReaderStats = { delivered: 0, duplicates: 0, missed: 0, malformed: 0, unverified: 0, oversized: 0, jumps: 0 };
  /** When set, only entries it verifies are delivered. */
  signer: EntrySigner | undefined;
  readonly #connection: Redis;
  readonly #options: StreamReaderOptions;
  readonly #sequences = new PublisherSequences();
  #lastId: string | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #resolveReady!: () => void;
  readonly #ready = new Promise<void>((resolve) => (this.#resolveReady = resolve));
  #reported = new Set<keyof ReaderStats>();

  /**
   * @param connection - owned by the caller, used only by this reader (it blocks).
   * @param options - see {@link StreamReaderOptions}.
   */
  constructor(connection: Redis, options: StreamReaderOptions) {
    this.#connection = connection;
    this.#options = options;
  }

  /** Starts reading (once), after the newest entry; resolves once it reads. */
  start(): Promise<void> {
    this.#loop ??= this.#read();
    return this.#ready;
  }

  /** Stops after the current read; resolves once the loop ended (or after `ms`, since a dead connection may never answer). */
  async stop(ms: number): Promise<void> {
    this.#stopped = true;
    this.#resolveReady();
    if (this.#loop !== undefined) await Promise.race([this.#loop, sleep(ms)]);
  }

  async #read(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      try {
        if (this.#lastId === undefined) {
          // Start after the newest entry: history before this process started is not replayed.
          const newest = await this.#connection.xrevrange(this.#options.streamKey, "+", "-", "COUNT", 1);
          this.#lastId = newest[0]?.[0] ?? "0-0";
          this.#resolveReady();
        }
        const batch = await readBatch(this.#connection, this.#options.streamKey, this.#lastId, this.#options.limits);
        for (const [id, fields] of batch) this.#take(id, fields);
        if (batch.length === 0 && !this.#stopped) await this.#waitForNext();
        failures = 0;
      } catch (error) {
        if (this.#stopped) break;
        if (failures++ === 0) this.#options.logger.error("RedisBroker: reading the stream failed, retrying", error);
        await sleep(Math.min(50 * failures, MAX_BACKOFF_MS));
      }
    }
  }

  /**
   * Blocks until an entry follows the last one and takes it: one entry, so a
   * forged giant costs one entry's bytes at most; the batches that follow are bounded.
   */
  async #waitForNext(): Promise<void> {
    const reply = await this.#connection.xreadBuffer("COUNT", 1, "BLOCK", BLOCK_MS, "STREAMS", this.#options.streamKey, this.#lastId!);
    for (const [, entries] of reply ?? []) {
      for (const [id, fields] of entries) {
        const oversized = entryBytes(fields) > this.#options.limits.largestEntry;
        this.#take(id.toString("latin1"), oversized ? undefined : fields);
      }
    }
  }

  /** One entry, read (`fields`) or skipped for its size (`undefined`): moves past it whatever it holds. */
  #take(id: string, fields: unknown): void {
    this.#lastId = id;
    if (fields === undefined) return this.#drop("oversized", `an entry over ${this.#options.limits.largestEntry} bytes`);
    try {
      this.#accept(fields);
    } catch (error) {
      // A sink that throws must not stop the stream: the entries after this one still go out.
      this.#options.logger.error("RedisBroker: delivering a stream entry failed", error);
    }
  }

  #accept(fields: unknown): void {
    const entry = parseEntry(fields);
    if (entry === undefined) return this.#drop("malformed", "an entry that is not the broker's");
    if (this.signer !== undefined && !this.signer.verify(entry)) return this.#drop("unverified", "an entry without a valid signature");
    const publisher = entry.publisher.toString("latin1");
    const verdict = this.#sequences.check(publisher, entry.sequence);
    if (verdict.kind === "duplicate") {
      this.stats.duplicates++;
      return;
    }
    if (verdict.kind === "jump") this.#note("jumps", `an entry of publisher ${publisher} far ahead of its sequence (trimmed stream, or forged)`);
    if (verdict.kind === "late" && this.stats.missed > 0) this.stats.missed--; // counted missed when it was skipped over
    if (verdict.kind === "gap") {
      this.stats.missed += verdict.missed;
      this.#options.logger.error(`RedisBroker: ${verdict.missed} messages from publisher ${publisher} were trimmed from the stream before this process read them`);
    }
    this.stats.delivered++;
    this.#options.deliver(entry.topic.toString("utf8"), entry.kind === "t" ? entry.data.toString("utf8") : entry.data);
  }

  #drop(counter: "malformed" | "unverified" | "oversized", what: string): void {
    this.#note(counter, `skipped ${what}`);
  }

  /** Counts, and says so the first time of each kind (a flood of bad entries must not flood the log). */
  #note(counter: keyof ReaderStats, line: string): void {
    this.stats[counter]++;
    if (this.#reported.has(counter)) return;
    this.#reported.add(counter);
    (this.#options.logger.warn ?? this.#options.logger.error).call(this.#options.logger, `RedisBroker: ${line} in ${this.#options.streamKey}; counted in stats.${counter}, reported once`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
