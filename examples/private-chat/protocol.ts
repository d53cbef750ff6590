/**
 * The packets of django-private-chat's WebSocket protocol: parsing and
 * validating what clients send (one function per packet type) and building
 * what the server sends. Pure functions: no sockets, no storage.
 *
 * @module
 */
import type { ChatMessage, ChatUser } from "./chat-store.js";

/** What a username may be: 1–32 of `[A-Za-z0-9_]`. */
export const USERNAME = /^[A-Za-z0-9_]{1,32}$/;
/** Longest message, in characters (Unicode code points). */
export const MAX_MESSAGE_LENGTH = 4096;

/** Packet types a client may send. */
export const CLIENT_TYPES = ["new-message", "new-user", "online", "offline", "check-online", "is-typing", "read_message"] as const;
export type ClientType = (typeof CLIENT_TYPES)[number];

/** Fields every client packet may carry. */
interface Common {
  /** The original protocol's `session_key`; when present it must be the socket's session. */
  sessionKey: string | undefined;
}

/** Packets that only speak about their sender; `username`, when given, must be the sender's. */
type StatusType = "new-user" | "online" | "offline" | "check-online";

export type ClientPacket = Common &
  (
    | { type: "new-message"; username: string; message: string }
    | { [T in StatusType]: { type: T; username: string | undefined } }[StatusType]
    | { type: "is-typing"; username: string; typing: boolean }
    | { type: "read_message"; username: string; messageId: number }
  );

/** A packet that cannot be acted on; answered with an `error` packet, the socket stays open. */
export class PacketError extends Error {
  override name = "PacketError";
  /** The type of the offending packet, or null when it had none. */
  readonly for: string | null;

  constructor(forType: string | null, reason: string) {
    super(reason);
    this.for = forType;
  }
}

/** The `error` packet for `error`. */
export function errorPacket(error: PacketError): { type: "error"; for: string | null; message: string } {
  return { type: "error", for: error.for, message: error.message };
}

type Fields = Record<string, unknown>;

/**
 * Parses and validates one text frame.
 *
 * @throws {@link PacketError} for anything but a JSON object of a known type with valid fields.
 * @example
 * ```ts
 * parsePacket('{"type":"new-message","username":"bob","message":"hi"}');
 * // { type: "new-message", username: "bob", message: "hi", sessionKey: undefined }
 * ```
 */
export function parsePacket(text: string): ClientPacket {
  const fields = parseObject(text);
  const type = fields.type;
  if (typeof type !== "string") throw new PacketError(null, "packet has no type");
  const sessionKey = fields.session_key;
  if (sessionKey !== undefined && typeof sessionKey !== "string") throw new PacketError(type, "session_key must be a string");
  const common = { sessionKey };
  switch (type) {
    case "new-message":
      return { ...common, ...parseNewMessage(fields) };
    case "new-user":
    case "online":
    case "offline":
    case "check-online":
      return { ...common, type, username: parseOwnUsername(type, fields) };
    case "is-typing":
      return { ...common, ...parseIsTyping(fields) };
    case "read_message":
      return { ...common, ...parseReadMessage(fields) };
    default:
      throw new PacketError(type, "unknown packet type");
  }
}

/** `{"type":"new-message","username":OPP,"message":TEXT}` */
export function parseNewMessage(fields: Fields): { type: "new-message"; username: string; message: string } {
  const username = parseUsername("new-message", fields.username);
  const message = fields.message;
  if (typeof message !== "string") throw new PacketError("new-message", "message must be a string");
  if (message.trim() === "") throw new PacketError("new-message", "message is empty");
  if (message.length > MAX_MESSAGE_LENGTH && codePoints(message) > MAX_MESSAGE_LENGTH) {
    throw new PacketError("new-message", `message is longer than ${MAX_MESSAGE_LENGTH} characters`);
  }
  return { type: "new-message", username, message };
}

/**
 * `new-user`, `online`, `offline`, `check-online` name the sender
 * themselves; the name is optional (the socket knows who it is) and checked
 * against the socket's user by the caller.
 */
export function parseOwnUsername(type: string, fields: Fields): string | undefined {
  return fields.username === undefined ? undefined : parseUsername(type, fields.username);
}

/** `{"type":"is-typing","username":OPP,"typing":true}`; `typing` defaults to true. */
export function parseIsTyping(fields: Fields): { type: "is-typing"; username: string; typing: boolean } {
  const username = parseUsername("is-typing", fields.username);
  const typing = fields.typing ?? true;
  if (typeof typing !== "boolean") throw new PacketError("is-typing", "typing must be true or false");
  return { type: "is-typing", username, typing };
}

/** `{"type":"read_message","username":OPP,"message_id":ID}`; the id may be a number or a string of digits. */
export function parseReadMessage(fields: Fields): { type: "read_message"; username: string; messageId: number } {
  const username = parseUsername("read_message", fields.username);
  const raw = fields.message_id;
  const messageId = typeof raw === "string" && /^[0-9]{1,15}$/.test(raw) ? Number(raw) : raw;
  if (typeof messageId !== "number" || !Number.isSafeInteger(messageId) || messageId < 1) {
    throw new PacketError("read_message", "message_id must be a positive integer");
  }
  return { type: "read_message", username, messageId };
}

// ---- What the server sends --------------------------------------------------

/** Sent to every socket of sender and recipient. */
export function newMessagePacket(message: ChatMessage) {
  return {
    type: "new-message",
    username: message.recipient,
    message: message.text,
    created: message.created,
    sender_name: message.sender,
    message_id: message.id,
  } as const;
}

/** The connected users, sorted by username. */
export function usersChangedPacket(users: readonly ChatUser[]) {
  const value = users.map(({ username, uuid }) => ({ username, uuid })).sort((a, b) => compare(a.username, b.username));
  return { type: "users-changed", value } as const;
}

export function goneOnlinePacket(usernames: readonly string[]) {
  return { type: "gone-online", usernames: [...usernames] } as const;
}

export function goneOfflinePacket(username: string) {
  return { type: "gone-offline", username } as const;
}

export function opponentTypingPacket(username: string) {
  return { type: "opponent-typing", username } as const;
}

export function opponentReadPacket(username: string, messageId: number) {
  return { type: "opponent-read-message", username, message_id: messageId } as const;
}

// ---- Helpers ------------------------------------------------------------------

function parseObject(text: string): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PacketError(null, "packet is not valid JSON");
  }
  if (!isObject(value)) throw new PacketError(null, "packet must be a JSON object");
  return value;
}

function parseUsername(type: string, value: unknown): string {
  if (typeof value !== "string" || !USERNAME.test(value)) throw new PacketError(type, "username must be 1-32 letters, digits or underscores");
  return value;
}

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** Byte-wise order, the same on every machine (no locale). */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
