/**
 * Presence shared through Redis, so two users on two processes see each
 * other online.
 *
 * Per user, a sorted set `<prefix>presence:<user>` holds the ids of the
 * processes where they have a socket, scored by when that claim expires;
 * `<prefix>online` holds every user with the latest expiry of any claim.
 * Each process renews its claims every `ttlMs / 3`, so a process that dies
 * without saying goodbye stops counting after at most `ttlMs`. Scripts read
 * the clock with Redis `TIME`, so machines with skewed clocks agree.
 *
 * @module
 */
import { randomBytes } from "node:crypto";

import { Redis } from "ioredis";

import type { Presence } from "./presence.js";

/** Options for {@link RedisPresence}. */
export interface RedisPresenceOptions {
  /** Key prefix. Default `"chat:"`. */
  keyPrefix?: string;
  /** How long a process's claim lasts without renewal. Default 30 s. */
  ttlMs?: number;
}

// KEYS: presence:<user>, online. ARGV: process id, ttl ms, user. Returns 1 when the user was offline everywhere.
const JOIN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local before = redis.call('ZCARD', KEYS[1])
local expires = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'GT', expires, ARGV[3])
if before == 0 then return 1 end
return 0`;

// KEYS: presence:<user>, online. ARGV: process id, user. Returns 1 when the user is now offline everywhere.
const LEAVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[2], ARGV[2])
  return 1
end
return 0`;

// KEYS: presence:<user>. Returns how many processes hold a live claim.
const COUNT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], now + 1, '+inf')`;

// KEYS: online. Drops expired users, returns the rest.
const ONLINE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZRANGE', KEYS[1], 0, -1)`;

/**
 * {@link Presence} in Redis.
 *
 * @example
 * ```ts
 * const presence = new RedisPresence(process.env.REDIS_URL!);
 * const app = new PrivateChatApp({ presence, websocket: { broker } });
 * ```
 */
export class RedisPresence implements Presence {
  /** This process's id in the presence sets. */
  readonly processId = randomBytes(9).toString("base64url");
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  /** Users with a socket in this process: the claims to renew. */
  readonly #mine = new Set<string>();
  readonly #timer: NodeJS.Timeout;

  /**
   * @param url - `redis://…`.
   * @param options - see {@link RedisPresenceOptions}.
   */
  constructor(url: string, options: RedisPresenceOptions = {}) {
    const { keyPrefix = "chat:", ttlMs = 30_000 } = options;
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1000) throw new RangeError("ttlMs must be a whole number >= 1000");
    this.#prefix = keyPrefix;
    this.#ttlMs = ttlMs;
    this.#redis = new Redis(url, { connectionName: "chat-presence" });
    this.#redis.on("error", () => {}); // commands reject and callers see it; no unhandled events
    this.#timer = setInterval(() => void this.#renew(), Math.floor(ttlMs / 3)).unref();
  }

  async join(username: string): Promise<boolean> {
    this.#mine.add(username);
    return (await this.#redis.eval(JOIN, 2, this.#key(username), `${this.#prefix}online`, this.processId, this.#ttlMs, username)) === 1;
  }

  async leave(username: string): Promise<boolean> {
    this.#mine.delete(username);
    return (await this.#redis.eval(LEAVE, 2, this.#key(username), `${this.#prefix}online`, this.processId, username)) === 1;
  }

  async isOnline(username: string): Promise<boolean> {
    return ((await this.#redis.eval(COUNT, 1, this.#key(username))) as number) > 0;
  }

  async online(): Promise<string[]> {
    return ((await this.#redis.eval(ONLINE, 1, `${this.#prefix}online`)) as string[]).sort();
  }

  /** Withdraws this process's claims and closes the connection. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    const goodbye = (async () => {
      for (const username of [...this.#mine]) await this.leave(username);
      await this.#redis.quit();
    })();
    const timeout = new Promise((resolve) => setTimeout(resolve, 2000).unref());
    // Redis away: give up after 2 s; the claims expire on their own.
    await Promise.race([goodbye.catch(() => {}), timeout]);
    this.#redis.disconnect();
  }

  #key(username: string): string {
    return `${this.#prefix}presence:${username}`;
  }

  async #renew(): Promise<void> {
    try {
      for (const username of this.#mine) {
        await this.#redis.eval(JOIN, 2, this.#key(username), `${this.#prefix}online`, this.processId, this.#ttlMs, username);
      }
    } catch {
      // Redis is away; the next round tries again, and claims are ttlMs long.
    }
  }
}
