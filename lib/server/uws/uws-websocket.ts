/**
 * One WebSocket on uWS, from the upgrade request to the close: the
 * transport under a {@link WebSocketEngine}. It only moves frames. It answers
 * the protocol's `send` events with uWS calls and delivers what uWS reports
 * (messages, drain, pings, close) to the engine as receive events. Every
 * policy (queue bounds, backpressure, 1013, shutdown) is the engine's.
 *
 * uWS lifetime rules encoded here:
 * - `onAborted` is registered in the constructor, inside the `upgrade`
 *   callback, before anything is awaited; after it fires `res` is dropped and
 *   never upgraded or written.
 * - a handler that accepts (or refuses) before its first await is answered
 *   inside uWS's `upgrade` callback, plainly, as uWS's own examples do; one
 *   that answers after an await is wrapped in `res.cork()`.
 * - the uWS socket is used only between `open` and `close`.
 * - uWS's own backpressure limit is off (it would drop silently): every
 *   `send()` is written or buffered, and `drain` is reported to the engine.
 * - an upgrade after an await can be undone by uWS itself: builds without
 *   uNetworking/uWebSockets#1929 (July 2026; the pinned 20.57 among them)
 *   sometimes close the socket inside `res.cork()`, right after `open`
 *   (cork() mistakes the upgraded socket for the HTTP response it was and
 *   reads its "Connection: close" bit from the WebSocket's memory). That
 *   `close` arrives before `res.cork()` returns: the server is told (one
 *   warning) and `accept()` rejects with 1006; the client must reconnect.
 *
 * @module
 */
import type { HttpResponse, us_socket_context_t, WebSocket as UwsSocket } from "uWebSockets.js";
import { ConnectionClosed, WebSocketStateError, ProtocolViolationError } from "../../protocol/errors.js";
import type { ReceiveEvent, ResponseHeaders, SendEvent, WebSocketChannel, WebSocketEndpoint } from "../../protocol/protocol.js";
import { quietRejection } from "../../websocket/settled-promises.js";
import { utf8Decoder } from "../../websocket/utf8.js";
import type { LocalFanout } from "../../pubsub/local-fanout.js";
import { statusLine } from "./status-line.js";

/** What uWS keeps for us on each socket. */
export interface UserData {
  connection: UwsWebSocket;
}

// ws.send() results (uWS docs): 0 backpressure, 1 success, 2 dropped.
const SUCCESS = 1;
const DROPPED = 2;

/** uWS closes bad frames itself with 1006; tell the handler what really happened. */
const CLOSE_CODE_FOR_REASON: Readonly<Record<string, number>> = {
  "Received too big message": 1009,
  "Received invalid UTF-8": 1007,
};

/** Why `accept()` rejects when uWS closed the socket it had just upgraded. */
export const UPGRADE_DROPPED = "uWebSockets.js closed the socket right after upgrading it";

/** Headers uWS writes itself on a refusal. */
const FRAMING_HEADERS = new Set(["content-length", "transfer-encoding"]);

const ABORTED: ReceiveEvent = Object.freeze({ type: "websocket.disconnect", code: 1006, reason: "Client went away during the handshake" });

/** What the upgrade needs, copied out of the request; dropped once answered. */
interface Handshake {
  readonly res: HttpResponse;
  readonly context: us_socket_context_t;
  readonly key: string;
  readonly extensions: string;
}

// The socket's state bits, one small integer in place of six boolean fields
// (40 bytes less on every idle socket).
/** We asked uWS to close: the coming `close` callback is ours. */
const CLOSING = 1;
/** The socket closed, or the handshake was refused or aborted. */
const GONE = 2;
/** Inside the `res.cork()` that upgrades: a `close` now is uWS undoing the upgrade. */
const UPGRADING = 4;
/** uWS closed the socket while {@link UPGRADING}. */
const DROPPED_ON_UPGRADE = 8;
/** Still inside uWS's `upgrade` callback: answer without cork (see {@link UwsWebSocket.callbackReturned}). */
const IN_CALLBACK = 16;
/** The last send left nothing buffered, and nobody asked since (see {@link UwsWebSocket.bufferedAmount}). */
const SENT_CLEAR = 32;

/** An endpoint that ignores everything, until the engine attaches. */
const DETACHED: WebSocketEndpoint = { deliver() {}, checkSubscriber() {}, shutdown() {} };

/** What every connection of one server shares (the server in websocket-server.ts builds it). */
export interface WebSocketServerState {
  readonly topics: LocalFanout<UwsWebSocket>;
  /** Set by `closeAll`: new handshakes are refused with 503. */
  closing: boolean;
  /** A connection's handler has finished. */
  handlerDone(connection: UwsWebSocket): void;
  /** uWS closed a socket inside the `res.cork()` that upgraded it (its bug; see {@link UwsWebSocket}). */
  upgradeDropped(): void;
}

/**
 * The uWS side of one WebSocket: upgrade, frames, close.
 *
 * @example
 * ```ts
 * upgrade(res, req, context) {
 *   const connection = new UwsWebSocket(state, res, context, key, extensions);
 *   handleWebSocket(core, scope, connection); // the engine attaches and answers through send()
 * }
 * ```
 */
export class UwsWebSocket implements WebSocketChannel {
  readonly #server: WebSocketServerState;
  #handshake: Handshake | undefined;
  #ws: UwsSocket<UserData> | undefined;
  /** {@link CLOSING}, {@link GONE} and the other state bits. */
  #flags = IN_CALLBACK;
  #endpoint: WebSocketEndpoint = DETACHED;

  /**
   * @param server - what every socket of the server shares.
   * @param res - the upgrade response; registered for abort here, before any await.
   * @param context - uWS's socket context, needed by `res.upgrade`.
   * @param key - `Sec-WebSocket-Key`, copied out of the request.
   * @param extensions - `Sec-WebSocket-Extensions`, copied out of the request.
   */
  constructor(server: WebSocketServerState, res: HttpResponse, context: us_socket_context_t, key: string, extensions: string) {
    this.#server = server;
    this.#handshake = { res, context, key, extensions };
    // uWS frees `res` on abort; without this handler it terminates the process.
    res.onAborted(() => this.#aborted());
  }

  /** The engine takes events from now on. */
  attach(endpoint: WebSocketEndpoint): void {
    this.#endpoint = endpoint;
  }

  /** The engine's side, for the server's fan-out (1013 checks) and shutdown. */
  get endpoint(): WebSocketEndpoint {
    return this.#endpoint;
  }

  /** Bytes uWS holds for the peer (a native read). */
  get bufferedAmount(): number {
    if ((this.#flags & SENT_CLEAR) !== 0) {
      // Asked right after a send uWS reported as fully handed over: nothing is buffered.
      this.#flags &= ~SENT_CLEAR;
      return 0;
    }
    return this.#ws?.getBufferedAmount() ?? 0;
  }

  /**
   * The protocol's `send` for this socket.
   *
   * @param event - a `websocket.*` event.
   * @returns nothing when done at once; a rejection (ConnectionClosed) once the socket is gone.
   */
  send(event: SendEvent): Promise<void> | void {
    switch (event.type) {
      case "websocket.send":
        return this.#write(event.text ?? event.bytes ?? new Uint8Array(0), event.text === undefined);
      case "websocket.accept":
        return this.#accept(event.subprotocol, event.headers);
      case "websocket.close":
        return this.#close(event.code, event.reason ?? "", event.abort === true);
      case "websocket.http.response":
        return this.#refuse(event.status, event.headers, event.body ?? "");
      case "websocket.subscribe":
        if (this.#ws === undefined) return quietRejection(new ConnectionClosed(1006));
        this.#server.topics.subscribe(this, event.topic);
        return;
      case "websocket.unsubscribe":
        if (this.#ws === undefined) return quietRejection(new ConnectionClosed(1006));
        this.#server.topics.unsubscribe(this, event.topic);
        return;
      default:
        return quietRejection(new ProtocolViolationError(`unexpected event ${event.type} for a WebSocket`));
    }
  }

  /**
   * uWS's `upgrade` callback returned: from now on the handshake is answered
   * after an await, inside `res.cork()`.
   */
  callbackReturned(): void {
    this.#flags &= ~IN_CALLBACK;
  }

  /** Called by the core once the handler (and `afterWebSocket`) finished. */
  done(): void {
    this.#server.handlerDone(this);
  }

  /** uWS `open`: the socket exists from now until {@link UwsWebSocket.closed}. */
  opened(ws: UwsSocket<UserData>): void {
    this.#ws = ws;
  }

  /** uWS `close` (also called synchronously from inside `ws.end()` / `ws.close()`). */
  closed(code: number, reason: string): void {
    const flags = this.#flags;
    const local = (flags & CLOSING) !== 0;
    this.#flags = flags | GONE | ((flags & UPGRADING) !== 0 ? DROPPED_ON_UPGRADE : 0);
    this.#ws = undefined;
    this.#server.topics.removeAll(this);
    if (!local && code === 1006) code = CLOSE_CODE_FOR_REASON[reason] ?? code;
    this.#endpoint.deliver({ type: "websocket.disconnect", code, reason });
  }

  /** Shutdown grace period over: drop the connection without ceremony. */
  terminate(): void {
    if (this.#ws !== undefined) {
      this.#flags |= CLOSING;
      this.#ws.close();
    } else if (this.#handshake !== undefined) {
      this.#handshake.res.close();
    }
  }

  /** The raw uWS socket, for the topic fan-out. */
  get socket(): UwsSocket<UserData> | undefined {
    return this.#ws;
  }

  #write(data: string | Uint8Array, isBinary: boolean): Promise<void> | void {
    const ws = this.#ws;
    if (ws === undefined) return quietRejection(this.#handshake !== undefined ? new WebSocketStateError("WebSocket not accepted yet") : new ConnectionClosed(1006));
    // uWS copies `data` before returning; with its limit off it writes or buffers everything.
    const result = ws.send(data, isBinary);
    // SUCCESS means uWS buffers nothing for the peer now: the engine's read of
    // bufferedAmount that follows every send needs no native call. Only that one
    // read: a publish (written by uWS natively) may buffer more later.
    if (result === SUCCESS) this.#flags |= SENT_CLEAR;
    else this.#flags &= ~SENT_CLEAR;
    if (result === DROPPED) {
      // Cannot happen with uWS's own limit off; if it ever does, the peer must know.
      this.#close(1011, "Message dropped", false);
      return quietRejection(new ConnectionClosed(1011, "Message dropped"));
    }
  }

  #aborted(): void {
    const pending = this.#handshake !== undefined;
    this.#handshake = undefined;
    if (pending && this.#ws === undefined && (this.#flags & GONE) === 0) {
      this.#flags |= GONE;
      this.#endpoint.deliver(ABORTED);
    }
  }

  #accept(subprotocol: string | undefined, headers: ResponseHeaders | undefined): Promise<void> | void {
    const handshake = this.#handshake;
    if (handshake === undefined) return quietRejection(new ConnectionClosed(1006, "Client went away during the handshake"));
    this.#handshake = undefined;
    const { res, key, extensions, context } = handshake;
    const upgrade = (): void => {
      if (headers !== undefined) {
        // Custom headers on a 101 need the status line first (uWS docs).
        res.writeStatus("101 Switching Protocols");
        writeHeaders(res, headers);
      }
      // uWS calls `open` synchronously, inside upgrade().
      res.upgrade<UserData>({ connection: this }, key, subprotocol ?? "", extensions, context);
    };
    this.#flags |= UPGRADING;
    try {
      // Inside uWS's callback: upgrade plainly. Past an await: cork, or uWS writes the 101 in
      // pieces (and warns). The plain path also never meets the cork()-after-upgrade close of
      // builds without uNetworking/uWebSockets#1929.
      if ((this.#flags & IN_CALLBACK) !== 0) upgrade();
      else res.cork(upgrade);
    } finally {
      this.#flags &= ~UPGRADING;
    }
    if ((this.#flags & DROPPED_ON_UPGRADE) !== 0) {
      // Nothing of ours ran between `open` and this `close`: it is uWS's cork() bug, not the client.
      this.#server.upgradeDropped();
      return quietRejection(new ConnectionClosed(1006, UPGRADE_DROPPED));
    }
    if (this.#ws === undefined) return quietRejection(new ConnectionClosed(1006, "Client went away during the handshake"));
  }

  #refuse(status: number, headers: ResponseHeaders | undefined, body: string): void {
    const handshake = this.#handshake;
    if (handshake === undefined) return;
    this.#handshake = undefined;
    this.#flags |= GONE;
    const res = handshake.res;
    // Close the connection: it was meant to become a WebSocket. Past an await: cork.
    const answer = (): void => {
      res.writeStatus(statusLine(status));
      if (headers !== undefined) writeHeaders(res, headers);
      res.end(body, true);
    };
    if ((this.#flags & IN_CALLBACK) !== 0) answer();
    else res.cork(answer);
  }

  #close(code: number, reason: string, abort: boolean): void {
    const ws = this.#ws;
    if (ws === undefined || (this.#flags & CLOSING) !== 0) return;
    this.#flags |= CLOSING;
    // end() sends the close frame after anything still buffered; close() drops the connection.
    // Both call `close` synchronously.
    if (abort) ws.close();
    else ws.end(code, reason);
  }
}

function writeHeaders(res: HttpResponse, headers: ResponseHeaders): void {
  for (const name in headers) {
    if (FRAMING_HEADERS.has(name)) continue;
    const value = headers[name]!;
    if (typeof value === "string") res.writeHeader(name, value);
    else for (const v of value) res.writeHeader(name, v);
  }
}

/**
 * Decodes a uWS close reason before the callback returns (uWS frees it).
 *
 * @param reason - the ArrayBuffer uWS passed to `close`.
 * @returns the reason as text, byte for byte (a leading U+FEFF is kept).
 * @example
 * ```ts
 * close: (ws, code, reason) => connection.closed(code, closeReasonText(reason)),
 * ```
 */
export function closeReasonText(reason: ArrayBuffer): string {
  return reason.byteLength === 0 ? "" : utf8Decoder.decode(reason);
}
