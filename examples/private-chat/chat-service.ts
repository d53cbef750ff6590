/**
 * What each packet does: the chat's behaviour, between the socket handler
 * (app.ts), the validated packets (protocol.ts), storage (chat-store.ts)
 * and the connected sockets (chat-hub.ts). One method per packet type.
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

import { ChatHub, type ChatConnection } from "./chat-hub.js";
import type { ChatStore, ChatUser } from "./chat-store.js";
import {
  errorPacket,
  goneOfflinePacket,
  goneOnlinePacket,
  newMessagePacket,
  opponentReadPacket,
  opponentTypingPacket,
  packetType,
  PacketError,
  parsePacket,
  usersChangedPacket,
  type ClientPacket,
} from "./protocol.js";

/** How long `users-changed` waits after someone leaves, so a wave of departures costs one broadcast. */
const USERS_CHANGED_DELAY_MS = 200;

type PacketOf<T extends ClientPacket["type"]> = Extract<ClientPacket, { type: T }>;

/**
 * The chat's rules. Every packet either acts or is answered with an
 * `error` packet; the socket stays open either way.
 */
export class ChatService {
  readonly store: ChatStore;
  readonly hub: ChatHub;
  #usersChangedTimer: NodeJS.Timeout | undefined;

  constructor(store: ChatStore, hub = new ChatHub()) {
    this.store = store;
    this.hub = hub;
  }

  /** A socket of `connection.username` opened. */
  connect(connection: ChatConnection): void {
    this.hub.add(connection);
  }

  /**
   * A socket closed. When it was the user's last one, their dialog partners
   * get `gone-offline` and everyone soon gets a fresh `users-changed`.
   */
  async disconnect(connection: ChatConnection): Promise<void> {
    connection.markClosed();
    if (!this.hub.remove(connection)) return;
    const partners = await this.store.partners(connection.username);
    this.hub.sendTo(partners, goneOfflinePacket(connection.username));
    this.#usersChangedTimer ??= setTimeout(() => {
      this.#usersChangedTimer = undefined;
      void this.#sendUsersChanged();
    }, USERS_CHANGED_DELAY_MS).unref();
  }

  /** Handles one text frame from `connection`. */
  async receive(connection: ChatConnection, text: string): Promise<void> {
    try {
      if (!connection.takeToken()) throw new PacketError(packetType(text), "too many packets per second");
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
    switch (packet.type) {
      case "new-message":
        return this.newMessage(connection, packet);
      case "new-user":
        return this.newUser(connection, packet);
      case "online":
        return this.online(connection, packet);
      case "offline":
        return this.offline(connection, packet);
      case "check-online":
        return this.checkOnline(connection, packet);
      case "is-typing":
        return this.isTyping(connection, packet);
      case "read_message":
        return this.readMessage(connection, packet);
    }
  }

  /** Stores the message; both users' sockets get it with its id and time. */
  async newMessage(connection: ChatConnection, packet: PacketOf<"new-message">): Promise<void> {
    await this.#opponent(connection, packet.type, packet.username);
    const message = await this.store.addMessage(connection.username, packet.username, packet.message);
    this.hub.sendTo([connection.username, packet.username], newMessagePacket(message));
  }

  /** Everyone connected gets the list of connected users. */
  async newUser(connection: ChatConnection, packet: PacketOf<"new-user">): Promise<void> {
    checkOwnName(connection, packet);
    await this.#sendUsersChanged();
  }

  /** The user's dialog partners learn that they are online. */
  async online(connection: ChatConnection, packet: PacketOf<"online">): Promise<void> {
    checkOwnName(connection, packet);
    this.hub.sendTo(await this.store.partners(connection.username), goneOnlinePacket([connection.username]));
  }

  /** The user's dialog partners learn that they went offline. */
  async offline(connection: ChatConnection, packet: PacketOf<"offline">): Promise<void> {
    checkOwnName(connection, packet);
    this.hub.sendTo(await this.store.partners(connection.username), goneOfflinePacket(connection.username));
  }

  /** Tells the asker which of their dialog partners are online now. */
  async checkOnline(connection: ChatConnection, packet: PacketOf<"check-online">): Promise<void> {
    checkOwnName(connection, packet);
    const partners = await this.store.partners(connection.username);
    connection.send(goneOnlinePacket(partners.filter((name) => this.hub.isOnline(name))));
  }

  /** The opponent sees "typing…". */
  async isTyping(connection: ChatConnection, packet: PacketOf<"is-typing">): Promise<void> {
    await this.#opponent(connection, packet.type, packet.username);
    if (packet.typing) this.hub.sendTo([packet.username], opponentTypingPacket(connection.username));
  }

  /** Marks the message (and the earlier ones) read; its sender sees ✓✓. */
  async readMessage(connection: ChatConnection, packet: PacketOf<"read_message">): Promise<void> {
    await this.#opponent(connection, packet.type, packet.username);
    const message = await this.store.getMessage(packet.messageId);
    if (message === undefined || message.recipient !== connection.username || message.sender !== packet.username) {
      throw new PacketError(packet.type, "message_id is not a message you received from username");
    }
    await this.store.markRead(connection.username, message.id);
    this.hub.sendTo([message.sender], opponentReadPacket(connection.username, message.id));
  }

  /** Stops the pending `users-changed` timer (on server shutdown). */
  close(): void {
    clearTimeout(this.#usersChangedTimer);
    this.#usersChangedTimer = undefined;
  }

  async #sendUsersChanged(): Promise<void> {
    clearTimeout(this.#usersChangedTimer);
    this.#usersChangedTimer = undefined;
    const users = await Promise.all(this.hub.onlineUsernames().map((name) => this.store.getUser(name)));
    this.hub.broadcast(usersChangedPacket(users.filter((u): u is ChatUser => u !== undefined)));
  }

  /** Checks that `username` is someone else who has logged in before. */
  async #opponent(connection: ChatConnection, type: string, username: string): Promise<void> {
    if (username === connection.username) throw new PacketError(type, "you cannot have a dialog with yourself");
    if ((await this.store.getUser(username)) === undefined) throw new PacketError(type, "unknown user");
  }
}

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
