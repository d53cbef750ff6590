/**
 * upie's channels platform: Moobius-style channels where a service (a
 * program on the SDK in `sdk/`) decides what each member sees. One
 * WebSocket (`/ws`) for users and services, an HTTP API under `/api` for
 * accounts, channels, agents, groups, history and uploads, and a browser
 * page at `/`.
 * Run: `npm run channels` (the platform and the demo service), then open
 * http://127.0.0.1:8000 in two windows; the platform alone is upie's runner:
 * `npm run upie -- examples/channels/app.ts`.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { HttpError, route, type UploadedFile, type WebSocket } from "upie";
import { AccountsApi, profileChanges } from "./accounts-api.js";
import { MAX_UPLOAD } from "./channels-base.js";
import { publicCharacter } from "./channel-store.js";
import { PlatformConnection } from "./platform.js";
import { id, list, text, type MessageBody } from "./protocol.js";

export { MAX_UPLOAD, type ChannelsOptions } from "./channels-base.js";

const HERE = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** Most messages one history page returns; a bigger `limit` is cut to this. */
export const MAX_HISTORY_PAGE = 200;

export class ChannelsApp extends AccountsApi {
  readonly #page = readFileSync(HERE("./public/index.html"), "utf8");
  readonly #favicon = readFileSync(HERE("./public/favicon.svg"));

  /** `GET /`: the browser page. */
  async index() {
    return this.#page;
  }

  /** `GET /favicon.ico`: browsers ask for it whatever the page links; the SVG answers. */
  @route("/favicon.ico", { methods: ["GET"] })
  async favicon() {
    return [200, this.#favicon, { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" }];
  }

  // ── Channels ─────────────────────────────────────────────────────────

  /** `GET /api/channels`: every channel, and whether its service is online. */
  @route("/api/channels", { methods: ["GET"] })
  async channel_list() {
    this._account();
    return { channels: this.store.channels().map((info) => ({ ...info, service_online: this._serviceOnline(info.channel_id) })) };
  }

  /** `GET /api/popular_channels`: the ids of the channels with the most members. */
  @route("/api/popular_channels", { methods: ["GET"] })
  async popular_channels() {
    this._account();
    return { channel_ids: this.store.popularChannels() };
  }

  /** `GET /api/channel_bindings`: `{channel id: service id}` for every bound channel. */
  @route("/api/channel_bindings", { methods: ["GET"] })
  async channel_bindings() {
    this._account();
    return { bindings: this.store.bindings() };
  }

  /** `POST /api/channels/create` `{channel_name, channel_desc, bind?}`: a new channel (a service's, bound to it unless `bind` is false). */
  @route("/api/channels/create", { methods: ["POST"] })
  async channel_create(channel_name: string, channel_desc = "", bind = "true") {
    const account = this._account();
    const name = this._check(() => text(channel_name, "channel_name", undefined, 100));
    const description = this._check(() => text(channel_desc, "channel_desc", "", 1000));
    const serviceId = account.role === "service" && String(bind) !== "false" ? this._service() : undefined;
    return [201, await this._api(() => this.store.createChannel(name, description, serviceId, account.id))];
  }

  /** `GET /api/channels/<id>`: one channel's description. */
  @route("/api/channels/:channel_id", { methods: ["GET"] })
  async channel_fetch(channel_id: string) {
    this._account();
    const channel = this._channel(channel_id);
    return { ...channel.info, service_online: this._serviceOnline(channel_id) };
  }

  /** `POST /api/channels/<id>/bind`: the calling service takes the channel. */
  @route("/api/channels/:channel_id/bind", { methods: ["POST"] })
  async channel_bind(channel_id: string) {
    const serviceId = this._service();
    this._channel(channel_id);
    await this._api(() => this.store.bind(channel_id, serviceId));
    return { ok: true };
  }

  /** `POST /api/channels/<id>/unbind`. */
  @route("/api/channels/:channel_id/unbind", { methods: ["POST"] })
  async channel_unbind(channel_id: string) {
    const serviceId = this._service();
    this._channel(channel_id);
    this.store.unbind(channel_id, serviceId);
    return { ok: true };
  }

  /** `GET /api/channels/<id>/members`: the member (user) ids. */
  @route("/api/channels/:channel_id/members", { methods: ["GET"] })
  async channel_members(channel_id: string) {
    this._account();
    return { member_ids: [...this._channel(channel_id).members] };
  }

  /** `GET /api/channels/<id>/characters`: members and the bound service's agents, as Characters. */
  @route("/api/channels/:channel_id/characters", { methods: ["GET"] })
  async channel_characters(channel_id: string) {
    this._account();
    const channel = this._channel(channel_id);
    const agents = channel.serviceId === undefined ? [] : this.store.agents(channel.serviceId);
    return { characters: [...this._characters([...channel.members]), ...agents] };
  }

  /** `GET /api/channels/<id>/groups?temporary=`: the calling service's channel groups there (or the service groups it used there). */
  @route("/api/channels/:channel_id/groups", { methods: ["GET"] })
  async channel_groups(channel_id: string) {
    const serviceId = this._service();
    this._channel(channel_id);
    const temporary = this.request.query("temporary") === "true";
    return { groups: this.store.channelGroups(serviceId, channel_id, temporary).map(({ usedIn: _used, owner: _owner, ...group }) => group) };
  }

  /**
   * `GET /api/channels/<id>/history?limit=&before=<timestamp>`: messages,
   * oldest first, at most {@link MAX_HISTORY_PAGE}. A user sees the messages
   * addressed to them (as they saw them live); the bound service sees everything, `message_up`s included.
   */
  @route("/api/channels/:channel_id/history", { methods: ["GET"] })
  async channel_history(channel_id: string) {
    const account = this._account();
    const channel = this._channel(channel_id);
    const limit = this._integerQuery("limit", 50, MAX_HISTORY_PAGE);
    const before = this._integerQuery("before", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    let visible: MessageBody[];
    if (account.role === "service") {
      if (channel.serviceId === undefined || !this.store.accounts.owns(account, channel.serviceId)) throw new HttpError(403, "the channel is not bound to this service");
      visible = channel.history;
    } else {
      if (!channel.members.has(account.id)) throw new HttpError(403, "you are not a member of this channel");
      visible = channel.history.filter((m) => this._addressedTo(m, account.id)); // what reached them (their own message_ups went to the service)
    }
    const page = visible.filter((m) => m.timestamp < before);
    return { messages: page.slice(-limit) };
  }

  // ── Services, agents, characters, groups ─────────────────────────────

  /** `GET /api/services`: the services of the calling account. */
  @route("/api/services", { methods: ["GET"] })
  async service_list() {
    return { services: this.store.accounts.servicesOf(this._account("service").id) };
  }

  /** `POST /api/services/create` `{description?}`: another service of the calling account. */
  @route("/api/services/create", { methods: ["POST"] })
  async service_create(description = "") {
    const account = this._account("service");
    const checked = this._check(() => text(description, "description", "", 1000));
    return [201, await this._api(() => this.store.accounts.createService(account, checked))];
  }

  /** `GET /api/services/<id>/channels`: the channels bound to one of the calling account's services. */
  @route("/api/services/:service_id/channels", { methods: ["GET"] })
  async service_channels(service_id: string) {
    const account = this._account("service");
    if (!this.store.accounts.owns(account, service_id)) throw new HttpError(403, "not a service of this account");
    return { channel_ids: this.store.boundChannels(service_id) };
  }

  /** `POST /api/agents/create` `{name, avatar?, description?}`: an agent (a bot character) of the calling service. */
  @route("/api/agents/create", { methods: ["POST"] })
  async agent_create(name: string, avatar = "", description = "") {
    const serviceId = this._service();
    const agentName = this._check(() => text(name, "name", undefined, 64));
    const agentDescription = this._check(() => text(description, "description", "", 1000));
    const agentAvatar = this._check(() => text(avatar, "avatar", "", 500));
    return [201, await this._api(() => this.store.createAgent(serviceId, agentName, agentAvatar || undefined, agentDescription || undefined))];
  }

  /** `GET /api/agents`: the calling service's agents. */
  @route("/api/agents", { methods: ["GET"] })
  async agent_list() {
    return { agents: this.store.agents(this._service()) };
  }

  /** `POST /api/agents/<id>/update` `{name?, avatar?, description?}`: the calling service changes one of its agents. */
  @route("/api/agents/:character_id/update", { methods: ["POST"] })
  async agent_update(character_id: string) {
    const serviceId = this._service();
    if (this.store.character(character_id)?.owner !== serviceId) throw new HttpError(404, "no such agent of this service");
    return this.store.updateCharacter(character_id, this._check(() => profileChanges(this.request.json())));
  }

  /** `GET /api/characters?ids=a,b`: Character profiles (members or agents), at most 200. */
  @route("/api/characters", { methods: ["GET"] })
  async character_profiles() {
    this._account();
    const ids = this._check(() => list((this.request.query("ids") ?? "").split(",").filter(Boolean), "ids").map((c) => id(c, "ids[]")));
    return { characters: this._characters(ids) };
  }

  /**
   * `POST /api/groups/create` `{characters: [id, …], channel_id?, group_name?}`:
   * a group id to use as `recipients` or `characters`; with a channel and a
   * name it is a channel group.
   */
  @route("/api/groups/create", { methods: ["POST"] })
  async group_create() {
    const serviceId = this._service();
    const ids = this._check(() => list(this.request.json("characters"), "characters").map((c) => id(c, "characters[]")));
    const channelId = this.request.json("channel_id");
    let named: { name: string; channelId: string } | undefined;
    if (channelId !== undefined) {
      const channel = this._channel(this._check(() => id(channelId, "channel_id")));
      if (channel.serviceId !== serviceId) throw new HttpError(403, "the channel is not bound to this service");
      named = { channelId: channel.info.channel_id, name: this._check(() => text(this.request.json("group_name", ""), "group_name", "", 100)) };
    }
    return [201, { group_id: await this._api(() => this.store.createGroup(serviceId, ids, named)) }];
  }

  /** `GET /api/groups/<id>`: a group's character ids (and its name and channel, for a channel group). */
  @route("/api/groups/:group_id", { methods: ["GET"] })
  async group_fetch(group_id: string) {
    this._account();
    const group = this.store.group(group_id);
    if (group === undefined) throw new HttpError(404, "no such group");
    return { group_id, characters: group.characters, name: group.name ?? null, channel_id: group.channel_id ?? null, temporary: group.channel_id === undefined };
  }

  // ── Files ────────────────────────────────────────────────────────────

  /** `POST /api/upload` (multipart field `file`, at most {@link MAX_UPLOAD} bytes): `{path, size, filename}` for an image or file message. */
  @route("/api/upload", { methods: ["POST"] })
  async upload(file: UploadedFile) {
    const account = this._account();
    const filename = file.filename.replace(/[^\w.\- ]/g, "_").slice(-100) || "file";
    const bytes = new Uint8Array(await file.arrayBuffer());
    const stored = await this._api(() => this.store.storeFile(account.id, filename, file.contentType, bytes));
    return [201, { path: `/files/${stored.id}`, size: bytes.byteLength, filename }];
  }

  /** `GET /files/<id>`: an uploaded file; images inline, anything else as a download. */
  @route("/files/:file_id", { methods: ["GET"] })
  async files(file_id: string) {
    const file = this.store.file(file_id);
    if (file === undefined) throw new HttpError(404, "no such file");
    const image = /^image\/(png|jpeg|gif|webp)$/.test(file.contentType);
    return [
      200,
      file.bytes,
      {
        "content-type": image ? file.contentType : "application/octet-stream",
        "content-disposition": `${image ? "inline" : "attachment"}; filename="${file.filename}"`,
        "content-security-policy": "default-src 'none'; sandbox",
        "cache-control": "private, max-age=3600",
      },
    ];
  }

  /** WebSocket `/ws`: users and services; the first frame logs in (see the README's protocol table). */
  async ws_ws(ws: WebSocket) {
    await ws.accept();
    const connection = new PlatformConnection(ws);
    try {
      for await (const frame of ws) this.platform.receive(connection, frame);
    } finally {
      this.platform.disconnect(connection);
    }
  }

  /** Characters by id (unknown ids are left out). */
  _characters(ids: string[]) {
    return ids.flatMap((characterId) => {
      const character = this.store.character(characterId);
      return character === undefined ? [] : [publicCharacter(character)];
    });
  }

  _addressedTo(message: MessageBody, userId: string): boolean {
    const to = message.recipients;
    if (to === "service") return false;
    return (typeof to === "string" ? (this.store.group(to)?.characters ?? []) : to).includes(userId);
  }
}
