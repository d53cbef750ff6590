/**
 * One request's view of its session: loads it from the `session_id` cookie,
 * hands the core a plain object for `request.session`, and at the end of the
 * request decides what to save and which `Set-Cookie` to send.
 *
 * The rules (docs/sessions-and-security.md): an id the server did not issue (unknown, expired,
 * forged, malformed) is never adopted; a session, and its cookie, exists only
 * once something is stored; emptying the data logs out. On top of that,
 * {@link SessionState.regenerate} rotates the id at login, so an id planted in
 * a victim's browser before login is worthless after it (session fixation,
 * OWASP Session Management Cheat Sheet, "Renew the Session ID After Any
 * Privilege Level Change").
 *
 * @module
 */

import type { SessionBackend, SessionData } from "./backend.js";
import { SessionCookie } from "./session-cookie.js";
import { newSessionId } from "./session-id.js";

const DEFAULT_COOKIE = new SessionCookie();

/**
 * The session of one request.
 *
 * @example
 * ```ts
 * // in the core, around a handler:
 * const state = await SessionState.load(backend, cookies.session_id, new SessionCookie(ttl, { secret }));
 * request.session = state.data;
 * await handler();
 * const setCookie = await state.commit(request.session);
 * if (setCookie !== undefined) headers["set-cookie"] = setCookie;
 * ```
 */
export class SessionState {
  /** The object handed to the user as `request.session`. */
  data: SessionData;
  readonly #backend: SessionBackend;
  readonly #cookie: SessionCookie;
  #id: string | undefined;
  /** JSON of the data as last loaded or saved: unchanged data is not saved again. */
  #snapshot: string;
  #regenerate = false;

  private constructor(
    backend: SessionBackend,
    cookie: SessionCookie,
    id: string | undefined,
    data: SessionData,
  ) {
    this.#backend = backend;
    this.#cookie = cookie;
    this.#id = id;
    this.data = data;
    this.#snapshot = JSON.stringify(data);
  }

  /**
   * Loads the session a request's cookie points to.
   *
   * @param backend - where sessions live.
   * @param cookieValue - the request's `session_id` cookie, if any (untrusted).
   * @param cookie - the app's session cookie (ttl, signing, `Secure`); default: 14 days, unsigned.
   * @returns the state; its `data` is empty and its `id` undefined unless the
   *   cookie is well-formed, correctly signed (when secrets are given) and known to the backend.
   * @throws whatever the backend's `load` throws.
   */
  static async load(backend: SessionBackend, cookieValue: string | undefined, cookie: SessionCookie = DEFAULT_COOKIE): Promise<SessionState> {
    const id = cookie.read(cookieValue);
    const stored = id === undefined ? undefined : await backend.load(id);
    if (!isSessionObject(stored)) return new SessionState(backend, cookie, undefined, {});
    return new SessionState(backend, cookie, id, stored);
  }

  /** The id of the stored session this request carries, or `undefined` (none yet, or logged out). */
  get id(): string | undefined {
    return this.#id;
  }

  /**
   * Asks for a new session id at {@link SessionState.commit}: the old one is
   * deleted and the data moves to a fresh id. Call it right after a user
   * authenticates, so an id fixed before login is useless after it.
   */
  regenerate(): void {
    this.#regenerate = true;
  }

  /**
   * Saves what changed and says which cookie to send.
   *
   * @param data - `request.session` as it is at the end of the request (the user
   *   may have replaced the object); anything but a plain object counts as empty.
   * @returns a `Set-Cookie` header value, or `undefined` when the cookie need not change.
   * @throws whatever the backend's `save` throws, or `JSON.stringify` for data it cannot
   *   serialise (a cycle, a BigInt).
   */
  async commit(data: SessionData): Promise<string | undefined> {
    const current = isSessionObject(data) ? data : {};
    // Compare and decide on the JSON form, which is what a backend keeps:
    // `{ a: undefined }` is as empty as `{}`.
    const snapshot = JSON.stringify(current);
    const empty = snapshot === "{}";
    const oldId = this.#id;
    const regenerate = this.#regenerate;
    this.data = current;
    this.#regenerate = false;

    if (regenerate && oldId !== undefined) {
      await this.#backend.save(oldId, {}, 0);
      this.#forget(snapshot);
      return empty ? this.#cookie.expire() : this.#store(newSessionId(), current, snapshot);
    }
    if (oldId === undefined) {
      // No session yet: create one only once there is something to keep.
      return empty ? undefined : this.#store(newSessionId(), current, snapshot);
    }
    if (snapshot === this.#snapshot) return undefined;
    if (empty) {
      // Logout: drop the stored session and tell the client to forget the id.
      await this.#backend.save(oldId, {}, 0);
      this.#forget(snapshot);
      return this.#cookie.expire();
    }
    return this.#store(oldId, current, snapshot);
  }

  async #store(id: string, data: SessionData, snapshot: string): Promise<string> {
    // Every save restarts the ttl, and the cookie's Max-Age with it, so the
    // client and the backend forget the session at the same time.
    await this.#backend.save(id, data, this.#cookie.ttlSeconds);
    this.#id = id;
    this.#snapshot = snapshot;
    return this.#cookie.issue(id);
  }

  #forget(snapshot: string): void {
    this.#id = undefined;
    this.#snapshot = snapshot;
  }
}

function isSessionObject(value: unknown): value is SessionData {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
