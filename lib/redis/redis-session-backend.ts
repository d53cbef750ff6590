/**
 * Sessions in Redis: every process behind a load balancer sees the same ones.
 *
 * @module
 */
import type { Redis } from "ioredis";

import { InvalidOptionError } from "../protocol/errors.js";
import { SessionBackend, type SessionData } from "../session/backend.js";
import { checkConnectionOptions, openConnection, type RedisConnectionOptions } from "./redis-connection.js";

/** Options of {@link RedisSessionBackend}: `url` or `client`, and a key prefix. */
export interface RedisSessionBackendOptions extends RedisConnectionOptions {
  /** Sessions are stored at `<keyPrefix>session:<id>`. Default `"upie:"`. */
  keyPrefix?: string;
}

/**
 * Stores each session as a JSON string with `SET … PX`, so Redis expires it;
 * ttl 0 is `DEL`. A save replaces the whole session in one command: two
 * concurrent saves of one id leave one of them, whole (last writer wins).
 *
 * With `url` it opens (and {@link close} closes) its own connection; a
 * `client` is used as it is and left open.
 *
 * @example
 * ```ts
 * import { RedisSessionBackend } from "upie/redis";
 * const app = new MyApp({ sessionBackend: new RedisSessionBackend({ url: "redis://127.0.0.1:6379" }) });
 * ```
 */
export class RedisSessionBackend extends SessionBackend {
  /** Prefix of every session key. */
  readonly keyPrefix: string;
  readonly #redis: Redis;
  readonly #owned: boolean;

  /**
   * @param options - see {@link RedisSessionBackendOptions}.
   * @throws {@link InvalidOptionError} without exactly one of `url` and `client`, or a non-string prefix.
   */
  constructor(options: RedisSessionBackendOptions) {
    super();
    checkConnectionOptions("RedisSessionBackend", options);
    const { keyPrefix = "upie:" } = options;
    if (typeof keyPrefix !== "string") throw new InvalidOptionError("RedisSessionBackend keyPrefix must be a string");
    this.keyPrefix = `${keyPrefix}session:`;
    this.#owned = options.client === undefined;
    this.#redis = options.client ?? openConnection(options, { connectionName: "upie-sessions" });
  }

  /**
   * @param id - the session id.
   * @returns the stored data, or `undefined` when unknown, expired or not a JSON object.
   */
  override async load(id: string): Promise<SessionData | undefined> {
    const text = await this.#redis.get(this.keyPrefix + id);
    if (text === null) return undefined;
    try {
      const data: unknown = JSON.parse(text);
      return typeof data === "object" && data !== null && !Array.isArray(data) ? (data as SessionData) : undefined;
    } catch {
      return undefined; // someone else's value under our key is not a session
    }
  }

  /**
   * @param id - the session id.
   * @param data - a plain JSON-serialisable object.
   * @param ttlSeconds - lifetime from now; `0` deletes.
   * @throws {@link InvalidOptionError} (as a rejection) for an empty id, a bad ttl or non-object data.
   */
  override async save(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    if (typeof id !== "string" || id.length === 0) throw new InvalidOptionError("session id must be a non-empty string");
    if (typeof ttlSeconds !== "number" || !Number.isFinite(ttlSeconds) || ttlSeconds < 0) {
      throw new InvalidOptionError(`ttlSeconds must be a finite number >= 0, got ${String(ttlSeconds)}`);
    }
    const key = this.keyPrefix + id;
    if (ttlSeconds === 0) {
      await this.#redis.del(key);
      return;
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) throw new InvalidOptionError("session data must be a plain object");
    await this.#redis.set(key, JSON.stringify(data), "PX", Math.max(1, Math.ceil(ttlSeconds * 1000)));
  }

  /** Closes the connection it opened (a `client` passed in is left open). */
  async close(): Promise<void> {
    if (this.#owned && this.#redis.status !== "end") await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
