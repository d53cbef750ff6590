/**
 * `Moobius`: the service SDK (seed 001's `Moobius` class) in TypeScript, on
 * upie's `WSClient`. Subclass it and override the `on*` callbacks; call the
 * `send*` / `fetch*` methods. In `"user"` mode the same class is a user
 * program: it joins channels, sends `message_up` and hears `message_down`
 * and updates.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";

import { WSClient, type ClientLogger, type ReconnectOptions, type WebSocketConstructor } from "../../../lib/ws-client/index.js";
import type { ChannelInfo, Character, MessageBody, MessageContent, MessageSubtype } from "../protocol.js";
import { HttpApi } from "./http-api.js";

/** Everything a {@link Moobius} needs; `httpUrl`, `username` and `password` are required. */
export interface MoobiusOptions {
  /** The platform's origin, e.g. `http://127.0.0.1:8000`. */
  httpUrl: string;
  /** The WebSocket URL. Default: `httpUrl`'s origin with `ws:`/`wss:` and path `/ws`. */
  wsUrl?: string;
  username: string;
  password: string;
  /** `"service"` (default) or `"user"`. */
  mode?: "service" | "user";
  /** Channels to bind (service) or join (user) at start. */
  channels?: string[];
  /** Heartbeat period; the SDK's is 30 s. */
  heartbeatMs?: number;
  reconnect?: ReconnectOptions;
  /** The WebSocket constructor (tests); default: the global one, else `ws`. */
  WebSocket?: WebSocketConstructor;
  logger?: ClientLogger;
}

/** Who receives something: a group id, or a list of character ids. */
export type Recipients = string | string[];

/** A message to send: text, an image, a file or a card. What is not given is inferred (see {@link Moobius.sendMessage}). */
export interface SendMessageOptions {
  channelId?: string;
  /** The character who "speaks" (service mode): one of its agents. Default: {@link Moobius.defaultSender}. */
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
}

/** An inbound `action` as the service sees it. */
export interface Action {
  subtype: string;
  channel_id: string;
  sender: string;
  context: Record<string, unknown>;
  [field: string]: unknown;
}

/** A `copy`: the platform's acknowledgement of a request. */
export interface Copy {
  request_id: string | null;
  origin_type: string;
  status: boolean;
  context: { message?: string; error?: string };
}

/** An inbound `update` (user mode). */
export interface Update {
  subtype: string;
  channel_id: string;
  content: any;
  recipients?: Recipients;
  context?: Record<string, unknown>;
}

const MIN_RELOGIN_MS = 2_000;

export class Moobius {
  readonly options: MoobiusOptions;
  readonly http: HttpApi;
  /** The service id (service mode) or user id (user mode), once authenticated. */
  clientId = "";
  /** The agent used as `sender` when a service's message names none. */
  defaultSender: string | undefined;
  #ws: WSClient | undefined;
  #lastRelogin = 0;
  /** Resolves once `onStart` has run: the seed starts listening only after it (step 6 of 6). */
  #started: Promise<void>;
  #markStarted!: () => void;

  constructor(options: MoobiusOptions) {
    this.options = { mode: "service", channels: [], heartbeatMs: 30_000, ...options };
    this.http = new HttpApi(options.httpUrl);
    this.#started = new Promise((resolve) => (this.#markStarted = resolve));
  }

  get mode(): "service" | "user" {
    return this.options.mode!;
  }

  /** The underlying client (after `start()`). */
  get ws(): WSClient {
    if (this.#ws === undefined) throw new Error("start() first");
    return this.#ws;
  }

  /**
   * The lifecycle: authenticate → connect (logging in on every connect) →
   * bind (service) or join (user) the configured channels → heartbeats →
   * `onStart()` → `onChannelInit(channelId)` for each channel. Inbound
   * frames (but `copy`) are handled from `onStart()`'s end on, one at a time; `start()` resolves when
   * the steps are done (`stop()` ends it).
   */
  async start(): Promise<void> {
    await this.authenticate();
    const url = this.options.wsUrl ?? wsUrlOf(this.options.httpUrl);
    this.#ws = new WSClient(url, {
      onConnect: (client) => client.send(this.loginPayload()),
      handle: (message) => this.handleReceivedPayload(message),
      heartbeat: { intervalMs: this.options.heartbeatMs!, message: () => ({ type: "heartbeat", request_id: crypto.randomUUID(), body: {} }) },
      ...(this.options.reconnect === undefined ? {} : { reconnect: this.options.reconnect }),
      ...(this.options.WebSocket === undefined ? {} : { WebSocket: this.options.WebSocket }),
      ...(this.options.logger === undefined ? {} : { logger: this.options.logger }),
    });
    try {
      await this.#ws.connect();
      for (const channelId of this.options.channels!) {
        if (this.mode === "service") await this.http.bind(channelId);
        else await this.sendJoinChannel(channelId);
      }
      await this.onStart();
    } finally {
      this.#markStarted();
    }
    for (const channelId of this.options.channels!) await this.onChannelInit(channelId);
  }

  /** Closes the socket; no more reconnects. */
  async stop(): Promise<void> {
    await this.#ws?.close();
  }

  /** Signs in over HTTP; sets {@link clientId}. */
  async authenticate(): Promise<string> {
    const result = await this.http.signIn(this.options.username, this.options.password);
    if (result.role !== this.mode) throw new Error(`${this.options.username} is a ${result.role}, not a ${this.mode}`);
    this.clientId = result.id;
    return result.access_token;
  }

  /** The login frame sent after every connect. */
  loginPayload(): object {
    const base = { request_id: crypto.randomUUID(), auth_origin: "upie", access_token: this.http.token };
    return this.mode === "service" ? { type: "service_login", ...base, service_id: this.clientId } : { type: "user_login", ...base };
  }

  /** Sends any frame: `{type, request_id, ...extras, body}`. */
  async send(type: string, body: Record<string, unknown>, extras: Record<string, unknown> = {}): Promise<void> {
    await this.ws.send({ type, request_id: crypto.randomUUID(), ...extras, body });
  }

  // ── Inbound ──────────────────────────────────────────────────────────

  /** Decodes a frame and calls the callback for its type. */
  async handleReceivedPayload(raw: string | Uint8Array): Promise<void> {
    let frame: any;
    try {
      frame = JSON.parse(typeof raw === "string" ? raw : new TextDecoder().decode(raw));
    } catch {
      return this.onUnknownPayload(raw);
    }
    if (frame?.type === "copy") return this.#copy(frame.body as Copy);
    // Frames that arrive while starting (a join, say) wait for onStart: callbacks may rely on what it set up.
    await this.#started;
    switch (frame?.type) {
      case "message_up":
        return this.onMessageUp(frame.body as MessageBody);
      case "action":
        return this.onAction(frame.body as Action);
      case "message_down":
        return this.onMessageDown(frame.body as MessageBody);
      case "update":
        return this.onUpdate(frame.subtype === "channel_info" ? { subtype: "channel_info", channel_id: frame.channel_id, content: frame.body } : frame.body);
      default:
        return this.onUnknownPayload(frame);
    }
  }

  /** Dispatches an action to `onJoin`, `onLeave`, `onButtonClick`, `onMenuItemClick` or `onRefresh`. */
  async onAction(action: Action): Promise<void> {
    switch (action.subtype) {
      case "join":
        return this.onJoin(action);
      case "leave":
        return this.onLeave(action);
      case "button_click":
        return this.onButtonClick(action);
      case "menu_item_click":
        return this.onMenuItemClick(action);
      case "refresh":
        return this.onRefresh(action);
      default:
        return this.onUnknownPayload(action);
    }
  }

  /** Dispatches an update (user mode) to the `onUpdate*` callbacks. */
  async onUpdate(update: Update): Promise<void> {
    switch (update.subtype) {
      case "characters":
        return this.onUpdateCharacters(update);
      case "buttons":
        return this.onUpdateButtons(update);
      case "menu":
        return this.onUpdateMenu(update);
      case "canvas":
        return this.onUpdateCanvas(update);
      case "style":
        return this.onUpdateStyle(update);
      case "channel_info":
        return this.onUpdateChannelInfo(update);
      case "service_status":
        return this.onUpdateServiceStatus(update);
      default:
        return this.onUnknownPayload(update);
    }
  }

  async #copy(copy: Copy): Promise<void> {
    // A refused login (an expired or revoked token): sign in again and log in again, not in a tight loop.
    if (!copy.status && copy.origin_type.endsWith("_login") && Date.now() - this.#lastRelogin > MIN_RELOGIN_MS) {
      this.#lastRelogin = Date.now();
      try {
        await this.authenticate();
        await this.ws.send(this.loginPayload());
      } catch (error) {
        (this.options.logger ?? console).error("moobius: signing in again failed", error);
      }
    }
    return this.onCopyClient(copy);
  }

  // ── Callbacks to override ────────────────────────────────────────────
  async onStart(): Promise<void> {}
  async onChannelInit(_channelId: string): Promise<void> {}
  async onMessageUp(_message: MessageBody): Promise<void> {}
  async onJoin(_action: Action): Promise<void> {}
  async onLeave(_action: Action): Promise<void> {}
  async onButtonClick(_action: Action): Promise<void> {}
  async onMenuItemClick(_action: Action): Promise<void> {}
  async onRefresh(_action: Action): Promise<void> {}
  async onCopyClient(_copy: Copy): Promise<void> {}
  async onUnknownPayload(_payload: unknown): Promise<void> {}
  // user mode
  async onMessageDown(_message: MessageBody): Promise<void> {}
  async onUpdateCharacters(_update: Update): Promise<void> {}
  async onUpdateButtons(_update: Update): Promise<void> {}
  async onUpdateMenu(_update: Update): Promise<void> {}
  async onUpdateCanvas(_update: Update): Promise<void> {}
  async onUpdateStyle(_update: Update): Promise<void> {}
  async onUpdateChannelInfo(_update: Update): Promise<void> {}
  /** upie's extension: the channel's service went offline or came back (`content.online`). */
  async onUpdateServiceStatus(_update: Update): Promise<void> {}

  // ── Outbound ─────────────────────────────────────────────────────────

  /**
   * Sends a message: `message_down` from a service, `message_up` from a
   * user. A string is text; `image` / `audio` / `path` make an image, audio
   * or file message (a local file is uploaded first); `link` / `title` /
   * `button` make a card.
   */
  async sendMessage(message: string | SendMessageOptions, options: SendMessageOptions = {}): Promise<MessageContent> {
    const o: SendMessageOptions = typeof message === "string" ? { text: message, ...options } : { ...message, ...options };
    const channelId = required(o.channelId, "channelId");
    const source = o.image ?? o.audio ?? o.path;
    const subtype: MessageSubtype =
      o.subtype ?? (o.image !== undefined ? "image" : o.audio !== undefined ? "audio" : o.link !== undefined || o.title !== undefined ? "card" : source !== undefined ? "file" : "text");
    const content: MessageContent = {};
    if (o.text !== undefined) content.text = o.lenLimit !== undefined && o.text.length > o.lenLimit ? o.text.slice(0, o.lenLimit) : o.text;
    if (source !== undefined) Object.assign(content, await this.#filePath(source, o.fileDisplayName));
    if (o.link !== undefined) content.link = o.link;
    if (o.title !== undefined) content.title = o.title;
    if (o.button !== undefined) content.button = o.button;
    const body: Record<string, unknown> = { subtype, channel_id: channelId, content, timestamp: Date.now(), context: o.context ?? {} };
    if (this.mode === "user") {
      await this.send("message_up", { ...body, recipients: o.recipients ?? "service" }, { user_id: this.clientId, service_id: "" });
    } else {
      await this.send("message_down", { ...body, recipients: required(o.recipients, "recipients"), sender: required(o.sender ?? this.defaultSender, "sender") }, { service_id: this.clientId });
    }
    return content;
  }

  /** Sets the member list the recipients see: `characters` is a group id or a list of character ids. */
  sendCharacters(characters: Recipients, channelId: string, recipients: Recipients): Promise<void> {
    return this.#update("characters", { characters }, channelId, recipients);
  }

  sendButtons(buttons: object[], channelId: string, recipients: Recipients): Promise<void> {
    return this.#update("buttons", buttons, channelId, recipients);
  }

  sendMenu(menuItems: object[], channelId: string, recipients: Recipients): Promise<void> {
    return this.#update("menu", menuItems, channelId, recipients);
  }

  /** Style items; one item (an object) is sent as a one-item list, as the SDK does. */
  sendStyle(styleItems: object | object[], channelId: string, recipients: Recipients): Promise<void> {
    return this.#update("style", Array.isArray(styleItems) ? styleItems : [styleItems], channelId, recipients);
  }

  sendCanvas(canvasItems: object | object[], channelId: string, recipients: Recipients): Promise<void> {
    return this.#update("canvas", Array.isArray(canvasItems) ? canvasItems : [canvasItems], channelId, recipients);
  }

  /** Renames or re-describes a channel; every member hears of it. */
  updateChannel(channelId: string, channelName: string, channelDesc: string): Promise<void> {
    return this.send("update", { channel_id: channelId, channel_name: channelName, channel_description: channelDesc }, { subtype: "channel_info", channel_id: channelId, service_id: this.clientId });
  }

  /** Creates a channel, bound to this service unless `bind` is false; returns its id. */
  async createChannel(channelName: string, channelDesc = "", bind = true): Promise<string> {
    return (await this.http.createChannel(channelName, channelDesc, bind && this.mode === "service")).channel_id;
  }

  bindServiceToChannel(channelId: string): Promise<void> {
    return this.http.bind(channelId);
  }

  unbindServiceFromChannel(channelId: string): Promise<void> {
    return this.http.unbind(channelId);
  }

  /** Creates an agent (a bot character of this service). */
  createAgent(name: string, avatar?: string, description = "No description"): Promise<Character> {
    return this.http.createAgent(name, avatar, description);
  }

  fetchAgents(): Promise<Character[]> {
    return this.http.fetchAgents();
  }

  /** The channel's members and this service's agents. */
  fetchCharacters(channelId: string): Promise<Character[]> {
    return this.http.fetchCharacters(channelId);
  }

  /** The channel's real members' ids; with `raiseEmptyListErr`, an empty list throws. */
  async fetchMemberIds(channelId: string, raiseEmptyListErr = false): Promise<string[]> {
    const ids = await this.http.fetchMemberIds(channelId);
    if (raiseEmptyListErr && ids.length === 0) throw new Error(`channel ${channelId} has no members`);
    return ids;
  }

  fetchMessageHistory(channelId: string, limit = 50, before?: number): Promise<MessageBody[]> {
    return this.http.fetchMessageHistory(channelId, limit, before);
  }

  async fetchChannelList(): Promise<ChannelInfo[]> {
    return this.http.fetchChannelList();
  }

  /** A group of characters to use as `recipients` or `characters`. */
  createServiceGroup(characterIds: string[]): Promise<string> {
    return this.http.createGroup(characterIds);
  }

  /** Uploads a local file; returns its platform path. */
  async upload(filePath: string): Promise<string> {
    return (await this.#filePath(filePath)).path!;
  }

  // user mode
  sendJoinChannel(channelId: string): Promise<void> {
    return this.send("action", { subtype: "join_channel", channel_id: channelId, context: {} }, { user_id: this.clientId });
  }

  sendLeaveChannel(channelId: string): Promise<void> {
    return this.send("action", { subtype: "leave_channel", channel_id: channelId, context: {} }, { user_id: this.clientId });
  }

  sendRefresh(channelId: string): Promise<void> {
    return this.send("action", { subtype: "refresh", channel_id: channelId, context: {} }, { user_id: this.clientId });
  }

  sendButtonClick(channelId: string, buttonId: string, args: { label: string; value: string }[] = [], bottomButtonId?: string): Promise<void> {
    return this.send("action", { subtype: "button_click", channel_id: channelId, button_id: buttonId, arguments: args, ...(bottomButtonId === undefined ? {} : { bottom_button_id: bottomButtonId }), context: {} }, { user_id: this.clientId });
  }

  sendMenuItemClick(channelId: string, menuItemId: string, message: MessageBody, args: { label: string; value: string }[] = []): Promise<void> {
    return this.send(
      "action",
      { subtype: "menu_item_click", channel_id: channelId, menu_item_id: menuItemId, message_id: message.message_id, message_subtype: message.subtype, message_content: message.content, arguments: args, context: {} },
      { user_id: this.clientId },
    );
  }

  #update(subtype: string, content: unknown, channelId: string, recipients: Recipients): Promise<void> {
    return this.send("update", { subtype, channel_id: channelId, content, recipients, context: {} }, { service_id: this.clientId });
  }

  /** An uploaded path or URL as is; a local file uploaded first. */
  async #filePath(source: string, displayName?: string): Promise<MessageContent> {
    if (/^https?:\/\//.test(source) || source.startsWith("/files/")) return { path: source, ...(displayName === undefined ? {} : { filename: displayName }) };
    const bytes = await readFile(source);
    const uploaded = await this.http.upload(bytes, displayName ?? basename(source), contentTypeOf(source));
    return { path: uploaded.path, size: uploaded.size, filename: displayName ?? uploaded.filename };
  }
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new TypeError(`${name} is required`);
  return value;
}

/** `http://host:port/...` → `ws://host:port/ws`. */
function wsUrlOf(httpUrl: string): string {
  const url = new URL(httpUrl);
  return `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}/ws`;
}

const CONTENT_TYPES: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".txt": "text/plain", ".mp3": "audio/mpeg" };

function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}
