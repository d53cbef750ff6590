/**
 * How `Moobius.sendMessage` turns its flexible arguments (seed 001's
 * `send_message`: a string, or fields that override each other) into a
 * message body: the subtype inferred from what is given, text cut to
 * `lenLimit`, a file's display name.
 *
 * @module
 */
import type { MessageContent, MessageSubtype } from "../protocol.js";

/** Who receives something: a group id, or a list of character ids. */
export type Recipients = string | string[];

/** A message to send: text, an image, a file or a card. What is not given is inferred. */
export interface SendMessageOptions {
  channelId?: string;
  /** The character who "speaks" (service mode): one of its agents. Default: `Moobius.defaultSender`. */
  sender?: string;
  /** Default: `"service"` in user mode; required in service mode. */
  recipients?: Recipients;
  subtype?: MessageSubtype;
  text?: string;
  /** A file message: an uploaded path, an http(s) URL, or a local file (uploaded first). */
  path?: string;
  /** Like `path`, as an image message. */
  image?: string;
  /** Like `path`, as an audio message. */
  audio?: string;
  /** A card: its link, title and button text. */
  link?: string;
  title?: string;
  button?: string;
  /** Cut text messages longer than this. */
  lenLimit?: number;
  /** The name a file is shown under. */
  fileDisplayName?: string;
  context?: Record<string, unknown>;
  /** Build the message and resolve with it, but send nothing (and upload nothing). */
  dryRun?: boolean;
}

/** The subtype a message gets when none is given: image, audio, card, file, else text. */
export function inferSubtype(o: SendMessageOptions): MessageSubtype {
  if (o.subtype !== undefined) return o.subtype;
  if (o.image !== undefined) return "image";
  if (o.audio !== undefined) return "audio";
  if (o.link !== undefined || o.title !== undefined) return "card";
  return o.path !== undefined ? "file" : "text";
}

/** The content of a message, with the file part (already uploaded, or as given) filled in by `file`. */
export function messageContent(o: SendMessageOptions, file: MessageContent | undefined): MessageContent {
  const content: MessageContent = {};
  if (o.text !== undefined) content.text = o.lenLimit !== undefined && o.text.length > o.lenLimit ? o.text.slice(0, o.lenLimit) : o.text;
  if (file !== undefined) Object.assign(content, file);
  if (o.link !== undefined) content.link = o.link;
  if (o.title !== undefined) content.title = o.title;
  if (o.button !== undefined) content.button = o.button;
  return content;
}
