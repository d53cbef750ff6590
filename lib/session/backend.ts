/**
 * The storage seam for sessions: anything that can load and save a small
 * JSON-shaped object by id (memory, Redis, a database table) can back them.
 *
 * @module
 */

/** What a session holds: a plain, JSON-serialisable object (`request.session`). */
export type SessionData = Record<string, unknown>;

/**
 * Where sessions live. Extend it or `implements` it; upie only calls
 * {@link SessionBackend.load} and {@link SessionBackend.save}.
 *
 * Ids reaching a backend are always well-formed (43 base64url characters):
 * junk from a cookie is rejected before a backend is asked.
 *
 * It is an abstract class rather than an interface so that it exists at
 * runtime (`import { SessionBackend } from "upie"` works as a value) while
 * `class X implements SessionBackend` still type-checks structurally.
 *
 * @example
 * ```ts
 * class RedisBackend extends SessionBackend {
 *   constructor(private redis: Redis) { super(); }
 *   async load(id: string) {
 *     const text = await this.redis.get(`session:${id}`);
 *     return text === null ? undefined : JSON.parse(text);
 *   }
 *   async save(id: string, data: SessionData, ttlSeconds: number) {
 *     if (ttlSeconds === 0) await this.redis.del(`session:${id}`);
 *     else await this.redis.set(`session:${id}`, JSON.stringify(data), "EX", ttlSeconds);
 *   }
 * }
 * ```
 */
export abstract class SessionBackend {
  /**
   * Reads a session.
   *
   * @param id - a well-formed session id.
   * @returns a copy of the stored data, or `undefined` when the id is unknown or expired.
   */
  abstract load(id: string): Promise<SessionData | undefined>;

  /**
   * Stores a session, replacing what the id held, and (re)starts its expiry.
   *
   * @param id - a well-formed session id.
   * @param data - the whole session; store a copy, not the object itself.
   * @param ttlSeconds - seconds until the session expires; `0` deletes it.
   */
  abstract save(id: string, data: SessionData, ttlSeconds: number): Promise<void>;
}

/**
 * Duck-types a session backend, so objects that only `implements`
 * {@link SessionBackend} (and are therefore not `instanceof` it) are accepted.
 *
 * @param value - e.g. the `sessionBackend` option.
 * @returns whether `value` has callable `load` and `save` methods.
 */
export function isSessionBackend(value: unknown): value is SessionBackend {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<Record<"load" | "save", unknown>>;
  return typeof candidate.load === "function" && typeof candidate.save === "function";
}
