/**
 * A space server on 127.0.0.1 port 0, and a raw client that speaks the
 * protocol in protobuf frames over `ws` and keeps every event it receives.
 */
import WebSocket from "ws";

import type { Server } from "../../../lib/index.js";
import { SpaceApp, type SpaceAppOptions } from "../../../examples/space/app.js";
import { decodeBatch, encodeAction, loadSchema, type SpaceEvent } from "../../../examples/space/schema.js";

export const schema = loadSchema();
/** Alice owns, Bob builds, Carol is a member, Dave and the page's key are guests. */
export const KEYS = {
  "key-alice": { name: "Alice", role: "owner" },
  "key-bob": { name: "Bob", role: "builder" },
  "key-carol": { name: "Carol", role: "member" },
  "key-dave": { name: "Dave", role: "guest" },
} as const;

export class SpaceServer {
  readonly app: SpaceApp;
  readonly server: Server;
  readonly wsUrl: string;
  readonly base: string;
  readonly #clients = new Set<RawClient>();

  private constructor(app: SpaceApp, server: Server) {
    this.app = app;
    this.server = server;
    this.base = `http://127.0.0.1:${server.port}`;
    this.wsUrl = `ws://127.0.0.1:${server.port}/space`;
  }

  static async start(options: SpaceAppOptions = {}): Promise<SpaceServer> {
    const app = new SpaceApp({ apiKeys: { ...KEYS, guest: { name: "Guest", role: "guest" } }, ...options });
    return new SpaceServer(app, await app.listen({ port: 0, host: "127.0.0.1" }));
  }

  /** Opens a raw socket (not yet initialised). */
  connect(): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.wsUrl);
      const client = new RawClient(ws);
      ws.once("open", () => {
        this.#clients.add(client);
        resolve(client);
      });
      ws.once("error", reject);
    });
  }

  /** Opens a socket, sends init with `apiKey`, waits for ready. */
  async join(apiKey = "key-alice", spaceId = "test/Space"): Promise<RawClient> {
    const client = await this.connect();
    client.send({ init: { spaceId, apiKey } });
    const ready = await client.next("ready");
    client.id = ready.ready.id;
    client.encId = ready.ready.encId;
    return client;
  }

  async close(): Promise<void> {
    for (const client of this.#clients) client.ws.terminate();
    await this.server.close();
  }
}

let nextTxn = 1;

/** A protobuf client that queues every event (kind on `event`), in order. */
export class RawClient {
  readonly ws: WebSocket;
  readonly events: SpaceEvent[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  id = "";
  encId = 0;
  readonly #waiters = new Set<() => void>();

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) throw new Error("the server sent a text frame");
      this.events.push(...decodeBatch(schema, new Uint8Array(data)).events);
      for (const wake of this.#waiters) wake();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Sends one action (a fresh txnId unless given); returns the txnId. */
  send(action: Record<string, unknown>, txnId = nextTxn++): number {
    this.ws.send(encodeAction(schema, { txnId, ...action }));
    return txnId;
  }

  sendRaw(data: Buffer | string): void {
    this.ws.send(data);
  }

  /** Sends an action and waits for its transactionStatus. */
  async act(action: Record<string, unknown>, txnId?: number): Promise<{ succeeded: boolean; reason: string }> {
    const id = this.send(action, txnId);
    const status = await this.next("transactionStatus", (e) => e.transactionStatus.txnId === id);
    return status.transactionStatus;
  }

  /** Takes the first queued event of `kind` that matches (waiting for it), leaving the others. */
  async next(kind: string, match: (event: SpaceEvent) => boolean = () => true, timeoutMs = 5000): Promise<SpaceEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e) => e.event === kind && match(e));
      if (index >= 0) return this.events.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind} event within ${timeoutMs} ms; got ${this.events.map((e) => e.event).join(", ")}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 100));
        this.#waiters.add(wake);
      });
    }
  }

  /** True if an event of `kind` matching arrives within `ms`. */
  async sees(kind: string, match: (event: SpaceEvent) => boolean, ms = 400): Promise<boolean> {
    try {
      await this.next(kind, match, ms);
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.ws.close();
  }
}
