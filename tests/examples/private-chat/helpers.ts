/**
 * A private-chat server on 127.0.0.1 port 0 and `ws` clients that log in
 * over HTTP and present the session cookie in the handshake.
 */
import WebSocket from "ws";

import type { Server } from "../../../lib/index.js";
import { PrivateChatApp, type PrivateChatOptions } from "../../../examples/private-chat/app.js";

export type Packet = Record<string, any>;

/** A WebSocket client that keeps every packet it receives, in order. */
export class ChatClient {
  readonly ws: WebSocket;
  readonly #packets: Packet[] = [];
  readonly #waiters = new Set<() => void>();
  /** Resolves with the close code and reason once the socket closes. */
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      this.#packets.push(JSON.parse(String(data)) as Packet);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  }

  send(packet: object): void {
    this.ws.send(JSON.stringify(packet));
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Takes the first received packet of `type` (waiting for it), leaving the others queued. */
  async next(type: string, timeoutMs = 2000): Promise<Packet> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.#packets.findIndex((p) => p.type === type);
      if (index >= 0) return this.#packets.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${type} packet within ${timeoutMs} ms; got ${JSON.stringify(this.#packets)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** Waits `ms` and returns (and removes) every packet of `type` that arrived. */
  async drain(type: string, ms = 150): Promise<Packet[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const taken = this.#packets.filter((p) => p.type === type);
    for (const p of taken) this.#packets.splice(this.#packets.indexOf(p), 1);
    return taken;
  }

  close(): void {
    this.ws.close();
  }
}

/** A running chat server, with helpers to log in and connect. */
export class ChatServer {
  readonly app: PrivateChatApp;
  readonly server: Server;
  readonly base: string;
  readonly #clients = new Set<ChatClient>();

  private constructor(app: PrivateChatApp, server: Server) {
    this.app = app;
    this.server = server;
    this.base = `http://127.0.0.1:${server.port}`;
  }

  static async start(options?: PrivateChatOptions): Promise<ChatServer> {
    const app = new PrivateChatApp(options);
    return new ChatServer(app, await app.listen({ port: 0, host: "127.0.0.1" }));
  }

  /** Logs in over HTTP; returns the `session_id=…` cookie pair. */
  async login(username: string): Promise<string> {
    const res = await fetch(`${this.base}/login`, { method: "POST", body: new URLSearchParams({ username }), redirect: "manual" });
    if (res.status !== 303) throw new Error(`login as ${username}: HTTP ${res.status}`);
    return res.headers.get("set-cookie")!.split(";")[0]!;
  }

  /** Opens `/chat` with `cookie`; rejects with the HTTP status when the handshake is refused. */
  connect(cookie: string | undefined, headers: Record<string, string> = {}): Promise<ChatClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${this.server.port}/chat`, { headers: cookie === undefined ? headers : { cookie, ...headers } });
      const client = new ChatClient(ws);
      ws.once("open", () => {
        this.#clients.add(client);
        resolve(client);
      });
      ws.once("unexpected-response", (_req, res) => {
        res.resume();
        reject(Object.assign(new Error(`handshake refused: HTTP ${res.statusCode}`), { status: res.statusCode }));
        ws.terminate();
      });
      ws.once("error", reject);
    });
  }

  /** Logs `username` in and connects one socket. */
  async join(username: string): Promise<ChatClient> {
    return this.connect(await this.login(username));
  }

  /** The history API as `cookie`. */
  async history(cookie: string, username: string, query = ""): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.base}/api/dialogs/${username}/messages${query}`, { headers: { cookie } });
    return { status: res.status, body: await res.json() };
  }

  async close(): Promise<void> {
    for (const client of this.#clients) client.ws.terminate();
    await this.server.close();
  }
}

/** The chat as `npm start` serves it: the runner (`upie`) and the module whose default export it serves. */
export const RUNNER = "lib/runner/cli.ts";
export const CHAT_APP = "examples/private-chat/app.ts";
/** The runner's banner, one per worker; its group is the port. */
export const LISTENING = /upie: serving examples\/private-chat\/app\.ts:default on http:\/\/127\.0\.0\.1:(\d+)/;
