/**
 * The Moobius wire protocol's shapes, as this platform speaks them
 * (see `/examples/channels/README.md` and the protocol document): the
 * envelope, the data types, and the checks that keep bad input out.
 *
 * @module
 */

/** Every frame: a JSON object with `type`, `request_id`, top-level extras and a `body`. */
export interface Envelope {
  type: string;
  request_id?: string;
  body?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** Someone a channel member sees in the member list: a user, or an agent a service created. */
export interface Character {
  character_id: string;
  name: string;
  avatar?: string;
  description?: string;
  character_context?: Record<string, unknown>;
}

/** A channel's public description. */
export interface ChannelInfo {
  channel_id: string;
  channel_name: string;
  channel_description: string;
  channel_type: string;
}

/** What a message carries; which fields depend on its subtype. */
export interface MessageContent {
  text?: string;
  path?: string;
  size?: number;
  filename?: string;
  link?: string;
  title?: string;
  button?: string;
}

/** A message as delivered (`message_down`) and as kept in history. */
export interface MessageBody {
  message_id: string;
  subtype: MessageSubtype;
  channel_id: string;
  content: MessageContent;
  sender: string;
  recipients: string | string[];
  timestamp: number;
  context: Record<string, unknown>;
}

export const MESSAGE_SUBTYPES = ["text", "image", "audio", "file", "card"] as const;
export type MessageSubtype = (typeof MESSAGE_SUBTYPES)[number];

export const UPDATE_SUBTYPES = ["characters", "buttons", "menu", "style", "canvas"] as const;
export type UpdateSubtype = (typeof UPDATE_SUBTYPES)[number];

/** An id the platform hands out: 1 to 64 letters, digits, `_` or `-`. */
export const ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A username: 1 to 32 letters, digits or underscores. */
export const USERNAME = /^[A-Za-z0-9_]{1,32}$/;
/** Longest text a message, name or description may hold (characters). */
export const MAX_TEXT = 8_000;
/** Most items in one update list (buttons, menu items, canvas items, style items, recipients). */
export const MAX_ITEMS = 200;

/** Thrown for a frame or request the platform refuses; its message goes back to the sender. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}

/** `value` as a plain object, or a {@link ProtocolError} naming `what`. */
export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ProtocolError(`${what} must be an object`);
  return value as Record<string, unknown>;
}

/** `value` as an id (see {@link ID}), or a {@link ProtocolError}. */
export function id(value: unknown, what: string): string {
  if (typeof value !== "string" || !ID.test(value)) throw new ProtocolError(`${what} must be an id (1-64 letters, digits, _ or -)`);
  return value;
}

/** `value` as a string of at most `max` characters (`fallback` when absent). */
export function text(value: unknown, what: string, fallback?: string, max = MAX_TEXT): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value.length > max) throw new ProtocolError(`${what} must be a string of at most ${max} characters`);
  return value;
}

/** `value` as a list of at most {@link MAX_ITEMS} items. */
export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value) || value.length > MAX_ITEMS) throw new ProtocolError(`${what} must be a list of at most ${MAX_ITEMS} items`);
  return value;
}

/** A message's content, checked: only known string fields (and a numeric size) survive. */
export function messageContent(value: unknown): MessageContent {
  const raw = record(value, "content");
  const content: MessageContent = {};
  for (const key of ["text", "path", "filename", "link", "title", "button"] as const) {
    if (raw[key] !== undefined) content[key] = text(raw[key], `content.${key}`);
  }
  if (raw.size !== undefined) {
    if (typeof raw.size !== "number" || !Number.isFinite(raw.size) || raw.size < 0) throw new ProtocolError("content.size must be a number");
    content.size = raw.size;
  }
  return content;
}

/** The `recipients` field: a group id, or a list of character ids (both accepted). */
export function recipients(value: unknown): string | string[] {
  if (typeof value === "string") return id(value, "recipients");
  return list(value, "recipients").map((entry) => id(entry, "recipients[]"));
}

/** A random id, the same shape as the SDK's uuid4 request ids. */
export function newId(): string {
  return crypto.randomUUID();
}
