/**
 * upie's channels platform: Moobius-style channels where a service (a
 * program on the SDK in `sdk/`) decides what each member sees. One
 * WebSocket (`/ws`) for users and services, an HTTP API under `/api` for
 * accounts, channels, agents, groups, history and uploads, and a browser
 * page at `/`.
 * Run: `npm run channels` (the platform and the demo service), then open
 * http://127.0.0.1:8000 in two windows.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

import {
  App,
  HttpError,
  HttpMiddleware,
  RateLimit,
  route,
  StaticFiles,
  type AppOptions,
  type RateLimitOptions,
  type Request,
  type ResponseInit,
  type UploadedFile,
  type WebSocket,
} from "../../lib/index.js";
import { ChannelStore, publicCharacter, type Account, type Role, type StoreLimits } from "./channel-store.js";
import { DEFAULT_FRAME_RATE, Platform, PlatformConnection, type FrameRate } from "./platform.js";
import { ProtocolError, USERNAME, id, list, text, type MessageBody } from "./protocol.js";

/** Options for {@link ChannelsApp}: upie's own, plus the platform's. */
export interface ChannelsOptions extends AppOptions {
  /** Bounds of the in-memory store. */
  storeLimits?: Partial<StoreLimits>;
  /** Frames one WebSocket may send (a token bucket); `false` for no limit. Default {@link DEFAULT_FRAME_RATE}. */
  frameRate?: FrameRate | false;
  /** Sign-up and sign-in attempts per client address; `false` for none. Default: bursts of 30, then 2 per second. */
  authRate?: RateLimitOptions | false;
}

const HERE = (path: string) => fileURLToPath(new URL(path, import.meta.url));
/** Largest upload (bytes). */
export const MAX_UPLOAD = 2 * 1024 * 1024;
const MAX_HISTORY_PAGE = 200;

export class ChannelsApp extends App {
  readonly platform: Platform;
  readonly #page = readFileSync(HERE("./public/index.html"), "utf8");
  readonly #frameRate: FrameRate | undefined;

  constructor(options: ChannelsOptions = {}) {
    const { storeLimits, authRate = {}, frameRate = DEFAULT_FRAME_RATE, ...appOptions } = options;
    super({
      limits: { bodySize: 64 * 1024, fileSize: MAX_UPLOAD, files: 1, fields: 8, parts: 10 },
      websocket: { maxPayloadLength: 128 * 1024 },
      ...appOptions,
    });
    this.platform = new Platform(new ChannelStore(storeLimits));
    if (frameRate !== false && !(frameRate.perSecond > 0 && frameRate.burst >= 1)) throw new RangeError("frameRate needs perSecond > 0 and burst >= 1");
    this.#frameRate = frameRate === false ? undefined : frameRate;
    if (authRate !== false) {
      const onAuth = (request: Request) => (request.method === "POST" && request.path.startsWith("/api/sign_") ? request.remoteAddress : undefined);
      this.middlewares.push(new RateLimit({ capacity: 30, refillPerSecond: 2, key: onAuth, ...authRate }));
    }
    this.middlewares.push(new StaticFiles({ root: HERE("./public"), prefix: "/static", maxAge: 300 }), new SecurityHeaders());
  }

  get store(): ChannelStore {
    return this.platform.store;
  }

  /** `GET /`: the browser page. */
  async index() {
    return this.#page;
  }

  /** `POST /api/sign_up` `{username, password, role?, name?}`: a new user (or, with `role: "service"`, a service account). */
  @route("/api/sign_up", { methods: ["POST"] })
  async sign_up(username: string, password: string, role = "user", name = "") {
    if (!USERNAME.test(username)) throw new HttpError(400, "username: 1 to 32 letters, digits or underscores");
    if (password.length < 8 || password.length > 200) throw new HttpError(400, "password: 8 to 200 characters");
    if (role !== "user" && role !== "service") throw new HttpError(400, 'role: "user" or "service"');
    if (name.length > 64) throw new HttpError(400, "name: at most 64 characters");
    const account = await this._api(() => this.store.signUp(username, password, role as Role, name || username));
    return [201, { id: account.id, username, role }];
  }

  /** `POST /api/sign_in` `{username, password}`: an access token for the WebSocket login and the API. */
  @route("/api/sign_in", { methods: ["POST"] })
  async sign_in(username: string, password: string) {
    const account = await this.store.signIn(username.slice(0, 64), password.slice(0, 200));
    if (account === undefined) throw new HttpError(401, "wrong username or password");
    return { access_token: this.store.issueToken(account), id: account.id, username: account.username, role: account.role };
  }

  /** `POST /api/sign_out`: the token stops working. */
  @route("/api/sign_out", { methods: ["POST"] })
  async sign_out() {
    this._account();
    this.store.revokeToken(bearer(this.request)!);
    return { ok: true };
  }

  /** `GET /api/channels`: every channel, and whether its service is online. */
  @route("/api/channels", { methods: ["GET"] })
  async channel_list() {
    this._account();
    return { channels: this.store.channels().map((info) => ({ ...info, service_online: this._serviceOnline(info.channel_id) })) };
  }

  /** `POST /api/channels/create` `{channel_name, channel_desc, bind?}`: a new channel (a service's, bound to it unless `bind` is false). */
  @route("/api/channels/create", { methods: ["POST"] })
  async channel_create(channel_name: string, channel_desc = "", bind = "true") {
    const account = this._account();
    const name = this._check(() => text(channel_name, "channel_name", undefined, 100));
    const description = this._check(() => text(channel_desc, "channel_desc", "", 1000));
    const owner = account.role === "service" && String(bind) !== "false" ? account.id : undefined;
    return [201, await this._api(async () => this.store.createChannel(name, description, owner))];
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
    const service = this._account("service");
    this._channel(channel_id);
    await this._api(async () => this.store.bind(channel_id, service.id));
    return { ok: true };
  }

  /** `POST /api/channels/<id>/unbind`. */
  @route("/api/channels/:channel_id/unbind", { methods: ["POST"] })
  async channel_unbind(channel_id: string) {
    const service = this._account("service");
    this._channel(channel_id);
    this.store.unbind(channel_id, service.id);
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
    const members = [...channel.members].flatMap((userId) => {
      const character = this.store.character(userId);
      return character === undefined ? [] : [publicCharacter(character)];
    });
    const agents = channel.serviceId === undefined ? [] : this.store.agents(channel.serviceId);
    return { characters: [...members, ...agents] };
  }

  /**
   * `GET /api/channels/<id>/history?limit=&before=<timestamp>`: messages,
   * oldest first. A user sees the messages addressed to them; the bound
   * service sees everything, `message_up`s included.
   */
  @route("/api/channels/:channel_id/history", { methods: ["GET"] })
  async channel_history(channel_id: string) {
    const account = this._account();
    const channel = this._channel(channel_id);
    const limit = this._integerQuery("limit", 50, MAX_HISTORY_PAGE);
    const before = this._integerQuery("before", Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    let visible: MessageBody[];
    if (account.role === "service") {
      if (channel.serviceId !== account.id) throw new HttpError(403, "the channel is not bound to this service");
      visible = channel.history;
    } else {
      if (!channel.members.has(account.id)) throw new HttpError(403, "you are not a member of this channel");
      visible = channel.history.filter((m) => m.sender === account.id || this._addressedTo(m, account.id));
    }
    const page = visible.filter((m) => m.timestamp < before);
    return { messages: page.slice(-limit) };
  }

  /** `POST /api/agents/create` `{name, avatar?, description?}`: an agent (a bot character) of the calling service. */
  @route("/api/agents/create", { methods: ["POST"] })
  async agent_create(name: string, avatar = "", description = "") {
    const service = this._account("service");
    const agentName = this._check(() => text(name, "name", undefined, 64));
    const agentDescription = this._check(() => text(description, "description", "", 1000));
    const agentAvatar = this._check(() => text(avatar, "avatar", "", 500));
    return [201, await this._api(async () => this.store.createAgent(service.id, agentName, agentAvatar || undefined, agentDescription || undefined))];
  }

  /** `GET /api/agents`: the calling service's agents. */
  @route("/api/agents", { methods: ["GET"] })
  async agent_list() {
    return { agents: this.store.agents(this._account("service").id) };
  }

  /** `POST /api/groups/create` `{characters: [id, …]}`: a group id to use as `recipients` or `characters`. */
  @route("/api/groups/create", { methods: ["POST"] })
  async group_create() {
    this._account("service");
    const ids = this._check(() => list(this.request.json("characters"), "characters").map((c) => id(c, "characters[]")));
    return [201, { group_id: this.store.createGroup(ids) }];
  }

  /** `GET /api/groups/<id>`: the character ids in a group. */
  @route("/api/groups/:group_id", { methods: ["GET"] })
  async group_fetch(group_id: string) {
    this._account();
    const members = this.store.group(group_id);
    if (members === undefined) throw new HttpError(404, "no such group");
    return { group_id, characters: members };
  }

  /** `POST /api/upload` (multipart field `file`, at most {@link MAX_UPLOAD} bytes): `{path, size, filename}` for an image or file message. */
  @route("/api/upload", { methods: ["POST"] })
  async upload(file: UploadedFile) {
    this._account();
    const filename = file.filename.replace(/[^\w.\- ]/g, "_").slice(-100) || "file";
    const bytes = new Uint8Array(await file.arrayBuffer());
    const stored = await this._api(async () => this.store.storeFile(filename, file.contentType, bytes));
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
    const connection = new PlatformConnection(ws, this.#frameRate);
    try {
      for await (const frame of ws) this.platform.receive(connection, frame);
    } finally {
      this.platform.disconnect(connection);
    }
  }

  /** The account of the request's `Authorization: Bearer` token (of `role`, if given), else 401/403. */
  _account(role?: Role): Account {
    const account = this.store.accountForToken(bearer(this.request));
    if (account === undefined) throw new HttpError(401, "sign in first: Authorization: Bearer <access_token>");
    if (role !== undefined && account.role !== role) throw new HttpError(403, `only a ${role} may do this`);
    return account;
  }

  _channel(channelId: string) {
    const channel = this.store.channel(channelId);
    if (channel === undefined) throw new HttpError(404, "no such channel");
    return channel;
  }

  _serviceOnline(channelId: string): boolean {
    const serviceId = this.store.channel(channelId)?.serviceId;
    return serviceId !== undefined && this.platform.isServiceOnline(serviceId);
  }

  _addressedTo(message: MessageBody, userId: string): boolean {
    const to = message.recipients;
    if (to === "service") return false;
    return (typeof to === "string" ? (this.store.group(to) ?? []) : to).includes(userId);
  }

  /** Runs a check; its {@link ProtocolError} becomes a 400. */
  _check<T>(check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof ProtocolError) throw new HttpError(400, error.message);
      throw error;
    }
  }

  /** Runs a store call; a refusal becomes a 409 (or 507 when the store is full). */
  async _api<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof ProtocolError) throw new HttpError(error.name === "StoreFullError" ? 507 : 409, error.message);
      throw error;
    }
  }

  /** A whole-number query parameter in 1..max, `fallback` when absent; 400 otherwise. */
  _integerQuery(name: string, fallback: number, max: number): number {
    const raw = this.request.query(name);
    if (raw === undefined || raw === "") return fallback;
    if (!/^[0-9]{1,16}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw new HttpError(400, `${name} must be a whole number from 1 to ${max}`);
    return Number(raw);
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
function bearer(request: Request): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
}

/**
 * Headers every response gets: a Content-Security-Policy allowing only this
 * origin's scripts, styles and images (no inline script, so injected markup
 * cannot run), no framing, no sniffing, nothing cached.
 */
class SecurityHeaders extends HttpMiddleware {
  override afterRequest(_request: Request, response: ResponseInit): void {
    const headers = response.headers;
    headers["content-security-policy"] ??=
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    headers["x-content-type-options"] ??= "nosniff";
    headers["referrer-policy"] ??= "same-origin";
    headers["cache-control"] ??= "no-store";
  }
}

// Started directly, not imported: serve on HOST/PORT (`npm run channels` also starts the demo service).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await new ChannelsApp().listen({ port: Number(process.env.PORT ?? 8000), host: process.env.HOST ?? "127.0.0.1" });
  console.log(`upie channels platform on http://${server.host}:${server.port} (uWS ${server.uws.version} from ${server.uws.package})`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
