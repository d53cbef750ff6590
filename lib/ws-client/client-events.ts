/**
 * The events a {@link WSClient} reports, and the small emitter behind
 * `client.on(...)` (no `EventTarget` subclassing: it must work the same in
 * Node and browsers, with typed payloads).
 *
 * @module
 */

/** Event names and their payloads. */
export interface ClientEventMap {
  /** Open, and `onConnect` has run. `connection`: 1 for the first connection, then counts up. */
  connect: { url: string; connection: number };
  /** An open connection ended (not emitted for failed attempts). */
  disconnect: { code: number; reason: string; connection: number };
  /** The next attempt starts in `delayMs` (`attempt` counts failures since the last healthy connection). */
  reconnecting: { attempt: number; delayMs: number; error?: Error };
  /** `close()` finished: no more connections. */
  close: { code: number; reason: string };
}

/** A listener for event `K`. */
export type ClientListener<K extends keyof ClientEventMap> = (event: ClientEventMap[K]) => void;

/** A tiny typed emitter; a throwing listener is reported to `onError` and the others still run. */
export class ClientEvents {
  readonly #listeners = new Map<keyof ClientEventMap, Set<(event: never) => void>>();
  readonly #onError: (error: unknown) => void;

  constructor(onError: (error: unknown) => void) {
    this.#onError = onError;
  }

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof ClientEventMap>(name: K, listener: ClientListener<K>): () => void {
    let set = this.#listeners.get(name);
    if (set === undefined) this.#listeners.set(name, (set = new Set()));
    set.add(listener as (event: never) => void);
    return () => this.off(name, listener);
  }

  off<K extends keyof ClientEventMap>(name: K, listener: ClientListener<K>): void {
    this.#listeners.get(name)?.delete(listener as (event: never) => void);
  }

  emit<K extends keyof ClientEventMap>(name: K, event: ClientEventMap[K]): void {
    for (const listener of this.#listeners.get(name) ?? []) {
      try {
        (listener as ClientListener<K>)(event);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}
