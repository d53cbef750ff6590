/**
 * A space server on 127.0.0.1 port 0, and a raw client that speaks the
 * protocol in protobuf frames over `ws` and keeps every event it receives.
 */
import WebSocket from "ws";

import type { Server } from "../../../lib/index.js";
import { SpaceApp, type SpaceAppOptions } from "../../../examples/space/app.js";
import { GatherClient } from "../../../examples/space/client/index.js";
import { decodeBatch, encodeAction, loadSchema, type SpaceEvent } from "../../../examples/space/schema.js";

export const schema = loadSchema();
/** Alice owns, Bob builds, Carol is a member, Dave and the page's key are guests. */
export const KEYS = {
  "key-alice": { name: "Alice", role: "owner" },
  "key-bob": { name: "Bob", role: "builder" },
  "key-carol": { name: "Carol", role: "member" },
  "key-dave": { name: "Dave", role: "guest" },
  "key-erin": { name: "Erin", role: "guest" },
  "key-fred": { name: "Fred", role: "guest" },
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

/** Every event a client received (kind on `event`), in order, to wait for and take. */
export class EventQueue {
  readonly events: SpaceEvent[] = [];
  readonly #waiters = new Set<() => void>();

  /** Adds received events and wakes whoever waits. */
  protected received(events: SpaceEvent[]): void {
    this.events.push(...events);
    for (const wake of this.#waiters) wake();
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
}

/** A protobuf client over `ws` that queues every event it receives. */
export class RawClient extends EventQueue {
  readonly ws: WebSocket;
  readonly closed: Promise<{ code: number; reason: string }>;
  id = "";
  encId = 0;

  constructor(ws: WebSocket) {
    super();
    this.ws = ws;
    ws.binaryType = "nodebuffer";
    ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) throw new Error("the server sent a text frame");
      this.received(decodeBatch(schema, new Uint8Array(data)).events);
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

  close(): void {
    this.ws.close();
  }
}

/**
 * A `GatherClient` running in the background (its producer waits until
 * `stop`), keeping every event it receives: tests drive actions through the
 * client's generated methods and wait for each one's transactionStatus.
 */
export class GatherActor extends EventQueue {
  readonly client: GatherClient;
  readonly #done: Promise<unknown>;
  #stop: () => void = () => {};

  private constructor(client: GatherClient, done: Promise<unknown>) {
    super();
    this.client = client;
    this.#done = done;
  }

  get id(): string {
    return this.client.id;
  }

  /** Connects with `apiKey` to `spaceId` and resolves once `ready` came. */
  static async start(space: SpaceServer, apiKey: string, spaceId: string): Promise<GatherActor> {
    let actor: GatherActor | undefined;
    let ready!: () => void;
    const started = new Promise<void>((resolve) => (ready = resolve));
    const client = new GatherClient({ apiKey, spaceId, url: space.wsUrl, log: () => {}, reconnect: false, callback: (_c, batch) => actor?.received(batch.events) });
    const stopped = new Promise<void>((resolve) => {
      const done = client.run(async () => {
        ready();
        await stopped;
      });
      actor = new GatherActor(client, done.catch(() => {}));
      actor.#stop = resolve;
    });
    await Promise.race([started, actor!.#done.then(() => Promise.reject(new Error(`${apiKey} could not join ${spaceId}`)))]);
    return actor!;
  }

  /** Calls the generated method `action` with positional `args`; resolves with its transactionStatus. */
  async act(action: string, ...args: unknown[]): Promise<{ succeeded: boolean; reason: string }> {
    const txnId: number = await this.client[action](...args);
    return (await this.next("transactionStatus", (e) => e.transactionStatus.txnId === txnId)).transactionStatus;
  }

  /** Ends the run; resolves when the socket is closed. */
  async stop(): Promise<void> {
    this.#stop();
    await this.#done;
  }
}
