/**
 * One WebSocket connection, behind a small interface that hides whether it
 * is a standard `WebSocket` (browsers) or the `ws` package (Node). `ws` is
 * loaded with a dynamic `import()` only in Node, so a browser never sees a
 * Node import.
 *
 * @module
 */
import { ClientTimeoutError } from "./errors.js";

/** A frame: text, or binary bytes. */
export type Frame = string | Uint8Array;

/**
 * A WebSocket constructor: the browser's, undici's, `ws`'s, or a test's. It
 * is called as `new WebSocket(url, protocols)`, or with a third `{ headers }`
 * argument when it is `ws`.
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string> }) => unknown;

/** What a {@link Transport} reports to its owner. */
export interface TransportEvents {
  /** A whole message arrived. */
  message(data: Frame): void;
  /** Something came in (a message or a pong): the peer is alive. */
  alive(): void;
  /** The connection ended; called once. */
  close(code: number, reason: string): void;
}

/** How to open a {@link Transport}. */
export interface TransportOptions {
  protocols?: string | string[];
  headers?: Record<string, string>;
  /** A constructor to use instead of the global `WebSocket` or `ws`. */
  WebSocket?: WebSocketConstructor;
  /** The handshake must finish within this, or the attempt is aborted. */
  timeoutMs: number;
}

/** An open connection. */
export interface Transport {
  /** True when the socket can send protocol pings (`ws`). */
  readonly canPing: boolean;
  /** Bytes accepted by `send` but not yet written to the network. */
  readonly bufferedAmount: number;
  /**
   * Writes one frame; `done` is called once, without an error when the frame
   * was handed to the network (`ws`: written to the kernel; browsers: accepted
   * by an open socket), with one when it never will be.
   */
  send(data: Frame, done: (error?: Error) => void): void;
  /** Sends a protocol ping when {@link canPing}; else nothing. */
  ping(): void;
  /** Stops reading until {@link resume} (only `ws` can; a no-op elsewhere). */
  pause(): void;
  resume(): void;
  /** Closes with a handshake. */
  close(code: number, reason: string): void;
  /** Drops the connection now and reports `close(1006)` at once. */
  terminate(): void;
}

/** The browser-style socket, as far as upie uses it (no DOM types in Node builds). */
interface BrowserSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: string;
  send(data: string | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: any) => void): void;
}

/** The `ws` package's socket, as far as upie uses it. */
interface NodeSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Frame, options: { binary: boolean }, done: (error?: Error) => void): void;
  ping(): void;
  pause(): void;
  resume(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: string, listener: (...args: any[]) => void): void;
}

const OPEN = 1;

/** True in Node (and Node-compatible runtimes), where `ws` can be imported. */
function isNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof process?.versions?.node === "string";
}

/**
 * Picks the constructor: the injected one; in Node, `ws` (a dependency of
 * upie) when it loads, because it reports when each frame is written (so a
 * frame a dying socket never wrote is known and sent again), pings, stops
 * reading under backpressure and sends handshake headers, none of which the
 * standard `WebSocket` of Node ≥ 22 can; otherwise the global `WebSocket`
 * (browsers, Deno, Bun, or Node without `ws`).
 */
async function pickConstructor(options: TransportOptions): Promise<WebSocketConstructor> {
  if (options.WebSocket !== undefined) return options.WebSocket;
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (isNode()) {
    try {
      // A variable specifier keeps bundlers from pulling `ws` into a browser build.
      const specifier = "ws";
      const mod = (await import(specifier)) as { WebSocket?: WebSocketConstructor; default?: WebSocketConstructor };
      const ws = mod.WebSocket ?? mod.default;
      if (ws !== undefined) return ws;
    } catch (error) {
      if (global === undefined || options.headers !== undefined) throw error;
    }
  }
  if (global === undefined) throw new TypeError("WSClient: no WebSocket in this environment (in Node, install ws)");
  if (options.headers !== undefined) throw new TypeError("WSClient: headers need the ws package (a standard WebSocket cannot send them)");
  return global;
}

/** `ws` sockets have `ping` and `on`; browser-style ones have neither. */
function isNodeSocket(socket: unknown): socket is NodeSocket {
  const s = socket as Partial<NodeSocket>;
  return typeof s.ping === "function" && typeof s.on === "function" && typeof s.terminate === "function";
}

/**
 * Opens a connection; resolves once it is open, rejects when the handshake
 * fails or takes longer than `timeoutMs`. After it resolves, `events.close`
 * is called exactly once.
 */
export async function openTransport(url: string, options: TransportOptions, events: TransportEvents): Promise<Transport> {
  const Ctor = await pickConstructor(options);
  const socket = options.headers === undefined ? new Ctor(url, options.protocols) : new Ctor(url, options.protocols, { headers: options.headers });
  return isNodeSocket(socket) ? openNode(socket, options.timeoutMs, events) : openBrowser(socket as BrowserSocket, options.timeoutMs, events);
}

/** Rejects after `timeoutMs` unless settled; `abort` drops the socket. */
function handshakeTimer(timeoutMs: number, reject: (error: Error) => void, abort: () => void): ReturnType<typeof setTimeout> {
  return setTimeout(() => {
    abort();
    reject(new ClientTimeoutError(`WebSocket handshake took longer than ${timeoutMs} ms`));
  }, timeoutMs);
}

function openNode(socket: NodeSocket, timeoutMs: number, events: TransportEvents): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let opened = false;
    let ended = false;
    const end = (code: number, reason: string) => {
      if (ended) return;
      ended = true;
      if (opened) events.close(code, reason);
    };
    const timer = handshakeTimer(timeoutMs, reject, () => {
      ended = true;
      socket.terminate();
    });
    // `ws` emits 'error' before 'close'; without a listener it would throw.
    socket.on("error", (error: Error) => {
      if (!opened) {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on("unexpected-response", (_request: unknown, response: { statusCode?: number; resume(): void }) => {
      response.resume();
      clearTimeout(timer);
      ended = true;
      socket.terminate();
      reject(new Error(`WebSocket handshake refused: HTTP ${response.statusCode}`));
    });
    socket.on("close", (code: number, reason: { toString(): string }) => {
      clearTimeout(timer);
      if (!opened) reject(new Error(`WebSocket closed during the handshake (${code})`));
      end(code, reason.toString());
    });
    socket.on("message", (data: Uint8Array & { toString(encoding?: string): string }, isBinary: boolean) => {
      events.alive();
      events.message(isBinary ? data : data.toString("utf8"));
    });
    socket.on("pong", () => events.alive());
    socket.on("open", () => {
      clearTimeout(timer);
      opened = true;
      resolve({
        canPing: true,
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        send(data, done) {
          if (ended || socket.readyState !== OPEN) return done(new Error("WebSocket is not open"));
          socket.send(data, { binary: typeof data !== "string" }, (error) => done(error ?? undefined));
        },
        ping() {
          if (!ended && socket.readyState === OPEN) socket.ping();
        },
        pause: () => socket.pause(),
        resume: () => socket.resume(),
        close(code, reason) {
          if (!ended) socket.close(code, reason);
        },
        terminate() {
          socket.terminate();
          end(1006, "terminated");
        },
      });
    });
  });
}

function openBrowser(socket: BrowserSocket, timeoutMs: number, events: TransportEvents): Promise<Transport> {
  socket.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    let opened = false;
    let ended = false;
    const end = (code: number, reason: string) => {
      if (ended) return;
      ended = true;
      if (opened) events.close(code, reason);
    };
    const timer = handshakeTimer(timeoutMs, reject, () => {
      ended = true;
      socket.close();
    });
    socket.addEventListener("error", () => {
      // Browsers say nothing more (on purpose); the 'close' event follows.
    });
    socket.addEventListener("close", (event: { code: number; reason: string }) => {
      clearTimeout(timer);
      if (!opened) reject(new Error(`WebSocket connection failed (${event.code})`));
      end(event.code, event.reason);
    });
    socket.addEventListener("message", (event: { data: unknown }) => {
      if (ended) return;
      events.alive();
      const { data } = event;
      if (typeof data === "string") events.message(data);
      else if (data instanceof ArrayBuffer) events.message(new Uint8Array(data));
    });
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      if (ended) return;
      opened = true;
      resolve({
        canPing: false,
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
        send(data, done) {
          // A browser socket that is closing drops frames without a word: check first.
          if (ended || socket.readyState !== OPEN) return done(new Error("WebSocket is not open"));
          try {
            socket.send(data);
          } catch (error) {
            return done(error as Error);
          }
          done();
        },
        ping() {},
        pause() {},
        resume() {},
        close(code, reason) {
          if (!ended) socket.close(code, reason);
        },
        terminate() {
          // Browsers cannot drop a socket; close it and stop listening, now.
          try {
            socket.close();
          } catch {
            // Already closing.
          }
          end(1006, "terminated");
        },
      });
    });
  });
}
