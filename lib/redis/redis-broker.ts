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

import { InvalidOptionError } from "../protocol/errors.js";
import { stderrLogger, type Logger } from "../protocol/logger.js";
import type { Broker, BrokerSink, PublishedMessage } from "../pubsub/broker.js";
import { PublishBacklog } from "./publish-backlog.js";
import { PublisherSequences } from "./publisher-sequences.js";
import { checkConnectionOptions, openConnection, type RedisConnectionOptions } from "./redis-connection.js";

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
}

const BATCH = 512;
const READ_COUNT = 1000;
const BLOCK_MS = 5000;
// Reconnect and retry at least twice a second: a restarted Redis is noticed within 0.5 s.
const MAX_BACKOFF_MS = 500;
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Publishes with `XADD` to one Redis Stream and reads it with `XREAD BLOCK`
 * on a connection of its own. It opens two connections (from `url`, or
 * duplicated from `client`, which it never closes) and needs {@link close}.
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
  readonly #reader: Redis;
  readonly #backlog: PublishBacklog;
  readonly #sequences = new PublisherSequences();
  #sinks: BrokerSink[] = [];
  #lastId: string | undefined;
  #pumping = false;
  #closing = false;
  #closed: Promise<void> | undefined;
  #readLoop: Promise<void>;
  #resolveReady!: () => void;
  readonly #ready = new Promise<void>((resolve) => (this.#resolveReady = resolve));
  #delivered = 0;
  #duplicates = 0;
  #missed = 0;

  /**
   * @param options - see {@link RedisBrokerOptions}.
   * @throws {@link InvalidOptionError} for a missing connection or a bound that is not a positive integer.
   */
  constructor(options: RedisBrokerOptions) {
    checkConnectionOptions("RedisBroker", options);
    const { keyPrefix = "upie:", retention = 100_000, maxHeldMessages = 10_000, maxHeldBytes = 16 * 1024 * 1024, logger = stderrLogger } = options;
    if (typeof keyPrefix !== "string") throw new InvalidOptionError("RedisBroker keyPrefix must be a string");
    for (const [name, value] of Object.entries({ retention, maxHeldMessages, maxHeldBytes })) {
      if (!Number.isSafeInteger(value) || value < 1) throw new InvalidOptionError(`RedisBroker ${name} must be a positive integer, got ${String(value)}`);
    }
    this.streamKey = `${keyPrefix}broker`;
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
    this.#reader = openConnection(options, { ...settings, connectionName: "upie-broker-reader" });
    this.#reportOutages(this.#writer, "writer");
    this.#reportOutages(this.#reader, "reader");
    this.#readLoop = this.#read();
  }

  /** Counters, for tests and monitoring. */
  get stats(): { delivered: number; duplicates: number; missed: number; held: number; heldBytes: number } {
    return { delivered: this.#delivered, duplicates: this.#duplicates, missed: this.#missed, held: this.#backlog.length, heldBytes: this.#backlog.bytes };
  }

  /**
   * Resolves once the broker reads the stream: messages published anywhere
   * from then on reach this process. Await it before serving (a startup handler).
   */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Takes `message` for every process: held in order, written to Redis as soon as it can be.
   *
   * @param topic - the topic.
   * @param message - text or bytes (the bytes are copied).
   * @returns resolves once held (not once written: see {@link flush}).
   * @throws {@link BacklogFullError} (as a rejection) when Redis has been away and the backlog is full;
   *   `Error` after {@link close}.
   */
  publish(topic: string, message: PublishedMessage): Promise<void> {
    if (this.#closing) return Promise.reject(new Error("RedisBroker is closed"));
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
      this.#backlog.abandon(new Error("RedisBroker closed before Redis took the message"));
    }
    this.#reader.disconnect();
    this.#writer.disconnect();
    this.#resolveReady();
    // A connection closed while it waits to reconnect may leave its pending
    // XREAD unsettled (ioredis flushes queues on a socket close that then never
    // comes): wait for the loop briefly, never forever.
    await Promise.race([this.#readLoop, sleep(1000)]);
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
        for (const m of batch) {
          const kind = typeof m.payload === "string" ? "t" : "b";
          pipeline.xadd(this.streamKey, "MAXLEN", "~", this.#retention, "*", "p", this.publisherId, "s", m.sequence, "t", m.topic, "k", kind, "d", m.payload as string | Buffer);
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

  async #read(): Promise<void> {
    let failures = 0;
    while (!this.#closing) {
      try {
        if (this.#lastId === undefined) {
          // Start after the newest entry: history before this process started is not replayed.
          const newest = await this.#reader.xrevrange(this.streamKey, "+", "-", "COUNT", 1);
          this.#lastId = newest[0]?.[0] ?? "0-0";
          this.#resolveReady();
        }
        const reply = await this.#reader.xreadBuffer("COUNT", READ_COUNT, "BLOCK", BLOCK_MS, "STREAMS", this.streamKey, this.#lastId);
        failures = 0;
        if (reply === null) continue;
        for (const [, entries] of reply) {
          for (const [id, fields] of entries) {
            this.#lastId = id.toString();
            this.#handle(fields);
          }
        }
      } catch (error) {
        if (this.#closing) break;
        if (failures++ === 0) this.#logger.error("RedisBroker: reading the stream failed, retrying", error);
        await sleep(Math.min(50 * failures, MAX_BACKOFF_MS));
      }
    }
  }

  #handle(fields: Buffer[]): void {
    let publisher = "";
    let sequence = 0;
    let topic = "";
    let kind = "";
    let data: Buffer | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i]!.toString("latin1");
      const value = fields[i + 1]!;
      if (name === "d") data = value;
      else if (name === "p") publisher = value.toString("latin1");
      else if (name === "s") sequence = Number(value.toString("latin1"));
      else if (name === "t") topic = value.toString("utf8");
      else if (name === "k") kind = value.toString("latin1");
    }
    // Someone else's entry in our key: not ours to deliver.
    if (data === undefined || publisher === "" || !Number.isSafeInteger(sequence) || topic === "" || (kind !== "t" && kind !== "b")) return;
    const verdict = this.#sequences.check(publisher, sequence);
    if (verdict.kind === "duplicate") {
      this.#duplicates++;
      return;
    }
    if (verdict.kind === "gap") {
      this.#missed += verdict.missed;
      this.#logger.error(`RedisBroker: ${verdict.missed} messages from publisher ${publisher} were trimmed from the stream before this process read them`);
    }
    this.#delivered++;
    const message: PublishedMessage = kind === "t" ? data.toString("utf8") : data;
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i]!.deliver(topic, message);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
