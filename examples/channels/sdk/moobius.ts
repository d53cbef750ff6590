/**
 * `Moobius`: the service SDK (seed 001's `Moobius` class, all 68 methods, in
 * camelCase) on upie's `WSClient`: the socket half (lifecycle, frames,
 * callbacks) on top of {@link MoobiusApi}, the HTTP half. Subclass it and
 * override the `on*` callbacks; call the `send*` / `fetch*` methods. In `"user"` mode the same
 * class is a user program: it joins channels, sends `message_up` and hears
 * `message_down` and updates. `SEED_METHODS` (seed-methods.ts) maps every
 * seed name to its method here.
 *
 * @module
 */
import { readFile } from "node:fs/promises";

import { WSClient } from "upie/client";
import type { Character, MessageBody } from "../protocol.js";
import { inferSubtype, messageContent, type Recipients, type SendMessageOptions } from "./message.js";
import { MoobiusApi, idOf, type MoobiusOptions } from "./moobius-api.js";
import { Wand } from "./wand.js";

export type { Recipients, SendMessageOptions } from "./message.js";
export type { Group, MoobiusOptions } from "./moobius-api.js";

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

/** A frame as sent: what every `send*` resolves with (or would send, with `dryRun`). */
export interface Frame {
  type: string;
  request_id: string;
  body: Record<string, unknown>;
  [extra: string]: unknown;
}

const MIN_RELOGIN_MS = 2_000;

/** The callback for each subtype of an inbound `action`, and (user mode) of an `update`. */
const ON_ACTION = { join: "onJoin", leave: "onLeave", button_click: "onButtonClick", menu_item_click: "onMenuItemClick", refresh: "onRefresh" } as const;
const ON_UPDATE = {
  characters: "onUpdateCharacters",
  buttons: "onUpdateButtons",
  menu: "onUpdateMenu",
  canvas: "onUpdateCanvas",
  style: "onUpdateStyle",
  channel_info: "onUpdateChannelInfo",
  service_status: "onUpdateServiceStatus",
} as const;

export class Moobius extends MoobiusApi {
  /** Hands this service spells from elsewhere in the process; `listenLoop()` reads them. */
  readonly wand = new Wand();
  /** The agent used as `sender` when a service's message names none. */
  defaultSender: string | undefined;
  #ws: WSClient | undefined;
  #lastRelogin = 0;
  #refreshTimer: NodeJS.Timeout | undefined;
  /** Resolves once `onStart` has run: the seed starts listening only after it. */
  readonly #started: Promise<void>;
  #markStarted!: () => void;

  constructor(options: MoobiusOptions) {
    super(options);
    this.#started = new Promise((resolve) => (this.#markStarted = resolve));
  }

  /** The underlying client (after `start()`). */
  get ws(): WSClient {
    if (this.#ws === undefined) throw new Error("start() first");
    return this.#ws;
  }

  // ── Lifecycle ────────────────────────────────────────────────────────

  /**
   * The seed's six steps: authenticate → connect (logging in on every
   * connect) → bind (service) or join (user) the channels → schedule
   * heartbeats and token refreshes → `onStart()` → `beforeChannelInit()`,
   * `onChannelInit(id)` per channel, and the wand's `listenLoop()`. Inbound
   * frames (but `copy`) are handled from `onStart()`'s end on, one at a
   * time. Resolves when the steps are done; `stop()` ends it.
   */
  async start(): Promise<void> {
    await this.authenticate();
    this.#ws = new WSClient(this.options.wsUrl ?? wsUrlOf(this.options.httpUrl), {
      onConnect: async () => void (this.mode === "service" ? await this.sendServiceLogin() : await this.sendUserLogin()),
      handle: (message) => this.handleReceivedPayload(message),
      heartbeat: { intervalMs: this.options.heartbeatMs!, message: () => this.#frame("heartbeat", {}) },
      ...(this.options.reconnect === undefined ? {} : { reconnect: this.options.reconnect }),
      ...(this.options.WebSocket === undefined ? {} : { WebSocket: this.options.WebSocket }),
      ...(this.options.logger === undefined ? {} : { logger: this.options.logger }),
    });
    let channels: string[] = [];
    try {
      await this.#ws.connect();
      if (this.mode === "service") {
        channels = await this.trueChannelList();
        for (const channelId of channels) await this.bindServiceToChannel(channelId);
      } else {
        channels = await this.userJoinServiceChannels();
      }
      if (this.options.refreshMs! > 0) this.#refreshTimer = setInterval(() => this.#refreshQuietly(), this.options.refreshMs!).unref();
      await this.onStart();
    } finally {
      this.#markStarted();
    }
    await this.beforeChannelInit();
    for (const channelId of channels) await this.onChannelInit(channelId);
    this.listenLoop().catch((error) => this._log("moobius: the wand's loop failed", error));
  }

  /** Closes the socket (no more reconnects) and the wand. */
  async stop(): Promise<void> {
    clearInterval(this.#refreshTimer);
    this.wand.close();
    await this.#ws?.close();
  }

  /** Reads the wand's spells, in order, into `onSpell`, until `stop()`. */
  async listenLoop(): Promise<void> {
    for await (const spell of this.wand) {
      try {
        await this.onSpell(spell);
      } catch (error) {
        this._log("moobius: onSpell threw", error);
      }
    }
  }

  /** The channels this service ends up bound to: the configured ones, else those already bound to it. */
  async trueChannelList(): Promise<string[]> {
    return this.options.channels!.length > 0 ? [...this.options.channels!] : this.fetchBoundChannels();
  }

  /** Joins (user mode) the channels of a service config: an object with `channels`, a JSON file's path, or the options' channels. */
  async userJoinServiceChannels(config?: string | { channels?: string[] }): Promise<string[]> {
    const source = typeof config === "string" ? (JSON.parse(await readFile(config, "utf8")) as { channels?: string[] }) : config;
    const channels = source?.channels ?? this.options.channels!;
    for (const channelId of channels) await this.sendJoinChannel(channelId);
    return [...channels];
  }

  /** Stops, then ends the session on the platform (its sockets get 4401). */
  async signOut(): Promise<void> {
    await this.stop();
    await this.http.signOut();
  }

  updateChannel(channelId: string, channelName: string, channelDesc: string, dryRun = false): Promise<Frame> {
    return this.send("update", { channel_id: channelId, channel_name: channelName, channel_description: channelDesc }, { subtype: "channel_info", channel_id: channelId, service_id: this.clientId }, dryRun);
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
    const callback = callbackFor(ON_ACTION, action.subtype);
    return callback === undefined ? this.onUnknownPayload(action) : this[callback](action);
  }

  /** Dispatches an update (user mode) to the `onUpdate*` callbacks. */
  async onUpdate(update: Update): Promise<void> {
    const callback = callbackFor(ON_UPDATE, update.subtype);
    return callback === undefined ? this.onUnknownPayload(update) : this[callback](update);
  }

  async #copy(copy: Copy): Promise<void> {
    // A refused login (an expired or revoked token): sign in again and log in again, not in a tight loop.
    if (!copy.status && copy.origin_type.endsWith("_login") && Date.now() - this.#lastRelogin > MIN_RELOGIN_MS) {
      this.#lastRelogin = Date.now();
      try {
        await this.authenticate();
        await (this.mode === "service" ? this.sendServiceLogin() : this.sendUserLogin());
      } catch (error) {
        this._log("moobius: signing in again failed", error);
      }
    }
    return this.onCopyClient(copy);
  }

  // ── Callbacks to override ────────────────────────────────────────────
  async onStart(): Promise<void> {}
  /** Right before the channels are initialised (once per start). */
  async beforeChannelInit(): Promise<void> {}
  /** Once per channel at start; by default a check-in (every member synced). */
  async onChannelInit(channelId: string): Promise<void> {
    await this.onChannelCheckin(channelId);
  }
  /** Brings a channel's members up to date: by default `doMemberSync` for each. */
  async onChannelCheckin(channelId: string): Promise<void> {
    for (const member of await this.fetchMemberIds(channelId)) await this.doMemberSync(channelId, member);
  }
  /**
   * Gives one member the full picture. By default: the channel's characters
   * (members and this service's agents); override to add buttons, a menu, a canvas.
   */
  async doMemberSync(channelId: string, character: string | Character): Promise<void> {
    const ids = (await this.fetchCharacters(channelId)).map((c) => c.character_id);
    await this.sendCharacters(ids, channelId, [idOf(character)]);
  }
  async onSpell(_obj: unknown): Promise<void> {}
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

  /** Sends any frame `{type, request_id, ...extras, body}`; resolves with it (`dryRun`: builds it only). */
  async send(type: string, body: Record<string, unknown>, extras: Record<string, unknown> = {}, dryRun = false): Promise<Frame> {
    const frame = this.#frame(type, body, extras);
    if (!dryRun) await this.ws.send(frame);
    return frame;
  }

  /**
   * Sends a message: `message_down` from a service, `message_up` from a
   * user. A string is text; `image` / `audio` / `path` make an image, audio
   * or file message (a local file is uploaded first, unless `dryRun`);
   * `link` / `title` / `button` make a card. Resolves with the frame.
   */
  async sendMessage(message: string | SendMessageOptions, options: SendMessageOptions = {}): Promise<Frame> {
    const o: SendMessageOptions = typeof message === "string" ? { text: message, ...options } : { ...message, ...options };
    const channelId = required(o.channelId, "channelId");
    const source = o.image ?? o.audio ?? o.path;
    const file = source === undefined ? undefined : await this._filePath(source, o.fileDisplayName, o.dryRun === true);
    const body: Record<string, unknown> = { subtype: inferSubtype(o), channel_id: channelId, content: messageContent(o, file), timestamp: Date.now(), context: o.context ?? {} };
    if (this.mode === "user") return this.send("message_up", { ...body, recipients: o.recipients ?? "service" }, { user_id: this.clientId, service_id: "" }, o.dryRun);
    const down = { ...body, recipients: required(o.recipients, "recipients"), sender: required(o.sender ?? this.defaultSender, "sender") };
    return this.send("message_down", down, { service_id: this.clientId }, o.dryRun);
  }

  /** A generic update (`data` is its body); `targetClientId` is the seed's, unused there too. */
  sendUpdate(data: Record<string, unknown>, _targetClientId?: string, dryRun = false): Promise<Frame> {
    return this.send("update", data, { service_id: this.clientId }, dryRun);
  }

  /** Sets the member list the recipients see: `characters` is a group id or a list of character ids. */
  sendCharacters(characters: Recipients, channelId: string, recipients: Recipients, dryRun = false): Promise<Frame> {
    return this.#update("characters", { characters }, channelId, recipients, dryRun);
  }

  sendButtons(buttons: object[], channelId: string, recipients: Recipients, dryRun = false): Promise<Frame> {
    return this.#update("buttons", buttons, channelId, recipients, dryRun);
  }

  sendMenu(menuItems: object[], channelId: string, recipients: Recipients, dryRun = false): Promise<Frame> {
    return this.#update("menu", menuItems, channelId, recipients, dryRun);
  }

  /** Style items; one item (an object) is sent as a one-item list, as the SDK does. */
  sendStyle(styleItems: object | object[], channelId: string, recipients: Recipients, dryRun = false): Promise<Frame> {
    return this.#update("style", Array.isArray(styleItems) ? styleItems : [styleItems], channelId, recipients, dryRun);
  }

  sendCanvas(canvasItems: object | object[], channelId: string, recipients: Recipients, dryRun = false): Promise<Frame> {
    return this.#update("canvas", Array.isArray(canvasItems) ? canvasItems : [canvasItems], channelId, recipients, dryRun);
  }

  /** Sends a heartbeat now (the client also sends one every `heartbeatMs`). */
  sendHeartbeat(dryRun = false): Promise<Frame> {
    return this.send("heartbeat", {}, {}, dryRun);
  }

  /** The service's login; sent after every connect. */
  sendServiceLogin(dryRun = false): Promise<Frame> {
    return this.send("service_login", {}, { auth_origin: "upie", access_token: this.http.token, service_id: this.clientId }, dryRun);
  }

  /** A user program's login; sent after every connect. */
  sendUserLogin(dryRun = false): Promise<Frame> {
    return this.send("user_login", {}, { auth_origin: "upie", access_token: this.http.token }, dryRun);
  }

  // user mode
  sendJoinChannel(channelId: string, dryRun = false): Promise<Frame> {
    return this.#action({ subtype: "join_channel", channel_id: channelId }, dryRun);
  }

  sendLeaveChannel(channelId: string, dryRun = false): Promise<Frame> {
    return this.#action({ subtype: "leave_channel", channel_id: channelId }, dryRun);
  }

  sendRefresh(channelId: string, dryRun = false): Promise<Frame> {
    return this.#action({ subtype: "refresh", channel_id: channelId }, dryRun);
  }

  sendButtonClick(channelId: string, buttonId: string, args: { label: string; value: string }[] = [], bottomButtonId?: string, dryRun = false): Promise<Frame> {
    const bottom = bottomButtonId === undefined ? {} : { bottom_button_id: bottomButtonId };
    return this.#action({ subtype: "button_click", channel_id: channelId, button_id: buttonId, arguments: args, ...bottom }, dryRun);
  }

  sendMenuItemClick(channelId: string, menuItemId: string, message: MessageBody, args: { label: string; value: string }[] = [], dryRun = false): Promise<Frame> {
    const about = { message_id: message.message_id, message_subtype: message.subtype, message_content: message.content };
    return this.#action({ subtype: "menu_item_click", channel_id: channelId, menu_item_id: menuItemId, ...about, arguments: args }, dryRun);
  }

  #action(body: Record<string, unknown>, dryRun: boolean): Promise<Frame> {
    return this.send("action", { ...body, context: {} }, { user_id: this.clientId }, dryRun);
  }

  #update(subtype: string, content: unknown, channelId: string, recipients: Recipients, dryRun: boolean): Promise<Frame> {
    return this.send("update", { subtype, channel_id: channelId, content, recipients, context: {} }, { service_id: this.clientId }, dryRun);
  }

  #frame(type: string, body: Record<string, unknown>, extras: Record<string, unknown> = {}): Frame {
    return { type, request_id: crypto.randomUUID(), ...extras, body };
  }

  #refreshQuietly(): void {
    this.refreshAuthentication().catch((error) => this._log("moobius: refreshing the token failed", error));
  }

}

/** The callback `table` names for `subtype`; own keys only, so `"constructor"` names none. */
function callbackFor<T extends Record<string, string>>(table: T, subtype: string): T[keyof T] | undefined {
  return Object.hasOwn(table, subtype) ? table[subtype as keyof T] : undefined;
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
