/**
 * A {@link Broker} over a Redis Stream: `app.publish` reaches every process
 * that shares the Redis, and survives Redis going away for a while.
 *
 * Why one shared stream and not one per topic: a process has to follow
 * every topic its sockets subscribe to, and apps like the private chat use
 * one topic per user. `XREAD` over thousands of streams (one id each, on
 * every call) costs more than reading one stream and dropping the entries no
 * local socket wants, which the sink does with one map lookup. So
 * `topicAdded`/`topicRemoved` are not needed; the price is that every process
 * reads every message (fine up to the throughput of one Redis stream).
 *
 * What is guaranteed, and what can still be lost:
 * - Per publisher, messages arrive in publish order with no duplicates:
 *   each carries the publisher's id and a sequence number, a retried `XADD`
 *   whose acknowledgement was lost is skipped by readers.
 * - Anyone who can write to the stream can add entries. With a secret (the
 *   app's `secret`, or the `secret` option) every entry is signed and readers
 *   drop, and count, what does not verify; without one, a forged entry is
 *   delivered like a real one. Either way no entry, malformed or forged,
 *   stops the delivery of the genuine entries after it.
 * - Bounded: `publish` refuses a message over `maxMessageBytes`; one read
 *   brings in at most `maxReadBytes` (readers skip bigger entries).
 * - Redis unreachable: publishes are held (bounded by `maxHeldMessages` and
 *   `maxHeldBytes`; past them `publish` rejects with {@link BacklogFullError})
 *   and written in order when it is back. A reader whose connection was cut
 *   reads on from the last entry id it saw.
 * - Lost: entries trimmed by `MAXLEN ~ retention` before a process read
 *   them (a process cut off while more than `retention` messages were
 *   published; a gap is logged); entries Redis acknowledged but did not
 *   persist before it died (no AOF, or `appendfsync everysec`: up to a second);
 *   everything unsent in a process that dies (its held messages live in its
 *   memory); messages published before a process started reading (no history).
 *
 * @module
 */
import { randomBytes } from "node:crypto";

import type { Redis } from "ioredis";

import { normalizeSecrets } from "../cookies/signing.js";
import { InvalidOptionError, InvalidStateError } from "../protocol/errors.js";
import { stderrLogger, type Logger } from "../protocol/logger.js";
import type { Broker, BrokerSink, PublishedMessage } from "../pubsub/broker.js";
import { MessageTooLargeError } from "./message-too-large-error.js";
import { PublishBacklog } from "./publish-backlog.js";
import { checkConnectionOptions, openConnection, type RedisConnectionOptions } from "./redis-connection.js";
import { EntrySigner } from "./stream-entry.js";
import { StreamReader, type ReaderStats } from "./stream-reader.js";

/** Options of {@link RedisBroker}: `url` or `client`, and the rest optional. */
export interface RedisBrokerOptions extends RedisConnectionOptions {
  /** Prefix of the broker's key; the stream is `<keyPrefix>broker`. Default `"upie:"`. */
  keyPrefix?: string;
  /** Stream entries Redis keeps (`XADD MAXLEN ~`): how far a cut-off process can catch up. Default 100 000. */
  retention?: number;
  /** Messages held while Redis is unreachable before `publish` rejects. Default 10 000. */
  maxHeldMessages?: number;
  /** Payload bytes held while Redis is unreachable before `publish` rejects. Default 16 MiB. */
  maxHeldBytes?: number;
  /** Where connection trouble and gaps are reported. Default: stderr. */
  logger?: Logger;
  /**
   * Signs every entry (HMAC-SHA256) and drops, counting them in
   * `stats.unverified`, entries that do not verify; a list rotates (the first
   * signs, any verifies). Default: the `secret` of the app the broker is given
   * to, if it has one. Every process on the stream needs the same one. `false`
   * writes and reads unsigned entries whatever the app's secret (e.g. while
   * processes of an older upie still write to the stream).
   */
  secret?: string | readonly string[] | false;
  /** Largest message, with its topic, in bytes: `publish` rejects bigger ones with {@link MessageTooLargeError}, readers skip them. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Most bytes one read of the stream brings in (at least `maxMessageBytes`). Default 16 MiB. */
  maxReadBytes?: number;
}

const BATCH = 512;
const READ_COUNT = 1000;
/** Room for the fields around the payload and topic: names, publisher id, sequence, kind, signature. */
const ENTRY_OVERHEAD = 256;
// Reconnect and retry at least twice a second: a restarted Redis is noticed within 0.5 s.
const MAX_BACKOFF_MS = 500;
const CLOSE_TIMEOUT_MS = 5000;
const MiB = 1024 * 1024;

/**
 * Publishes with `XADD` to one Redis Stream and reads it, in reads bounded
 * by `maxReadBytes` (see {@link StreamReader}), on a connection of its own.
 * It opens two connections (from `url`, or duplicated from `client`, which
 * it never closes) and needs {@link close}.
 *
 * @example
 * ```ts
 * import { RedisBroker } from "upie/redis";
 * const broker = new RedisBroker({ url: process.env.REDIS_URL! });
 * const app = new MyApp({ websocket: { broker } });
 * app.startupHandlers.push(() => broker.ready());
 * app.shutdownHandlers.push(() => broker.close());
 * ```
 */
export class RedisBroker implements Broker {
  /** This broker's publisher id, random per instance. */
  readonly publisherId = randomBytes(9).toString("base64url");
  /** The stream's key. */
  readonly streamKey: string;
  readonly #retention: number;
  readonly #logger: Logger;
  readonly #writer: Redis;
  readonly #readerConnection: Redis;
  readonly #backlog: PublishBacklog;
  readonly #reader: StreamReader;
  readonly #maxMessageBytes: number;
  /** The `secret` option was given (a secret, or `false`): the app's secret does not replace it. */
  readonly #ownSecret: boolean;
  #signer: EntrySigner | undefined;
  #sinks: BrokerSink[] = [];
  #pumping = false;
  #closing = false;
  #closed: Promise<void> | undefined;

  /**
   * @param options - see {@link RedisBrokerOptions}.
   * @throws {@link InvalidOptionError} for a missing connection or a bound that is not a positive integer.
   */
  constructor(options: RedisBrokerOptions) {
    checkConnectionOptions("RedisBroker", options);
    const { keyPrefix = "upie:", retention = 100_000, maxHeldMessages = 10_000, maxHeldBytes = 16 * MiB, logger = stderrLogger } = options;
    const { maxMessageBytes = MiB, maxReadBytes = Math.max(16 * MiB, maxMessageBytes + ENTRY_OVERHEAD) } = options;
    if (typeof keyPrefix !== "string") throw new InvalidOptionError("RedisBroker keyPrefix must be a string");
    for (const [name, value] of Object.entries({ retention, maxHeldMessages, maxHeldBytes, maxMessageBytes, maxReadBytes })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new InvalidOptionError(`RedisBroker ${name} must be a positive integer, got ${String(value)}`);
    }
    if (maxReadBytes < maxMessageBytes + ENTRY_OVERHEAD) {
      throw new InvalidOptionError(`RedisBroker maxReadBytes must hold one message: at least maxMessageBytes + ${ENTRY_OVERHEAD}`);
    }
    this.streamKey = `${keyPrefix}broker`;
    this.#maxMessageBytes = maxMessageBytes;
    this.#ownSecret = options.secret !== undefined;
    if (options.secret !== undefined && options.secret !== false) this.#signer = new EntrySigner(normalizeSecrets(options.secret), this.streamKey);
    this.#retention = retention;
    this.#logger = logger;
    this.#backlog = new PublishBacklog(maxHeldMessages, maxHeldBytes);
    // Both connections wait for Redis instead of failing commands: the
    // offline queue holds at most one batch (the backlog holds the rest, bounded),
    // and a command cut off mid-flight (a blocked XREAD, an XADD whose reply was
    // lost) is sent again on reconnect; sequence numbers make a repeat harmless.
    const settings = {
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
      autoResendUnfulfilledCommands: true,
      retryStrategy: (times: number) => Math.min(times * 50, MAX_BACKOFF_MS),
    };
    this.#writer = openConnection(options, { ...settings, connectionName: "upie-broker-writer" });
    const reader = openConnection(options, { ...settings, connectionName: "upie-broker-reader" });
    this.#readerConnection = reader;
    this.#reportOutages(this.#writer, "writer");
    this.#reportOutages(reader, "reader");
    this.#reader = new StreamReader(reader, {
      streamKey: this.streamKey,
      limits: { count: READ_COUNT, budget: maxReadBytes, largestEntry: maxMessageBytes + ENTRY_OVERHEAD },
      logger,
      deliver: (topic, message) => {
        const sinks = this.#sinks;
        for (let i = 0; i < sinks.length; i++) sinks[i]!.deliver(topic, message);
      },
    });
    this.#reader.signer = this.#signer;
  }

  /**
   * Counters, for tests and monitoring: what was read (see {@link ReaderStats}:
   * delivered, and skipped as duplicate, malformed, unverified or oversized),
   * and what is held for Redis.
   */
  get stats(): ReaderStats & { held: number; heldBytes: number } {
    return { ...this.#reader.stats, held: this.#backlog.length, heldBytes: this.#backlog.bytes };
  }

  /** True when entries are signed and checked (a `secret` option, or the app's). */
  get signed(): boolean {
    return this.#signer !== undefined;
  }

  /**
   * Starts reading the stream (reading starts with the first call of this or
   * of {@link attach}, so that the app's `secret` is known by then) and
   * resolves once it reads: messages published anywhere from then on reach
   * this process. Await it before serving (a startup handler).
   */
  ready(): Promise<void> {
    return this.#closing ? Promise.resolve() : this.#reader.start();
  }

  /**
   * The app's `secret`, from the app this broker is given to: entries are
   * signed and checked with it, unless the `secret` option was given.
   *
   * @param secrets - the app's secrets, normalised (the first signs).
   */
  useSecrets(secrets: readonly string[]): void {
    if (this.#ownSecret) return;
    this.#signer = new EntrySigner(secrets, this.streamKey);
    this.#reader.signer = this.#signer;
  }

  /**
   * Takes `message` for every process: held in order, written to Redis as soon as it can be.
   *
   * @param topic - the topic.
   * @param message - text or bytes (the bytes are copied).
   * @returns resolves once held (not once written: see {@link flush}).
   * @throws {@link BacklogFullError} (as a rejection) when Redis has been away and the backlog is full;
   *   {@link MessageTooLargeError} over `maxMessageBytes`; `Error` after {@link close}.
   */
  publish(topic: string, message: PublishedMessage): Promise<void> {
    if (this.#closing) return Promise.reject(new InvalidStateError("RedisBroker is closed"));
    const bytes = Buffer.byteLength(topic) + (typeof message === "string" ? Buffer.byteLength(message) : message.byteLength);
    if (bytes > this.#maxMessageBytes) return Promise.reject(new MessageTooLargeError(bytes, this.#maxMessageBytes));
    try {
      this.#backlog.push(topic, typeof message === "string" ? message : Buffer.from(message));
    } catch (error) {
      return Promise.reject(error);
    }
    if (!this.#pumping) void this.#pump();
    return Promise.resolve();
  }

  /** Resolves once every message published so far is in Redis. */
  flush(): Promise<void> {
    return this.#backlog.drained();
  }

  /**
   * Starts delivering what the stream carries to `sink`.
   *
   * @returns a function that stops it.
   */
  attach(sink: BrokerSink): () => void {
    this.#sinks = [...this.#sinks, sink];
    void this.ready();
    return () => {
      this.#sinks = this.#sinks.filter((s) => s !== sink);
    };
  }

  /**
   * Sends what is held (waiting up to 5 s for Redis), stops reading and
   * closes the broker's connections. Idempotent.
   *
   * @returns resolves once closed; messages still held then are reported to the logger as lost.
   */
  close(): Promise<void> {
    return (this.#closed ??= this.#close());
  }

  async #close(): Promise<void> {
    this.#closing = true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS, "timeout")));
    const outcome = await Promise.race([this.#backlog.drained().then(() => "sent" as const), timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.#logger.error(`RedisBroker closed with ${this.#backlog.length} messages Redis never took`);
      this.#backlog.abandon(new InvalidStateError("RedisBroker closed before Redis took the message"));
    }
    const stopped = this.#reader.stop(1000);
    this.#readerConnection.disconnect();
    this.#writer.disconnect();
    // A connection closed while it waits to reconnect may leave its pending
    // XREAD unsettled (ioredis flushes queues on a socket close that then never
    // comes): the reader waits for its loop briefly, never forever.
    await stopped;
  }

  /** One line when a connection is lost, one when it is back: commands wait meanwhile, so nothing else would say. */
  #reportOutages(connection: Redis, role: string): void {
    let down = false;
    connection.on("error", (error: unknown) => {
      if (down || this.#closing) return;
      down = true;
      this.#logger.error(`RedisBroker: ${role} connection lost; ${role === "writer" ? "holding publishes" : "will catch up from the last id seen"}`, error);
    });
    connection.on("ready", () => {
      if (!down) return;
      down = false;
      (this.#logger.warn ?? this.#logger.error).call(this.#logger, `RedisBroker: ${role} connection back`);
    });
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    let failures = 0;
    try {
      while (this.#backlog.length > 0) {
        const batch = this.#backlog.peek(BATCH);
        const pipeline = this.#writer.pipeline();
        const signer = this.#signer;
        for (const m of batch) {
          const kind = typeof m.payload === "string" ? "t" : "b";
          const fields: Array<string | number | Buffer> = ["p", this.publisherId, "s", m.sequence, "t", m.topic, "k", kind, "d", m.payload as string | Buffer];
          if (signer !== undefined) fields.push("h", signer.sign({ publisher: this.publisherId, sequence: m.sequence, topic: m.topic, kind, data: m.payload }));
          pipeline.xadd(this.streamKey, "MAXLEN", "~", this.#retention, "*", ...fields);
        }
        let written = 0;
        let failure: unknown;
        try {
          for (const [error] of (await pipeline.exec()) ?? []) {
            if (error !== null) {
              failure = error;
              break;
            }
            written++;
          }
        } catch (error) {
          failure = error;
        }
        this.#backlog.acknowledge(written);
        if (failure === undefined) {
          failures = 0;
          continue;
        }
        if (this.#closing && this.#writer.status === "end") return;
        if (failures++ === 0) this.#logger.error(`RedisBroker: XADD failed, ${this.#backlog.length} messages held, retrying`, failure);
        await sleep(Math.min(50 * failures, MAX_BACKOFF_MS));
      }
    } finally {
      this.#pumping = false;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
