/**
 * One WebSocket connection, behind a small interface that hides whether it
 * is a standard `WebSocket` (browsers) or the `ws` package (Node). `ws` is
 * loaded with a dynamic `import()` only in Node, so a browser never sees a
 * Node import.
 *
 * @module
 */
import { InvalidOptionError, InvalidStateError, NoWebSocketError } from "../protocol/errors.js";
import { ClientTimeoutError, ConnectFailedError } from "./errors.js";

/** A frame: text, or binary bytes. */
export type Frame = string | Uint8Array;

/**
 * A WebSocket constructor: the browser's, undici's, `ws`'s, or a test's. It
 * is called as `new WebSocket(url, protocols, { headers, maxPayload })`; the
 * third argument is `ws`'s options, which standard constructors ignore.
 */
export type WebSocketConstructor = new (url: string, protocols?: string | string[], options?: { headers?: Record<string, string>; maxPayload?: number }) => unknown;

/** What a {@link Transport} reports to its owner. */
export interface TransportEvents {
  /** A whole message arrived, of `bytes` bytes on the wire (text: its UTF-8 length, or an estimate where only the string is known). */
  message(data: Frame, bytes: number): void;
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
  /** A bigger inbound message closes the connection with 1009 and is not delivered. */
  maxMessageBytes: number;
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
  /** True when {@link pause} stops reading the socket (`ws`); a standard `WebSocket` cannot. */
  readonly canPause: boolean;
  /** Stops reading until {@link resume}, so TCP pushes back on the server (only `ws` can; a no-op elsewhere). */
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
  if (global === undefined) throw new NoWebSocketError("WSClient: no WebSocket in this environment (in Node, install ws)");
  if (options.headers !== undefined) throw new InvalidOptionError("WSClient: headers need the ws package (a standard WebSocket cannot send them)");
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
  // `ws` refuses a frame (or a message, fragments summed) over `maxPayload` as it reads, before buffering it.
  const wsOptions = { maxPayload: options.maxMessageBytes, ...(options.headers === undefined ? {} : { headers: options.headers }) };
  // Only `ws` gets the third argument: Chromium's standard WebSocket, given one, offers a
  // subprotocol the server never chose and the handshake fails.
  const standard = Ctor === (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const socket = standard ? new Ctor(url, options.protocols) : new Ctor(url, options.protocols, wsOptions);
  return isNodeSocket(socket) ? openNode(socket, options, events) : openBrowser(socket as BrowserSocket, options, events);
}

/** Rejects after `timeoutMs` unless settled; `abort` drops the socket. */
function handshakeTimer(timeoutMs: number, reject: (error: Error) => void, abort: () => void): ReturnType<typeof setTimeout> {
  return setTimeout(() => {
    abort();
    reject(new ClientTimeoutError(`WebSocket handshake took longer than ${timeoutMs} ms`));
  }, timeoutMs);
}

/** What the client reports when a message was over `maxMessageBytes` (RFC 6455 §7.4.1: "message too big"). */
const TOO_BIG = { code: 1009, reason: "message too big" } as const;

function openNode(socket: NodeSocket, options: TransportOptions, events: TransportEvents): Promise<Transport> {
  return new Promise((resolve, reject) => {
    let opened = false;
    let ended = false;
    /** Why we closed, when it says more than the code the socket reports (ws reports 1006 after refusing a frame). */
    let cause: { code: number; reason: string } | undefined;
    const end = (code: number, reason: string) => {
      if (ended) return;
      ended = true;
      if (opened) events.close(cause?.code ?? code, cause?.reason ?? reason);
    };
    const timer = handshakeTimer(options.timeoutMs, reject, () => {
      ended = true;
      socket.terminate();
    });
    // `ws` emits 'error' before 'close'; without a listener it would throw.
    socket.on("error", (error: Error & { code?: string }) => {
      if (!opened) {
        clearTimeout(timer);
        reject(error);
      } else if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        cause = TOO_BIG; // ws has sent the peer a 1009 close already
      }
    });
    socket.on("unexpected-response", (_request: unknown, response: { statusCode?: number; resume(): void }) => {
      response.resume();
      clearTimeout(timer);
      ended = true;
      socket.terminate();
      reject(new ConnectFailedError(`WebSocket handshake refused: HTTP ${response.statusCode}`));
    });
    socket.on("close", (code: number, reason: { toString(): string }) => {
      clearTimeout(timer);
      if (!opened) reject(new ConnectFailedError(`WebSocket closed during the handshake (${code})`));
      end(code, reason.toString());
    });
    socket.on("message", (data: Uint8Array & { toString(encoding?: string): string }, isBinary: boolean) => {
      if (ended || cause !== undefined) return;
      events.alive();
      // `maxPayload` refuses it first; this catches an injected constructor that ignores the option.
      if (data.byteLength > options.maxMessageBytes) {
        cause = TOO_BIG;
        socket.close(TOO_BIG.code, TOO_BIG.reason);
        return;
      }
      events.message(isBinary ? data : data.toString("utf8"), data.byteLength);
    });
    socket.on("pong", () => events.alive());
    socket.on("open", () => {
      clearTimeout(timer);
      opened = true;
      resolve(nodeTransport(socket, () => ended, end));
    });
  });
}

/** The open `ws` socket as a {@link Transport}; `isEnded` and `end` are its opener's state. */
function nodeTransport(socket: NodeSocket, isEnded: () => boolean, end: (code: number, reason: string) => void): Transport {
  return {
    canPing: true,
    canPause: true,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data, done) {
      if (isEnded() || socket.readyState !== OPEN) return done(new InvalidStateError("WebSocket is not open"));
      socket.send(data, { binary: typeof data !== "string" }, (error) => done(error ?? undefined));
    },
    ping() {
      if (!isEnded() && socket.readyState === OPEN) socket.ping();
    },
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close(code, reason) {
      if (!isEnded()) socket.close(code, reason);
    },
    terminate() {
      socket.terminate();
      end(1006, "terminated");
    },
  };
}

/**
 * The size of `text` in UTF-8, exact only where `limit` needs it: a UTF-16
 * unit is 1 to 3 bytes, so a string shorter than a third of the limit, or
 * longer than the limit, is decided by its length (which is then returned).
 */
function textBytes(text: string, limit: number): number {
  if (text.length * 3 <= limit || text.length > limit) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair: one code point
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Close codes a standard `WebSocket` may send (WHATWG: 1000 or 3000–4999; anything else throws). */
function sendableCode(code: number): boolean {
  return code === 1000 || (code >= 3000 && code <= 4999);
}

function openBrowser(socket: BrowserSocket, options: TransportOptions, events: TransportEvents): Promise<Transport> {
  socket.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    let opened = false;
    let ended = false;
    /** The code we closed with, when the standard socket could not send it (it sent 1000). */
    let cause: { code: number; reason: string } | undefined;
    const end = (code: number, reason: string) => {
      if (ended) return;
      ended = true;
      if (opened) events.close(cause?.code ?? code, cause?.reason ?? reason);
    };
    const close = (code: number, reason: string) => {
      if (ended) return;
      if (!sendableCode(code)) cause = { code, reason };
      socket.close(sendableCode(code) ? code : 1000, reason);
    };
    const timer = handshakeTimer(options.timeoutMs, reject, () => {
      ended = true;
      socket.close();
    });
    socket.addEventListener("error", () => {
      // Browsers say nothing more (on purpose); the 'close' event follows.
    });
    socket.addEventListener("close", (event: { code: number; reason: string }) => {
      clearTimeout(timer);
      if (!opened) reject(new ConnectFailedError(`WebSocket connection failed (${event.code})`));
      end(event.code, event.reason);
    });
    socket.addEventListener("message", (event: { data: unknown }) => {
      if (ended || cause !== undefined) return;
      events.alive();
      const { data } = event;
      // The standard socket has already buffered the whole message: it can only be refused now.
      const bytes = typeof data === "string" ? textBytes(data, options.maxMessageBytes) : data instanceof ArrayBuffer ? data.byteLength : 0;
      if (bytes > options.maxMessageBytes) return close(TOO_BIG.code, TOO_BIG.reason);
      if (typeof data === "string") events.message(data, bytes);
      else if (data instanceof ArrayBuffer) events.message(new Uint8Array(data), bytes);
    });
    socket.addEventListener("open", () => {
      clearTimeout(timer);
      if (ended) return;
      opened = true;
      resolve(browserTransport(socket, () => ended, close, end));
    });
  });
}

/** The open standard socket as a {@link Transport}; `isEnded`, `close` and `end` are its opener's. */
function browserTransport(
  socket: BrowserSocket,
  isEnded: () => boolean,
  close: (code: number, reason: string) => void,
  end: (code: number, reason: string) => void,
): Transport {
  return {
    canPing: false,
    canPause: false,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data, done) {
      // A browser socket that is closing drops frames without a word: check first.
      if (isEnded() || socket.readyState !== OPEN) return done(new InvalidStateError("WebSocket is not open"));
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
    close,
    terminate() {
      // Browsers cannot drop a socket; close it and stop listening, now.
      try {
        socket.close();
      } catch {
        // Already closing.
      }
      end(1006, "terminated");
    },
  };
}
