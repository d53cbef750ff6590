/**
 * The WebSocket a `ws_` handler receives: awaitable `accept`, `receive*`,
 * `send*`, `close`, and pub/sub, spoken to the server only as protocol
 * events. Ported from MicroPie's `WebSocket` class.
 *
 * @module
 */
import { ConnectionClosed, InvalidArgumentError } from "../protocol/errors.js";
import { isThenable } from "../protocol/is-thenable.js";
import type { ResponseHeaders } from "../protocol/protocol.js";
import type { Request } from "../core/request.js";
import { bindToRequest } from "../core/context.js";
import type { MessageHandler } from "./message-queue.js";
import { READ_BYTES, READ_MESSAGE, READ_TEXT, type Message } from "./read-mode.js";
import { quietRejection } from "./settled-promises.js";
import type { WebSocketEngine } from "./websocket-engine.js";
import { parseJsonMessage } from "./receive-json.js";
import type { InferOutput, StandardSchemaV1 } from "../protocol/standard-schema.js";

/** What the core does at accept time (session cookie, cookies set before accept). Shared by every socket of an app. */
export interface WebSocketHooks {
  /**
   * Extra headers for the handshake response.
   *
   * @param request - the handshake request.
   * @param sessionId - the id given to `accept()`, if any.
   */
  handshakeHeaders(request: Request, sessionId: string | undefined): ResponseHeaders | undefined | Promise<ResponseHeaders | undefined>;
}

const NO_SUBPROTOCOLS: readonly string[] = Object.freeze([]);
/** A source that may reach the app as `this` (or cannot be read: native and bound functions). */
const THIS_OR_OPAQUE = /\bthis\b|\bsuper\b|\[native code\]/;

/**
 * Whether an `onMessage` handler can read `this.request`: only one whose
 * source mentions `this` runs inside the request's context. Entering the
 * context for every message is most of what the fast path would otherwise
 * cost (on Node 24, 0.26 µs of 1.27 µs per echoed message, which put it
 * behind hyper-express; without it, ahead: bench/RESULTS.md).
 */
function mentionsThis(handler: Function): boolean {
  return THIS_OR_OPAQUE.test(Function.prototype.toString.call(handler));
}
const NO_HOOKS: WebSocketHooks = { handshakeHeaders: () => undefined };

/**
 * One WebSocket connection, handed to a `ws_` method as its first argument.
 * Created by upie; you never construct it.
 *
 * @example
 * ```ts
 * class Chat extends App {
 *   async ws_echo(ws: WebSocket) {
 *     await ws.accept();
 *     for await (const message of ws) await ws.sendText(message);
 *   }
 * }
 * ```
 */
export class WebSocket implements AsyncIterable<string> {
  readonly #engine: WebSocketEngine;
  readonly #request: Request | undefined;
  readonly #hooks: WebSocketHooks;
  #sessionId: string | undefined;
  #subprotocol: string | undefined;

  /**
   * @param engine - the connection's state and policies (see {@link WebSocketEngine}).
   * @param request - the handshake request (subprotocols offered, address).
   * @param hooks - what the core adds at accept time.
   */
  constructor(engine: WebSocketEngine, request?: Request, hooks: WebSocketHooks = NO_HOOKS) {
    this.#engine = engine;
    this.#request = request;
    this.#hooks = hooks;
  }

  /** True once `accept()` has completed (stays true after close). */
  get accepted(): boolean {
    return this.#subprotocol !== undefined;
  }

  /** True once either side closed the connection (or the handshake was refused). */
  get closed(): boolean {
    return this.#engine.closed;
  }

  /** The session id given to `accept()`, if any. */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** The subprotocol chosen in `accept()`, if any. */
  get subprotocol(): string | undefined {
    return this.#subprotocol || undefined;
  }

  /** Subprotocols the client offered (`Sec-WebSocket-Protocol`), in its order of preference. */
  get subprotocols(): readonly string[] {
    const scope = this.#request?.scope;
    return scope?.type === "websocket" ? scope.subprotocols : NO_SUBPROTOCOLS;
  }

  /** The peer's IP address as text ("" when unknown). */
  get remoteAddress(): string {
    return this.#request?.remoteAddress ?? "";
  }

  /**
   * Answers the handshake: only now does the client get `101 Switching Protocols`.
   *
   * @param subprotocol - one of {@link WebSocket.subprotocols}, echoed to the client.
   * @param sessionId - sets the `session_id` cookie on the handshake response
   *   (an id upie issued; cookies and session changes made before `accept()` are sent too).
   * @returns resolves once the handshake is answered. Rejects with
   *   {@link WebSocketStateError} when called twice or after `close()`, TypeError for a
   *   subprotocol the client did not offer, InvalidOptionError for a malformed `sessionId`,
   *   {@link ConnectionClosed} (1006) when the client left during the handshake.
   * @example
   * ```ts
   * async ws_chat(ws: WebSocket) {
   *   if (!this.request.session.user) return;   // → HTTP 403
   *   await ws.accept(ws.subprotocols.includes("chat.v1") ? "chat.v1" : undefined);
   * }
   * ```
   */
  accept(subprotocol?: string, sessionId?: string): Promise<void> {
    const engine = this.#engine;
    try {
      if (subprotocol !== undefined && !this.subprotocols.includes(subprotocol)) {
        throw new InvalidArgumentError(`Subprotocol ${JSON.stringify(subprotocol)} was not offered by the client`);
      }
      engine.beginAccept();
    } catch (error) {
      // The client leaving is not a bug: a rejection nobody awaits stays quiet.
      return error instanceof ConnectionClosed ? quietRejection(error) : Promise.reject(error);
    }
    // Synchronous unless a session must be saved first: no promise of our own on the common path.
    let headers: ReturnType<WebSocketHooks["handshakeHeaders"]>;
    try {
      headers = this.#request === undefined ? undefined : this.#hooks.handshakeHeaders(this.#request, sessionId);
    } catch (error) {
      return engine.acceptFailed(error);
    }
    if (isThenable(headers)) {
      return headers.then(
        (ready) => this.#answer(subprotocol, sessionId, ready),
        (error: unknown) => engine.acceptFailed(error),
      );
    }
    return this.#answer(subprotocol, sessionId, headers);
  }

  #answer(subprotocol: string | undefined, sessionId: string | undefined, headers: ResponseHeaders | undefined): Promise<void> {
    const accepted = this.#engine.accept(subprotocol, headers);
    // Upgraded synchronously on the common path: record it now, with no promise of our own.
    if (this.#engine.open) {
      this.#accepted(subprotocol, sessionId);
      return accepted;
    }
    return accepted.then(() => this.#accepted(subprotocol, sessionId));
  }

  #accepted(subprotocol: string | undefined, sessionId: string | undefined): void {
    this.#sessionId = sessionId;
    // "" marks "accepted without a subprotocol".
    this.#subprotocol = subprotocol ?? "";
  }

  /**
   * The next message as it came: a string for a text frame, bytes for a binary one.
   *
   * @returns the message; rejects with {@link ConnectionClosed} once the peer is gone and nothing is left.
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * const message = await ws.receive();
   * if (typeof message === "string") console.log("text", message);
   * ```
   */
  receive(): Promise<string | Uint8Array> {
    return this.#engine.read(READ_MESSAGE) as Promise<Message>;
  }

  /**
   * The next message as text (a binary message is decoded as UTF-8).
   *
   * @returns the text; rejects with {@link ConnectionClosed} once the peer is gone and nothing is left.
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * const name = await ws.receiveText();
   * ```
   */
  receiveText(): Promise<string> {
    return this.#engine.read(READ_TEXT) as Promise<string>;
  }

  /**
   * The next message as bytes (a text message is encoded as UTF-8).
   *
   * @returns the bytes; rejects with {@link ConnectionClosed} once the peer is gone and nothing is left.
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * const chunk = await ws.receiveBytes();
   * ```
   */
  receiveBytes(): Promise<Uint8Array> {
    return this.#engine.read(READ_BYTES) as Promise<Uint8Array>;
  }

  /**
   * The next message parsed as JSON; with a Standard Schema (zod, valibot,
   * arktype, …) validated by it, and typed by the schema's output.
   *
   * @param schema - any Standard Schema v1 validator; its output (transforms applied) is returned.
   * @returns the value; rejects with {@link InvalidMessageError} (`.issues`) when the message is not
   *   JSON or the schema rejects it (uncaught, the socket closes with 1007), and with
   *   {@link ConnectionClosed} once the peer is gone.
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * const Chat = z.object({ text: z.string().max(500) });
   * const { text } = await ws.receiveJson(Chat);   // text: string
   * ```
   */
  receiveJson<S extends StandardSchemaV1>(schema: S): Promise<InferOutput<S>>;
  receiveJson<T = unknown>(): Promise<T>;
  async receiveJson(schema?: StandardSchemaV1): Promise<unknown> {
    return parseJsonMessage(await this.receiveText(), schema);
  }

  /**
   * Receives every message as a call: the fast path, for routes that need raw
   * speed. Messages come in order, as they came (a string for a text frame,
   * bytes for a binary one). `this.request` works inside a `handler` that
   * mentions `this` (an arrow function in the `ws_` method); one that does not
   * runs outside the request's context, which is what keeps each call cheap.
   *
   * When `handler` returns a promise (an `async` function, or a send that
   * has to wait for the peer to read), the next message waits for it: the
   * queue's bounds (1008), backpressure and order hold as with `for await`.
   * Return nothing, or the send itself, to go as fast as uWS delivers.
   *
   * @param handler - called once per message.
   * @returns resolves once the connection is closed (like the end of a
   *   `for await` loop); rejects with what `handler` threw, which closes
   *   with 1011 as any handler error does. Await it, or return: a `ws_`
   *   method that returns while `onMessage` is set leaves the connection to
   *   it (open until either side closes), and holds no suspended frame,
   *   which is the cheapest idle socket upie has.
   * @throws {@link WebSocketStateError} before `accept()`, or when another
   *   reader (`receive*()`, `for await`, `onMessage`) is already waiting.
   * @example
   * ```ts
   * async ws_echo(ws: WebSocket) {
   *   await ws.accept();
   *   ws.onMessage((message) => (typeof message === "string" ? ws.sendText(message) : ws.sendBytes(message)));
   * }
   * ```
   */
  onMessage(handler: (message: string | Uint8Array) => unknown): Promise<void> {
    if (typeof handler !== "function") throw new InvalidArgumentError("onMessage() takes a function");
    const call = handler as MessageHandler;
    return this.#engine.consume(mentionsThis(call) ? bindToRequest(call) : call);
  }

  /**
   * Sends a text message.
   *
   * @param text - the message.
   * @returns resolves once the frame is written or buffered under `maxBackpressure`
   *   (above it, once the socket drained); rejects with {@link ConnectionClosed} after close.
   *   It need not be awaited: sends nobody waits for are bounded by
   *   `maxSubscriberBackpressure` (past it the connection closes with 1013),
   *   and an unawaited rejection is never an unhandled one.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError for a non-string.
   * @example
   * ```ts
   * await ws.sendText("hello");
   * ```
   */
  sendText(text: string): Promise<void> {
    if (typeof text !== "string") throw new InvalidArgumentError("sendText() takes a string");
    return this.#engine.send(text, false);
  }

  /**
   * Sends a binary message.
   *
   * @param data - the bytes (any ArrayBuffer view, or an ArrayBuffer).
   * @returns like {@link WebSocket.sendText}.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError for anything but bytes.
   * @example
   * ```ts
   * await ws.sendBytes(new Uint8Array([1, 2, 3]));
   * ```
   */
  sendBytes(data: Uint8Array | ArrayBuffer | ArrayBufferView): Promise<void> {
    let bytes: Uint8Array;
    if (data instanceof Uint8Array) bytes = data;
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else throw new InvalidArgumentError("sendBytes() takes a Uint8Array, an ArrayBuffer or another ArrayBuffer view");
    return this.#engine.send(bytes, true);
  }

  /**
   * Sends `value` as a JSON text message.
   *
   * @param value - anything `JSON.stringify` accepts.
   * @returns like {@link WebSocket.sendText}.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError when `value` has no JSON form.
   * @example
   * ```ts
   * await ws.sendJson({ type: "joined", user: "al" });
   * ```
   */
  sendJson(value: unknown): Promise<void> {
    const text = JSON.stringify(value);
    if (text === undefined) throw new InvalidArgumentError("sendJson() got a value with no JSON form");
    return this.sendText(text);
  }

  /**
   * Closes the connection. Before `accept()` it refuses the handshake (HTTP 403).
   * Pending and later receives reject with {@link ConnectionClosed}; calling it again does nothing.
   *
   * @param code - 1000 (default), 1001-1003, 1007-1014 or 3000-4999.
   * @param reason - at most 123 bytes of UTF-8.
   * @returns resolves once the close frame is handed to the server.
   * @throws `ArgumentRangeError` (a `RangeError`) for a code that may not be sent or a reason too long; {@link InvalidArgumentError} (a `TypeError`) for a reason that is not a string.
   * @example
   * ```ts
   * await ws.close(4001, "kicked");
   * ```
   */
  close(code = 1000, reason = ""): Promise<void> {
    return this.#engine.close(code, reason);
  }

  /**
   * Receives what is published on `topic` (see `app.publish`) until the connection closes.
   *
   * @param topic - any non-empty string.
   * @returns resolves once subscribed; rejects with {@link ConnectionClosed} after close.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError for an empty topic.
   * @example
   * ```ts
   * await ws.subscribe(`room:${room}`);
   * ```
   */
  subscribe(topic: string): Promise<void> {
    assertTopic(topic);
    return this.#engine.subscription(true, topic);
  }

  /**
   * Stops receiving what is published on `topic`.
   *
   * @param topic - a topic passed to {@link WebSocket.subscribe}.
   * @returns resolves once unsubscribed; rejects with {@link ConnectionClosed} after close.
   * @throws {@link WebSocketStateError} before `accept()`; TypeError for an empty topic.
   * @example
   * ```ts
   * await ws.unsubscribe("room:lobby");
   * ```
   */
  unsubscribe(topic: string): Promise<void> {
    assertTopic(topic);
    return this.#engine.subscription(false, topic);
  }

  /**
   * Iterates over text messages (binary ones decoded as UTF-8) until the
   * connection closes; the loop then ends quietly. `break` leaves the socket open.
   *
   * @throws {@link WebSocketStateError} before `accept()`.
   * @example
   * ```ts
   * for await (const message of ws) await ws.sendText(message);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    // The queue is its own iterator: a `for await` loop allocates nothing per connection.
    return this.#engine.iterator();
  }
}

function assertTopic(topic: unknown): void {
  if (typeof topic !== "string" || topic === "") throw new InvalidArgumentError("A topic is a non-empty string");
}
