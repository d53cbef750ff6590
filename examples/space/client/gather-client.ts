/**
 * `GatherClient`: the TypeScript shape of the `gather-client-ws` Python
 * client (seed 002), on upie's `WSClient`. `run(producer)` connects, sends
 * `init`, starts the receive loop and the heartbeat, and runs the producer;
 * when the producer ends, the server refuses us, or `close()` is called,
 * everything stops and the socket closes. Action methods are generated from
 * the schema at start-up.
 *
 * @module
 */
import { ConnectionClosed, WSClient, type ReconnectOptions } from "upie/client";
import { decodeBatch, encodeAction, loadSchema, type SpaceBatch, type SpaceSchema } from "../schema.js";
import { actionArgs, actionSpecs, type ActionSpec } from "./actions.js";
import { formatLogLine, levelOf, type LogLevel } from "./log.js";

/** Options for {@link GatherClient}. */
export interface GatherClientOptions {
  apiKey: string;
  /** `abc123/SpaceName` (a `\` instead of `/` is accepted, as Gather sends it). */
  spaceId: string;
  /** The space server's WebSocket URL. Default `ws://127.0.0.1:8100/space`. */
  url?: string;
  /** Sees every `ServerClientBatch`; each event's kind is on `event.event` (Python's `WhichOneof("event")`). */
  callback?: (client: GatherClient, batch: SpaceBatch) => unknown;
  /** `"DEBUG"`, `"INFO"` (default), `"WARNING"`, `"ERROR"`, or Python's numbers (10, 20, 30, 40). */
  logLevel?: LogLevel;
  /** Client heartbeats, every this many ms. Default 15 000 (the Python client's). */
  heartbeatIntervalMs?: number;
  /** Reconnect after a dropped connection (default), or `false`: the first drop ends `run`. */
  reconnect?: ReconnectOptions | false;
  /** Nothing received for this long: reconnect. Default 30 s (the server beats every 5 s). */
  receiveTimeoutMs?: number;
  /** Where log lines go. Default `console.log`. */
  log?: (line: string) => void;
}

/** The server refused us (bad key, init refused): `run` rejects with it. */
export class GatherRefusedError extends Error {
  override readonly name = "GatherRefusedError";
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.code = code;
  }
}

/** Close codes after which reconnecting cannot help (4001 kicked, 4403 banned, 4401 bad key). */
const FATAL_CLOSE = new Set([1003, 1007, 1008, 4001, 4401, 4403]);

/** A generated action method: resolves with the action's txnId once the frame is written. */
export type ActionMethod = ((...args: any[]) => Promise<number>) & { readonly doc: string };

export interface GatherClient {
  /** The generated action methods (`setTextStatus`, `move`, …); see `availableActions` and `describe`. */
  [action: string]: any;
}

export class GatherClient {
  readonly url: string;
  readonly apiKey: string;
  readonly spaceId: string;
  /** Every action the schema has, camelCase, in schema order. */
  readonly availableActions: readonly string[];
  /** The player id from the latest `ready`; empty until then. */
  id = "";
  readonly #schema: SpaceSchema;
  readonly #options: GatherClientOptions;
  readonly #level: number;
  readonly #specs = new Map<string, ActionSpec>();
  #ws: WSClient | undefined;
  #running = false;
  /** Ends `run`: undefined = normally, an error = it failed. */
  #stop: ((error?: Error) => void) | undefined;
  #readyOnThisConnection = false;
  /** Resolves at the first `ready` of a run: the producer starts then, with `id` set. */
  #onReady: (() => void) | undefined;

  constructor(options: GatherClientOptions) {
    if (typeof options?.apiKey !== "string" || options.apiKey === "") throw new TypeError("GatherClient: apiKey is required");
    if (typeof options.spaceId !== "string" || options.spaceId === "") throw new TypeError("GatherClient: spaceId is required");
    this.#options = options;
    this.url = options.url ?? "ws://127.0.0.1:8100/space";
    this.apiKey = options.apiKey;
    this.spaceId = options.spaceId.replaceAll("\\", "/");
    this.#level = levelOf(options.logLevel ?? "INFO");
    this.#schema = loadSchema();
    for (const spec of actionSpecs(this.#schema)) {
      this.#specs.set(spec.name, spec);
      const method = (...args: unknown[]) => this.#act(spec, args);
      Object.defineProperty(method, "name", { value: spec.name });
      Object.defineProperty(method, "doc", { value: spec.doc });
      Object.defineProperty(this, spec.name, { value: method, enumerable: false });
    }
    this.availableActions = Object.freeze([...this.#specs.keys()]);
  }

  /**
   * The doc of an action: its name, then `Args:` and one `name (type)` per line.
   * Accepts Python's snake_case names too (`set_text_status`).
   * @throws TypeError for an action the schema does not have.
   */
  describe(action: string): string {
    const spec = this.#specs.get(action) ?? this.#specs.get(action.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
    if (spec === undefined) throw new TypeError(`no action '${action}' (see availableActions)`);
    return spec.doc;
  }

  /**
   * Connects, runs `producer(client, ...args)`, and stops everything when it
   * ends (or when the server refuses us or `close()` is called); then closes the socket.
   * @returns what the producer returned; rejects with what it threw, or with {@link GatherRefusedError}.
   */
  async run<A extends unknown[], R>(producer: (client: this, ...args: A) => R | Promise<R>, ...args: A): Promise<R | undefined> {
    if (this.#running) throw new Error("GatherClient: already running");
    this.#running = true;
    const stopped = new Promise<{ error?: Error }>((resolve) => (this.#stop = (error) => resolve({ error })));
    const ready = new Promise<void>((resolve) => (this.#onReady = resolve));
    const { heartbeatIntervalMs = 15_000, reconnect = { initialDelayMs: 1000, maxDelayMs: 30_000 } } = this.#options;
    const ws = new WSClient(this.url, {
      protocols: "gather-v2",
      onConnect: (client) => {
        this.#readyOnThisConnection = false;
        return client.send(encodeAction(this.#schema, { txnId: txnId(), init: { spaceId: this.spaceId, apiKey: this.apiKey } }));
      },
      handle: (message) => this.#receive(message),
      heartbeat: {
        intervalMs: heartbeatIntervalMs,
        message: () => {
          this.#log("DEBUG", "Heartbeat sent");
          return encodeAction(this.#schema, { txnId: txnId(), clientHeartbeat: {} });
        },
      },
      receiveTimeoutMs: this.#options.receiveTimeoutMs ?? 30_000,
      ...(reconnect === false ? {} : { reconnect }),
      logger: { error: (message, error) => this.#log("ERROR", `${message}${error ? `: ${String(error)}` : ""}`), warn: (message) => this.#log("WARNING", message) },
    });
    this.#ws = ws;
    ws.on("connect", () => this.#log("INFO", `Connected to ${this.url}`));
    ws.on("disconnect", ({ code, reason }) => {
      this.#log("INFO", `Disconnected (${code}${reason ? ` ${reason}` : ""})`);
      if (reconnect === false) this.#stop?.();
      else if (FATAL_CLOSE.has(code)) this.#stop?.(new GatherRefusedError(`the server closed the connection: ${code} ${reason}`, code));
    });
    // Without reconnects, a failed (re)connect attempt ends the run too, instead of retrying forever.
    ws.on("reconnecting", ({ error }) => {
      if (reconnect === false) this.#stop?.(error ?? new Error(`cannot connect to ${this.url}`));
    });
    try {
      ws.connect().catch(() => {}); // run ends through `stopped` if it never connects
      const first = await Promise.race([ready.then(() => undefined), stopped]);
      if (first !== undefined) {
        if (first.error) throw first.error;
        return undefined;
      }
      this.#log("DEBUG", "Receiving messages");
      const produced = Promise.resolve()
        .then(() => producer(this, ...args))
        .then((value) => ({ value }), (error: unknown) => ({ error: error as Error }));
      const result = await Promise.race([produced, stopped]);
      if ("error" in result && result.error !== undefined) throw result.error;
      return "value" in result ? (result.value as R) : undefined;
    } finally {
      this.#stop = undefined;
      this.#onReady = undefined;
      await ws.close();
      this.#ws = undefined;
      this.#running = false;
    }
  }

  /** Ends `run` from anywhere (a callback, another task): the socket closes. */
  close(): void {
    this.#stop?.();
  }

  /** Sends one action; resolves with its txnId once written. */
  async #act(spec: ActionSpec, values: unknown[]): Promise<number> {
    const ws = this.#ws;
    if (ws === undefined) throw new ConnectionClosed(1000, "not running: call inside run()");
    const id = txnId();
    const frame = encodeAction(this.#schema, { txnId: id, [spec.name]: actionArgs(spec, values) });
    await ws.send(frame);
    return id;
  }

  async #receive(message: string | Uint8Array): Promise<void> {
    if (typeof message === "string") {
      this.#log("WARNING", "a text frame from the server: ignored");
      return;
    }
    const batch = decodeBatch(this.#schema, message);
    this.#log("DEBUG", `Message received: ${JSON.stringify(batch.events, bytesAsLength)}`);
    for (const event of batch.events) {
      if (event.event === "ready" && !this.#readyOnThisConnection) {
        this.#readyOnThisConnection = true;
        this.id = event.ready.id;
        this.#log("INFO", `Connected as user ${this.id}`);
        this.#onReady?.();
      } else if (event.event === "error") {
        this.#log("ERROR", `Server error ${event.error.code}: ${event.error.message}`);
        const refused = event.error.code === 401 || event.error.code === 403;
        if (refused && !this.#readyOnThisConnection) this.#stop?.(new GatherRefusedError(event.error.message, event.error.code));
      }
    }
    if (!this.#readyOnThisConnection) {
      this.#stop?.(new GatherRefusedError("connection not ready: the first batch did not start with ready", 0));
      return;
    }
    await this.#options.callback?.(this, batch);
  }

  #log(level: "DEBUG" | "INFO" | "WARNING" | "ERROR", message: string): void {
    if (levelOf(level) < this.#level) return;
    (this.#options.log ?? console.log)(formatLogLine(level, message));
  }
}

/** A random non-zero uint32, as the Python client picks. */
function txnId(): number {
  return 1 + Math.floor(Math.random() * 0xfffffffe);
}

/** Byte arrays in debug lines: their length, not every byte. */
function bytesAsLength(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? `<${value.length} bytes>` : value;
}
