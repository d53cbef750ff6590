/**
 * upie's private chat: one-to-one dialogs over WebSocket, speaking
 * django-private-chat's packets, with a browser UI.
 * Run: `npm start` (the runner, `upie examples/private-chat/app.ts`), then open
 * http://127.0.0.1:8000 in two browser windows (one private) and log in as two people.
 * On N processes: `REDIS_URL=redis://127.0.0.1:6379 npm run start:cluster -- --workers 4`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

import {
  App,
  HttpError,
  RateLimit,
  redirect,
  route,
  SecurityHeaders,
  StaticFiles,
  type AppOptions,
  type MessageRate,
  type RateLimitOptions,
  type Request,
  type WebSocket,
} from "upie";
import { ChatConnection, DEFAULT_PACKET_RATE } from "./chat-hub.js";
import { ChatService } from "./chat-service.js";
import { ChatStoreFullError, InMemoryChatStore, type ChatMessage, type ChatStore } from "./chat-store.js";
import { chatFromEnv } from "./chat-from-env.js";
import type { Presence } from "./presence.js";
import { USERNAME } from "./protocol.js";

/** Options for {@link PrivateChatApp}: upie's own, plus the chat's. */
export interface PrivateChatOptions extends AppOptions {
  /** Where users and messages live. Default: a new {@link InMemoryChatStore} (`npm start` uses SQLite). */
  store?: ChatStore;
  /** Who is online, across processes. Default: this process only. */
  presence?: Presence;
  /** Packets a socket may send (`websocket.messageRate`; past it the socket closes with 1008). Default: 20 per second, bursts of 40. */
  packetRate?: MessageRate;
  /** Login attempts per client address (`POST /login`); `false` for none. Default: bursts of 20, then 1 per second. */
  loginRate?: RateLimitOptions | false;
}

/** Messages per history page when `limit` is not given, and the most a page may have. */
const DEFAULT_PAGE = 30;
const MAX_PAGE = 100;
const HERE = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export class PrivateChatApp extends App {
  /** The chat's state and rules (store, connected sockets). */
  readonly chat: ChatService;

  constructor(options: PrivateChatOptions = {}) {
    const { store = new InMemoryChatStore(), presence, packetRate = DEFAULT_PACKET_RATE, loginRate = {}, ...appOptions } = options;
    super({ templates: HERE("./templates"), ...appOptions, websocket: { messageRate: packetRate, ...appOptions.websocket } });
    this.chat = new ChatService(store, { publish: (topic, text) => this.publish(topic, text), presence });
    if (loginRate !== false) {
      const onLogin = (request: Request) => (request.method === "POST" && request.path === "/login" ? request.remoteAddress : undefined);
      this.middlewares.push(new RateLimit({ capacity: 20, refillPerSecond: 1, key: onLogin, ...loginRate }));
    }
    this.middlewares.push(new StaticFiles({ root: HERE("./public"), prefix: "/static", maxAge: 300 }), new SecurityHeaders({ cacheControl: "no-store" }));
    this.shutdownHandlers.push(() => this.chat.close());
  }

  /** `GET /`: your dialogs, and a box to start one. */
  async index() {
    const me = await this._me();
    if (me === undefined) return redirect("/login", 303);
    return this.renderTemplate("dialogs.html", await this._page(me));
  }

  /** `GET /login` shows the form; `POST /login` logs in as `username` and goes to `/`. */
  @route({ methods: ["GET", "POST"] })
  async login() {
    if (this.request.method !== "POST") {
      if ((await this._me()) !== undefined) return redirect("/", 303);
      return this.renderTemplate("login.html", {});
    }
    const username = this.request.form("username") ?? this.request.json("username");
    if (typeof username !== "string" || !USERNAME.test(username)) {
      const error = "A username is 1 to 32 letters, digits or underscores.";
      return [400, await this.renderTemplate("login.html", { error, username: typeof username === "string" ? username.slice(0, 64) : "" })];
    }
    try {
      await this.chat.store.registerUser(username);
    } catch (error) {
      if (error instanceof ChatStoreFullError) return [503, await this.renderTemplate("login.html", { error: error.message, username })];
      throw error;
    }
    this.request.regenerateSession(); // a new id on login: against session fixation
    this.request.session.user = username;
    return redirect("/", 303);
  }

  /** `POST /logout`: ends the session and closes its sockets (POST only: a link or image elsewhere cannot log you out). */
  @route({ methods: ["POST"] })
  async logout() {
    const sessionKey = this.request.cookies.session_id;
    if (sessionKey !== undefined) this.chat.hub.closeSession(sessionKey, 4001, "logged out");
    this.request.session = {};
    return redirect("/login", 303);
  }

  /** `GET /dialogs/<username>`: the chat with that user. `/dialogs?username=` (the start box) redirects there. */
  async dialogs(username = "") {
    const me = await this._me();
    if (me === undefined) return redirect("/login", 303);
    if (username === "") return redirect("/", 303);
    if (this.request.path === "/dialogs") return redirect(`/dialogs/${encodeURIComponent(username)}`, 303);
    const problem = await this._checkPartner(me, username);
    if (problem !== undefined) return [problem.status, await this.renderTemplate("dialogs.html", { ...(await this._page(me)), notice: problem.message })];
    await this.chat.store.openDialog(me, username);
    const page = await this._page(me);
    return this.renderTemplate("chat.html", { ...page, opponent: username, opponentOnline: await this.chat.presence.isOnline(username) });
  }

  /** `GET /api/dialogs/<username>/messages?before=<id>&limit=<n>`: history as JSON, newest last. */
  @route("/api/dialogs/:username/messages", { methods: ["GET"] })
  async messages(username: string) {
    const me = await this._me();
    if (me === undefined) return [401, { error: "not logged in" }];
    const problem = await this._checkPartner(me, username);
    if (problem !== undefined) return [problem.status, { error: problem.message }];
    const before = this._integerQuery("before", undefined, Number.MAX_SAFE_INTEGER);
    const limit = this._integerQuery("limit", DEFAULT_PAGE, MAX_PAGE)!;
    const page = await this.chat.store.history(me, username, { before, limit });
    return { messages: page.messages.map(messageJson), has_more: page.hasMore };
  }

  /** WebSocket `/chat`: the session cookie says who you are; no logged-in session, no socket (403). */
  async ws_chat(ws: WebSocket) {
    const me = await this._me();
    const sessionKey = this.request.cookies.session_id;
    // Cross-site handshakes never get here: upie's `websocket.origins` default
    // refuses a cookie-carrying handshake from another origin with 403.
    if (me === undefined || sessionKey === undefined) return;
    await ws.accept();
    const connection = new ChatConnection(ws, me, sessionKey);
    await this.chat.connect(connection);
    try {
      for await (const text of ws) await this.chat.receive(connection, text);
    } finally {
      await this.chat.disconnect(connection);
    }
  }

  /** The logged-in username, if the session has one the store knows. */
  async _me(): Promise<string | undefined> {
    const user = this.request.session.user;
    if (typeof user !== "string" || (await this.chat.store.getUser(user)) === undefined) return undefined;
    return user;
  }

  /** Why `me` cannot talk to `username`, or undefined when they can. */
  async _checkPartner(me: string, username: string): Promise<{ status: number; message: string } | undefined> {
    if (!USERNAME.test(username)) return { status: 400, message: "A username is 1 to 32 letters, digits or underscores." };
    if (username === me) return { status: 400, message: "You cannot start a dialog with yourself." };
    if ((await this.chat.store.getUser(username)) === undefined) {
      return { status: 404, message: `Nobody called ${username} has logged in yet.` };
    }
    return undefined;
  }

  /** What every logged-in page shows: who you are and your dialogs. */
  async _page(me: string) {
    const summaries = await this.chat.store.dialogs(me);
    // One question per partner (pipelined on one Redis connection), not the whole online list.
    const online = await Promise.all(summaries.map((d) => this.chat.presence.isOnline(d.partner)));
    const dialogs = summaries.map((d, i) => ({
      partner: d.partner,
      unread: d.unread,
      online: online[i],
      preview: d.last === undefined ? "" : `${d.last.sender === me ? "You: " : ""}${d.last.text.slice(0, 80)}`,
      time: d.last?.created ?? "",
    }));
    return { me, dialogs };
  }

  /** A whole-number query parameter in 1..max, `fallback` when absent; 400 otherwise. */
  _integerQuery(name: string, fallback: number | undefined, max: number): number | undefined {
    const raw = this.request.query(name);
    if (raw === undefined || raw === "") return fallback;
    if (!/^[0-9]{1,16}$/.test(raw) || Number(raw) < 1 || Number(raw) > max) {
      throw new HttpError(400, `${name} must be a whole number from 1 to ${max}`);
    }
    return Number(raw);
  }
}

/** A message as the history API returns it: the field names of the `new-message` packet. */
function messageJson(message: ChatMessage) {
  return {
    message_id: message.id,
    sender_name: message.sender,
    username: message.recipient,
    message: message.text,
    created: message.created,
    read: message.read,
  };
}

/**
 * What `npm start` serves (`upie examples/private-chat/app.ts`): the chat with
 * the SQLite file CHAT_DB and, when REDIS_URL is set, Redis for pub/sub,
 * sessions and presence (see chat-from-env.ts). HOST, PORT, `--workers` and
 * signals are the runner's.
 */
export default async function privateChat(): Promise<PrivateChatApp> {
  const setup = await chatFromEnv(process.env);
  const app = new PrivateChatApp(setup.options);
  app.startupHandlers.push(setup.ready);
  app.shutdownHandlers.push(setup.close);
  console.log(`upie private chat: ${setup.description}; log in as two people in two windows`);
  return app;
}
