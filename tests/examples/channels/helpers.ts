/**
 * A channels platform on 127.0.0.1 port 0, HTTP helpers for its API, and a
 * raw `ws` peer that speaks JSON frames and keeps what it receives.
 */
import WebSocket from "ws";

import type { Server } from "../../../lib/index.js";
import { ChannelsApp, type ChannelsOptions } from "../../../examples/channels/app.js";

export type Frame = Record<string, any>;

/** A raw WebSocket peer that keeps every frame it receives, in order. */
export class Peer {
  readonly ws: WebSocket;
  readonly #frames: Frame[] = [];
  readonly #waiters = new Set<() => void>();
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      this.#frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string): void {
    this.ws.send(data);
  }

  /** Takes the first received frame matching `test` (a type, or a predicate), waiting for it. */
  async next(test: string | ((frame: Frame) => boolean), timeoutMs = 5000): Promise<Frame> {
    const match = typeof test === "string" ? (f: Frame) => f.type === test : test;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.#frames.findIndex(match);
      if (index >= 0) return this.#frames.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.#frames).slice(0, 2000)}`);
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

  /** The `copy` answering `requestId`. */
  copy(requestId: string): Promise<Frame> {
    return this.next((f) => f.type === "copy" && f.body?.request_id === requestId);
  }

  /** Sends a frame with a fresh request id and returns the copy that answers it. */
  async request(frame: object): Promise<Frame> {
    const requestId = crypto.randomUUID();
    this.send({ request_id: requestId, ...frame });
    return this.copy(requestId);
  }

  /** Waits `ms`, then returns (and removes) every frame matching `test` that arrived. */
  async drain(test: (frame: Frame) => boolean, ms = 200): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const taken = this.#frames.filter(test);
    for (const f of taken) this.#frames.splice(this.#frames.indexOf(f), 1);
    return taken;
  }

  close(): void {
    this.ws.close();
  }
}

/** A signed-in account. */
export interface Login {
  id: string;
  token: string;
  username: string;
}

/** A running platform with helpers. */
export class Platform {
  readonly app: ChannelsApp;
  readonly server: Server;
  readonly base: string;
  readonly wsUrl: string;
  readonly #peers = new Set<Peer>();
  #counter = 0;

  private constructor(app: ChannelsApp, server: Server) {
    this.app = app;
    this.server = server;
    this.base = `http://127.0.0.1:${server.port}`;
    this.wsUrl = `ws://127.0.0.1:${server.port}/ws`;
  }

  static async start(options: ChannelsOptions = {}): Promise<Platform> {
    // Every test account signs up from 127.0.0.1: the per-address quota is tested on its own.
    const app = new ChannelsApp({ authRate: false, accountsPerAddress: 10_000, ...options });
    return new Platform(app, await app.listen({ port: 0, host: "127.0.0.1" }));
  }

  /** An API call; JSON in and out. */
  async api(path: string, options: { token?: string; body?: unknown; method?: string } = {}): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(this.base + path, {
      method: options.method ?? (options.body === undefined ? "GET" : "POST"),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const raw = await res.text();
    let body: unknown = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body };
  }

  /** Signs up a fresh account of `role` and signs it in. */
  async account(role: "user" | "service" = "user", name?: string): Promise<Login> {
    const username = `${name ?? role}${++this.#counter}`;
    const up = await this.api("/api/sign_up", { body: { username, password: "correct horse", role } });
    if (up.status !== 201) throw new Error(`sign up: ${up.status} ${JSON.stringify(up.body)}`);
    const inn = await this.api("/api/sign_in", { body: { username, password: "correct horse" } });
    return { id: inn.body.id, token: inn.body.access_token, username };
  }

  /** Opens a raw socket on `/ws`. */
  connect(): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.wsUrl);
      const peer = new Peer(ws);
      ws.once("open", () => {
        this.#peers.add(peer);
        resolve(peer);
      });
      ws.once("error", reject);
    });
  }

  /** A connected, logged-in user peer. */
  async user(login: Login): Promise<Peer> {
    const peer = await this.connect();
    const copy = await peer.request({ type: "user_login", auth_origin: "upie", access_token: login.token });
    if (copy.body.status !== true) throw new Error(`user_login: ${JSON.stringify(copy)}`);
    return peer;
  }

  /** A connected, logged-in service peer. */
  async service(login: Login): Promise<Peer> {
    const peer = await this.connect();
    const copy = await peer.request({ type: "service_login", auth_origin: "upie", access_token: login.token, service_id: login.id });
    if (copy.body.status !== true) throw new Error(`service_login: ${JSON.stringify(copy)}`);
    return peer;
  }

  /** A channel created by (and bound to) `service`. */
  async channel(service: Login, name = "Lobby"): Promise<string> {
    const res = await this.api("/api/channels/create", { token: service.token, body: { channel_name: name, channel_desc: "a test channel" } });
    if (res.status !== 201) throw new Error(`create channel: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.channel_id;
  }

  async close(): Promise<void> {
    for (const peer of this.#peers) peer.ws.terminate();
    await this.server.close();
  }
}
