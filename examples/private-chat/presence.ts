/**
 * Who is online, across every process that serves the chat: the
 * {@link Presence} interface and {@link LocalPresence}, the one-process default.
 *
 * The chat calls {@link Presence.join} when a user's first socket opens in
 * this process and {@link Presence.leave} when their last one here closes;
 * a shared implementation ({@link RedisPresence}) combines every process's view.
 *
 * @module
 */

/** Presence shared by the processes of one chat. */
export interface Presence {
  /** A user now has a socket in this process; true when they were offline everywhere. */
  join(username: string): Promise<boolean>;
  /** A user has no socket left in this process; true when they are now offline everywhere. */
  leave(username: string): Promise<boolean>;
  /** Whether the user has a socket in any process. */
  isOnline(username: string): Promise<boolean>;
  /** Every user with a socket in any process, sorted. */
  online(): Promise<string[]>;
  /** Stops timers and connections (this process's users are left as they expire). */
  close(): Promise<void>;
}

/** Presence within one process: a set of names. */
export class LocalPresence implements Presence {
  readonly #online = new Set<string>();

  async join(username: string): Promise<boolean> {
    const first = !this.#online.has(username);
    this.#online.add(username);
    return first;
  }

  async leave(username: string): Promise<boolean> {
    return this.#online.delete(username);
  }

  async isOnline(username: string): Promise<boolean> {
    return this.#online.has(username);
  }

  async online(): Promise<string[]> {
    return [...this.#online].sort();
  }

  async close(): Promise<void> {}
}
