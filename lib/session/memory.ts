/**
 * The default session backend: a bounded, expiring map in this process.
 *
 * Good for development, tests and single-process deployments. Sessions are
 * lost on restart and not shared between processes; use a networked backend
 * (Redis, a database) behind a load balancer.
 *
 * @module
 */

import { InvalidOptionError } from "../protocol/errors.js";
import { SessionBackend, type SessionData } from "./backend.js";

/** Options of {@link InMemorySessionBackend}. */
export interface InMemorySessionBackendOptions {
  /**
   * Most sessions held at once. Beyond it the least recently used session
   * that no later request has loaded yet is evicted; sessions clients came
   * back with go only when there is no such session left. Default 10 000.
   */
  maxSessions?: number;
  /** Clock in milliseconds, for tests. Default `Date.now`. */
  now?: () => number;
}

interface Entry {
  /** The data as JSON: a copy the caller cannot mutate afterwards. */
  json: string;
  /** Clock time (ms) from which the entry reads as absent. */
  expiresAt: number;
}

const DEFAULT_MAX_SESSIONS = 10_000;
// Expired entries are swept at most this often, from inside save(): no timer,
// so nothing keeps the process alive and nothing needs closing.
const SWEEP_INTERVAL_MS = 60_000;

/**
 * Keeps sessions in memory, with per-session expiry and a size bound.
 *
 * Data is stored as JSON, the same round trip a networked backend makes, so
 * what works here (no `Date`, `Map` or class instances surviving as such)
 * also works in production.
 *
 * @example
 * ```ts
 * const app = new MyApp({ sessionBackend: new InMemorySessionBackend({ maxSessions: 50_000 }) });
 * ```
 */
export class InMemorySessionBackend extends SessionBackend {
  // Two LRU segments (a segmented LRU). A session starts in #fresh when it is
  // first saved and moves to #inUse the first time a later request loads it.
  // Eviction empties #fresh first, so a flood of sessions created once and
  // never come back to (anonymous visitors, a script) only evicts its own
  // kind: a session in use is never evicted while a fresh one is held
  // (issue 10: 10,400 anonymous requests logged out a user of a
  // 10,000-entry store). A Map iterates in insertion order; re-inserting on
  // every access keeps the least recently used first, so eviction is O(1).
  readonly #fresh = new Map<string, Entry>();
  readonly #inUse = new Map<string, Entry>();
  readonly #maxSessions: number;
  readonly #now: () => number;
  #nextSweep: number;

  /**
   * @param options - see {@link InMemorySessionBackendOptions}.
   * @throws {@link InvalidOptionError} when `maxSessions` is not a positive integer
   *   or `now` is not a function.
   */
  constructor(options: InMemorySessionBackendOptions = {}) {
    super();
    if (typeof options !== "object" || options === null) {
      throw new InvalidOptionError("InMemorySessionBackend options must be an object");
    }
    const { maxSessions = DEFAULT_MAX_SESSIONS, now = Date.now } = options;
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) {
      throw new InvalidOptionError(`maxSessions must be a positive integer, got ${String(maxSessions)}`);
    }
    if (typeof now !== "function") throw new InvalidOptionError("now must be a function returning milliseconds");
    this.#maxSessions = maxSessions;
    this.#now = now;
    this.#nextSweep = now() + SWEEP_INTERVAL_MS;
  }

  /** Sessions currently held, including expired ones not swept yet. */
  get size(): number {
    return this.#fresh.size + this.#inUse.size;
  }

  /**
   * @param id - the session id.
   * @returns a fresh copy of the data, or `undefined` when unknown or expired.
   */
  override async load(id: string): Promise<SessionData | undefined> {
    const entry = this.#inUse.get(id) ?? this.#fresh.get(id);
    if (entry === undefined) return undefined;
    this.#forget(id);
    if (entry.expiresAt <= this.#now()) return undefined;
    // Loaded by a request after the one that created it: a client came back with the cookie.
    this.#inUse.set(id, entry);
    return JSON.parse(entry.json) as SessionData;
  }

  /**
   * @param id - the session id.
   * @param data - a plain JSON-serialisable object; a copy is stored.
   * @param ttlSeconds - lifetime from now, `0` deletes.
   * @throws {@link InvalidOptionError} (as a rejection) for a non-string id, a
   *   negative or non-finite ttl, or data that is not a plain object.
   */
  override async save(id: string, data: SessionData, ttlSeconds: number): Promise<void> {
    if (typeof id !== "string" || id.length === 0) throw new InvalidOptionError("session id must be a non-empty string");
    if (typeof ttlSeconds !== "number" || !Number.isFinite(ttlSeconds) || ttlSeconds < 0) {
      throw new InvalidOptionError(`ttlSeconds must be a finite number >= 0, got ${String(ttlSeconds)}`);
    }
    if (ttlSeconds === 0) {
      this.#forget(id);
      return;
    }
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new InvalidOptionError("session data must be a plain object");
    }
    // Serialise before touching the map, so data that cannot be stored
    // (a cycle, a BigInt) leaves the backend as it was.
    const json = JSON.stringify(data);
    // Re-inserted below, at the most-recently-used end of its segment.
    const segment = this.#inUse.has(id) ? this.#inUse : this.#fresh;
    this.#forget(id);
    const now = this.#now();
    if (now >= this.#nextSweep) this.#sweep(now);
    // Evicting the LRU entry is O(1); sweeping for expired ones here instead
    // would make every save O(n) once a flood of sessions fills the map.
    while (this.size >= this.#maxSessions) {
      const victims = this.#fresh.size > 0 ? this.#fresh : this.#inUse;
      victims.delete(victims.keys().next().value as string);
    }
    segment.set(id, { json, expiresAt: now + ttlSeconds * 1000 });
  }

  #forget(id: string): void {
    if (!this.#inUse.delete(id)) this.#fresh.delete(id);
  }

  #sweep(now: number): void {
    this.#nextSweep = now + SWEEP_INTERVAL_MS;
    for (const segment of [this.#fresh, this.#inUse]) {
      for (const [id, entry] of segment) {
        if (entry.expiresAt <= now) segment.delete(id);
      }
    }
  }
}
