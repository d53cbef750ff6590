/**
 * Who is connected to this process: each user's open sockets
 * ({@link ChatConnection}) and the registry of them ({@link ChatHub}).
 * Fan-out does not happen here: packets for a user are published on their
 * topic ({@link userTopic}), which every socket of theirs, in any process,
 * subscribes to.
 *
 * @module
 */
import type { MessageRate, WebSocket } from "upie";

/** What a connection needs from a socket: a part of upie's `WebSocket`. */
export type PacketSocket = Pick<WebSocket, "sendText" | "close" | "subscribe">;

/** The topic every socket of `username` subscribes to: packets for them are published there. */
export function userTopic(username: string): string {
  return `chat:user:${username}`;
}

/** The topic every socket subscribes to (`users-changed`). */
export const EVERYONE_TOPIC = "chat:everyone";

/**
 * The default per-socket packet budget, 20 a second in bursts of 40: far
 * above what a person types. The app passes it as upie's
 * `websocket.messageRate`, so a socket over it is closed with 1008.
 */
export const DEFAULT_PACKET_RATE: Readonly<MessageRate> = Object.freeze({ perSecond: 20, burst: 40 });

/**
 * One open socket of one user. Packets are sent without waiting: upie keeps
 * them in order and bounds what a slow reader may pile up
 * (`websocket.maxSubscriberBackpressure`, then 1013), so a slow reader never
 * stalls the sender of a message.
 */
export class ChatConnection {
  readonly username: string;
  /** The session id the socket was opened with (compared with `session_key`). */
  readonly sessionKey: string;
  readonly #socket: PacketSocket;

  constructor(socket: PacketSocket, username: string, sessionKey: string) {
    this.#socket = socket;
    this.username = username;
    this.sessionKey = sessionKey;
  }

  /** Sends one serialised packet to this socket; after close it goes nowhere. */
  sendRaw(text: string): void {
    void this.#socket.sendText(text);
  }

  /** Sends one packet to this socket. */
  send(packet: object): void {
    this.sendRaw(JSON.stringify(packet));
  }

  /** Subscribes the socket to what is published for its user and for everyone. */
  subscribe(): void {
    void this.#socket.subscribe(userTopic(this.username));
    void this.#socket.subscribe(EVERYONE_TOPIC);
  }

  /** Closes the socket (idempotent, as upie's `close` is). */
  close(code = 1000, reason = ""): void {
    void this.#socket.close(code, reason);
  }
}

/**
 * This process's open connections by user.
 *
 * @example
 * ```ts
 * const hub = new ChatHub();
 * const first = hub.add(connection);  // true: the user's first socket here
 * hub.closeSession(sessionKey, 4001, "logged out");
 * ```
 */
export class ChatHub {
  readonly #byUser = new Map<string, Set<ChatConnection>>();

  /** Registers an open connection; true when it is the user's first (they came online). */
  add(connection: ChatConnection): boolean {
    let set = this.#byUser.get(connection.username);
    const first = set === undefined;
    if (set === undefined) this.#byUser.set(connection.username, (set = new Set()));
    set.add(connection);
    return first;
  }

  /** Forgets a connection; true when it was the user's last (they went offline). */
  remove(connection: ChatConnection): boolean {
    const set = this.#byUser.get(connection.username);
    if (set === undefined || !set.delete(connection)) return false;
    if (set.size > 0) return false;
    this.#byUser.delete(connection.username);
    return true;
  }

  isOnline(username: string): boolean {
    return this.#byUser.has(username);
  }

  /** Usernames with at least one open socket here. */
  onlineUsernames(): string[] {
    return [...this.#byUser.keys()];
  }

  /** Closes every socket opened with session `sessionKey` (on logout). */
  closeSession(sessionKey: string, code: number, reason: string): void {
    for (const set of this.#byUser.values()) {
      for (const connection of set) if (connection.sessionKey === sessionKey) connection.close(code, reason);
    }
  }
}
