/**
 * What each packet does: the chat's behaviour, between the socket handler
 * (app.ts), the validated packets (protocol.ts), storage (chat-store.ts),
 * who is online (presence.ts) and the connected sockets (chat-hub.ts). One
 * method per packet type. Packets for other users go out with `publish` on
 * their topic, so they reach them on whichever process they are connected to.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

import { ChatHub, EVERYONE_TOPIC, userTopic, type ChatConnection } from "./chat-hub.js";
import type { ChatStore, ChatUser } from "./chat-store.js";
import { LocalPresence, type Presence } from "./presence.js";
import {
  errorPacket,
  goneOfflinePacket,
  goneOnlinePacket,
  newMessagePacket,
  opponentReadPacket,
  opponentTypingPacket,
  PacketError,
  parsePacket,
  usersChangedPacket,
  type ClientPacket,
  type ClientType,
} from "./protocol.js";

/** How long `users-changed` waits after someone leaves, so a wave of departures costs one broadcast. */
const USERS_CHANGED_DELAY_MS = 200;

type PacketOf<T extends ClientType> = Extract<ClientPacket, { type: T }>;

/** `app.publish`: hands a text frame to every subscriber of `topic`, in every process. */
export type PublishFunction = (topic: string, text: string) => Promise<void>;

/** What the service works with besides its store. */
export interface ChatServiceOptions {
  /** How packets reach other users' sockets (the app's `publish`). */
  publish: PublishFunction;
  /** Who is online. Default: a {@link LocalPresence} (one process). */
  presence?: Presence;
  /** This process's sockets. Default: a new {@link ChatHub}. */
  hub?: ChatHub;
}

/**
 * The chat's rules. Every packet either acts or is answered with an
 * `error` packet; the socket stays open either way.
 */
export class ChatService {
  readonly store: ChatStore;
  readonly hub: ChatHub;
  readonly presence: Presence;
  readonly #publish: PublishFunction;
  #usersChangedTimer: NodeJS.Timeout | undefined;

  constructor(store: ChatStore, options: ChatServiceOptions) {
    this.store = store;
    this.#publish = options.publish;
    this.presence = options.presence ?? new LocalPresence();
    this.hub = options.hub ?? new ChatHub();
  }

  /** A socket of `connection.username` opened: it hears its user's topic, and the user is online. */
  async connect(connection: ChatConnection): Promise<void> {
    connection.subscribe();
    if (this.hub.add(connection)) await this.presence.join(connection.username);
  }

  /**
   * A socket closed. When it was the user's last one anywhere, their dialog
   * partners get `gone-offline` and everyone soon gets a fresh `users-changed`.
   */
  async disconnect(connection: ChatConnection): Promise<void> {
    if (!this.hub.remove(connection)) return;
    // Published even if the user came back here meanwhile: leave() answers for every process.
    if (!(await this.presence.leave(connection.username))) return;
    const partners = await this.store.partners(connection.username);
    await this.#sendTo(partners, goneOfflinePacket(connection.username)).catch(() => {});
    this.#usersChangedTimer ??= setTimeout(() => {
      this.#usersChangedTimer = undefined;
      void this.#sendUsersChanged().catch(() => {});
    }, USERS_CHANGED_DELAY_MS).unref();
  }

  /** Handles one text frame from `connection`. */
  async receive(connection: ChatConnection, text: string): Promise<void> {
    try {
      const packet = parsePacket(text);
      if (packet.sessionKey !== undefined && !sameSecret(packet.sessionKey, connection.sessionKey)) {
        throw new PacketError(packet.type, "session_key does not match this connection's session");
      }
      await this.#dispatch(connection, packet);
    } catch (error) {
      if (!(error instanceof PacketError)) throw error;
      connection.send(errorPacket(error));
    }
  }

  #dispatch(connection: ChatConnection, packet: ClientPacket): Promise<void> {
    // TypeScript cannot pair a union's member with its handler's parameter; HANDLERS' `satisfies` checks that each method takes its packet.
    const handle = this[HANDLERS[packet.type]] as (connection: ChatConnection, packet: ClientPacket) => Promise<void>;
    return handle.call(this, connection, packet);
  }

  /** Stores the message; both users' sockets get it with its id and time. */
  async newMessage(connection: ChatConnection, packet: PacketOf<"new-message">): Promise<void> {
    await this.#opponent(connection, packet.type, packet.username);
    const message = await this.store.addMessage(connection.username, packet.username, packet.message);
    await this.#sendTo([connection.username, packet.username], newMessagePacket(message), packet.type);
  }

  /** Everyone connected gets the list of connected users. */
  async newUser(connection: ChatConnection, packet: PacketOf<"new-user">): Promise<void> {
    checkOwnName(connection, packet);
    await this.#sendUsersChanged(packet.type);
  }

  /** The user's dialog partners learn that they are online. */
  async online(connection: ChatConnection, packet: PacketOf<"online">): Promise<void> {
    checkOwnName(connection, packet);
    await this.#sendTo(await this.store.partners(connection.username), goneOnlinePacket([connection.username]), packet.type);
  }

  /** The user's dialog partners learn that they went offline. */
  async offline(connection: ChatConnection, packet: PacketOf<"offline">): Promise<void> {
    checkOwnName(connection, packet);
    await this.#sendTo(await this.store.partners(connection.username), goneOfflinePacket(connection.username), packet.type);
  }

  /** Tells the asker which of their dialog partners are online now. */
  async checkOnline(connection: ChatConnection, packet: PacketOf<"check-online">): Promise<void> {
    checkOwnName(connection, packet);
    const partners = await this.store.partners(connection.username);
    const online = await Promise.all(partners.map((name) => this.presence.isOnline(name)));
    connection.send(goneOnlinePacket(partners.filter((_, i) => online[i])));
  }

  /** The opponent sees "typing…". */
  async isTyping(connection: ChatConnection, packet: PacketOf<"is-typing">): Promise<void> {
    await this.#opponent(connection, packet.type, packet.username);
    if (packet.typing) await this.#sendTo([packet.username], opponentTypingPacket(connection.username), packet.type);
  }

  /** Marks the message (and the earlier ones) read; its sender sees ✓✓. */
  async readMessage(connection: ChatConnection, packet: PacketOf<"read_message">): Promise<void> {
    await this.#opponent(connection, packet.type, packet.username);
    const message = await this.store.getMessage(packet.messageId);
    if (message === undefined || message.recipient !== connection.username || message.sender !== packet.username) {
      throw new PacketError(packet.type, "message_id is not a message you received from username");
    }
    await this.store.markRead(connection.username, message.id);
    await this.#sendTo([message.sender], opponentReadPacket(connection.username, message.id), packet.type);
  }

  /** Stops the pending `users-changed` timer and presence (on server shutdown). */
  async close(): Promise<void> {
    clearTimeout(this.#usersChangedTimer);
    this.#usersChangedTimer = undefined;
    await this.presence.close();
  }

  async #sendUsersChanged(type?: string): Promise<void> {
    clearTimeout(this.#usersChangedTimer);
    this.#usersChangedTimer = undefined;
    const users = await Promise.all((await this.presence.online()).map((name) => this.store.getUser(name)));
    await this.#publishPacket(EVERYONE_TOPIC, usersChangedPacket(users.filter((u): u is ChatUser => u !== undefined)), type);
  }

  /** Publishes `packet` on the topic of each user in `usernames` (each once), serialised once. */
  async #sendTo(usernames: Iterable<string>, packet: object, type?: string): Promise<void> {
    const text = JSON.stringify(packet);
    for (const username of new Set(usernames)) await this.#publishPacket(userTopic(username), text, type);
  }

  /** Publishes; a broker that cannot take it (Redis away too long) is answered as a packet error. */
  async #publishPacket(topic: string, packet: object | string, type?: string): Promise<void> {
    try {
      await this.#publish(topic, typeof packet === "string" ? packet : JSON.stringify(packet));
    } catch (error) {
      throw new PacketError(type ?? null, `could not deliver (${error instanceof Error ? error.message : String(error)}); try again`);
    }
  }

  /** Checks that `username` is someone else who has logged in before. */
  async #opponent(connection: ChatConnection, type: string, username: string): Promise<void> {
    if (username === connection.username) throw new PacketError(type, "you cannot have a dialog with yourself");
    if ((await this.store.getUser(username)) === undefined) throw new PacketError(type, "unknown user");
  }
}

/** The names of ChatService's methods whose packet parameter takes a `T` packet. */
type HandlerOf<T extends ClientType> = { [K in keyof ChatService]: PacketOf<T> extends Parameters<Extract<ChatService[K], (...args: never[]) => unknown>>[1] ? K : never }[keyof ChatService];

/** The method that handles each packet type. */
const HANDLERS = { "new-message": "newMessage", "new-user": "newUser", online: "online", offline: "offline", "check-online": "checkOnline", "is-typing": "isTyping", read_message: "readMessage" } as const satisfies { [T in ClientType]: HandlerOf<T> };

/** `new-user`, `online`, `offline`, `check-online` may only speak for the socket's own user. */
function checkOwnName(connection: ChatConnection, packet: { type: string; username: string | undefined }): void {
  if (packet.username !== undefined && packet.username !== connection.username) {
    throw new PacketError(packet.type, "username is not yours");
  }
}

/** Compares two secrets in constant time (hashing first evens out the lengths). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
