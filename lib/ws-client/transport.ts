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

/**
 * What an opener tracks, the same for both kinds of socket: whether the
 * socket opened, whether it ended, why we closed it, and the handshake's
 * deadline. `end` reports the close to the owner once, and only after open.
 */
class Opening {
  opened = false;
  ended = false;
  /**
   * Why we closed, when it says more than the code the socket reports: `ws`
   * reports 1006 after refusing a frame, and a standard socket sends 1000
   * for a code it may not send.
   */
  cause: { code: number; reason: string } | undefined;
  /** Rejects the handshake after `timeoutMs` unless cleared first. */
  readonly timer: ReturnType<typeof setTimeout>;
  readonly #events: TransportEvents;

  /** @param abort - drops the socket when the handshake times out. */
  constructor(events: TransportEvents, timeoutMs: number, reject: (error: Error) => void, abort: () => void) {
    this.#events = events;
    this.timer = setTimeout(() => {
      this.ended = true;
      abort();
      reject(new ClientTimeoutError(`WebSocket handshake took longer than ${timeoutMs} ms`));
    }, timeoutMs);
  }

  readonly end = (code: number, reason: string): void => {
    if (this.ended) return;
    this.ended = true;
    if (this.opened) this.#events.close(this.cause?.code ?? code, this.cause?.reason ?? reason);
  };
}

/** True while a transport may write: its opener has not ended it and the socket is open. */
function writable(socket: { readonly readyState: number }, opening: Opening): boolean {
  return !opening.ended && socket.readyState === OPEN;
}

/** What the client reports when a message was over `maxMessageBytes` (RFC 6455 §7.4.1: "message too big"). */
const TOO_BIG = { code: 1009, reason: "message too big" } as const;

function openNode(socket: NodeSocket, options: TransportOptions, events: TransportEvents): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const opening = new Opening(events, options.timeoutMs, reject, () => socket.terminate());
    // `ws` emits 'error' before 'close'; without a listener it would throw.
    socket.on("error", (error: Error & { code?: string }) => {
      if (!opening.opened) {
        clearTimeout(opening.timer);
        reject(error);
      } else if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
        opening.cause = TOO_BIG; // ws has sent the peer a 1009 close already
      }
    });
    socket.on("unexpected-response", (_request: unknown, response: { statusCode?: number; resume(): void }) => {
      response.resume();
      clearTimeout(opening.timer);
      opening.ended = true;
      socket.terminate();
      reject(new ConnectFailedError(`WebSocket handshake refused: HTTP ${response.statusCode}`));
    });
    socket.on("close", (code: number, reason: { toString(): string }) => {
      clearTimeout(opening.timer);
      if (!opening.opened) reject(new ConnectFailedError(`WebSocket closed during the handshake (${code})`));
      opening.end(code, reason.toString());
    });
    socket.on("message", (data: Uint8Array & { toString(encoding?: string): string }, isBinary: boolean) => {
      if (opening.ended || opening.cause !== undefined) return;
      events.alive();
      // `maxPayload` refuses it first; this catches an injected constructor that ignores the option.
      if (data.byteLength > options.maxMessageBytes) {
        opening.cause = TOO_BIG;
        socket.close(TOO_BIG.code, TOO_BIG.reason);
        return;
      }
      events.message(isBinary ? data : data.toString("utf8"), data.byteLength);
    });
    socket.on("pong", () => events.alive());
    socket.on("open", () => {
      clearTimeout(opening.timer);
      opening.opened = true;
      resolve(nodeTransport(socket, opening));
    });
  });
}

/** The open `ws` socket as a {@link Transport}; `opening` is its opener's state. */
function nodeTransport(socket: NodeSocket, opening: Opening): Transport {
  return openedTransport(socket, opening, {
    canPing: true,
    canPause: true,
    write: (data, done) => socket.send(data, { binary: typeof data !== "string" }, (error) => done(error ?? undefined)),
    ping: () => socket.ping(),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    close(code, reason) {
      if (!opening.ended) socket.close(code, reason);
    },
    drop: () => socket.terminate(),
  });
}

/** How one kind of open socket writes, pings, pauses, closes and drops; {@link openedTransport} adds the rest. */
interface SocketActions extends Pick<Transport, "canPing" | "canPause" | "ping" | "pause" | "resume" | "close"> {
  /** Writes a frame to the open socket; `done` as for {@link Transport.send}. */
  write(data: Frame, done: (error?: Error) => void): void;
  /** Drops the connection without a closing handshake. */
  drop(): void;
}

/**
 * An open socket of either kind as a {@link Transport}: it sends and pings
 * only while the socket is open and its opener has not ended it, and reports
 * the close (1006) as soon as it is dropped.
 */
function openedTransport(socket: { readonly readyState: number; readonly bufferedAmount: number }, opening: Opening, actions: SocketActions): Transport {
  return {
    canPing: actions.canPing,
    canPause: actions.canPause,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data, done) {
      // A browser socket that is closing drops frames without a word: check first.
      if (!writable(socket, opening)) return done(new InvalidStateError("WebSocket is not open"));
      actions.write(data, done);
    },
    ping() {
      if (writable(socket, opening)) actions.ping();
    },
    pause: () => actions.pause(),
    resume: () => actions.resume(),
    close: (code, reason) => actions.close(code, reason),
    terminate() {
      actions.drop();
      opening.end(1006, "terminated");
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
    const opening = new Opening(events, options.timeoutMs, reject, () => socket.close());
    const close = (code: number, reason: string) => {
      if (opening.ended) return;
      if (!sendableCode(code)) opening.cause = { code, reason };
      socket.close(sendableCode(code) ? code : 1000, reason);
    };
    socket.addEventListener("error", () => {
      // Browsers say nothing more (on purpose); the 'close' event follows.
    });
    socket.addEventListener("close", (event: { code: number; reason: string }) => {
      clearTimeout(opening.timer);
      if (!opening.opened) reject(new ConnectFailedError(`WebSocket connection failed (${event.code})`));
      opening.end(event.code, event.reason);
    });
    socket.addEventListener("message", (event: { data: unknown }) => {
      if (opening.ended || opening.cause !== undefined) return;
      events.alive();
      const { data } = event;
      // The standard socket has already buffered the whole message: it can only be refused now.
      const bytes = typeof data === "string" ? textBytes(data, options.maxMessageBytes) : data instanceof ArrayBuffer ? data.byteLength : 0;
      if (bytes > options.maxMessageBytes) return close(TOO_BIG.code, TOO_BIG.reason);
      if (typeof data === "string") events.message(data, bytes);
      else if (data instanceof ArrayBuffer) events.message(new Uint8Array(data), bytes);
    });
    socket.addEventListener("open", () => {
      clearTimeout(opening.timer);
      if (opening.ended) return;
      opening.opened = true;
      resolve(browserTransport(socket, opening, close));
    });
  });
}

/** The open standard socket as a {@link Transport}; `opening` and `close` are its opener's. */
function browserTransport(socket: BrowserSocket, opening: Opening, close: (code: number, reason: string) => void): Transport {
  return openedTransport(socket, opening, {
    canPing: false,
    canPause: false,
    write(data, done) {
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
    drop() {
      // Browsers cannot drop a socket; close it and stop listening, now.
      try {
        socket.close();
      } catch {
        // Already closing.
      }
    },
  });
}
