/**
 * The client end of an in-process WebSocket (`client.websocket()`), and the
 * handshake that opens one; the server end, with its simulated send buffer,
 * is {@link TestConnection}.
 *
 * @module
 */
import type { AppCore } from "../core/app-core.js";
import { ConnectionClosed, WebSocketStateError } from "../protocol/errors.js";
import type { WebSocketScope } from "../protocol/protocol.js";
import { handleWebSocketAsync } from "../websocket/websocket-handler.js";
import { assertCloseFrame } from "../websocket/close-code.js";
import { READ_BYTES, READ_ITERATION, READ_MESSAGE, READ_TEXT } from "../websocket/read-mode.js";
import { runDetached } from "./run-detached.js";
import { TestConnection, type TestSockets } from "./test-connection.js";

/** Options for `client.websocket(path, options)`. */
export interface WebSocketRequestOptions {
  headers?: Record<string, string>;
  /** Appended to the path as a query string. */
  query?: Record<string, string | string[]>;
  /** Offered in `Sec-WebSocket-Protocol`, in order. */
  subprotocols?: string[];
  /** Client address the app sees (default 127.0.0.1). */
  remoteAddress?: string;
}

/**
 * The client end of an in-process WebSocket, returned by `client.websocket()`
 * once the app answered the handshake.
 *
 * @example
 * ```ts
 * const ws = await client.websocket("/echo");
 * assert.equal(ws.status, 101);
 * await ws.sendText("hi");
 * assert.equal(await ws.receiveText(), "hi");
 * await ws.close();
 * ```
 */
export class TestWebSocket implements AsyncIterable<string> {
  readonly #connection: TestConnection;
  /** Resolves when the app's handler (and `afterWebSocket`) has finished. */
  readonly finished: Promise<void>;

  /**
   * @param connection - the in-process connection (created by `client.websocket()`).
   * @param finished - the handler's completion.
   */
  constructor(connection: TestConnection, finished: Promise<void>) {
    this.#connection = connection;
    this.finished = finished;
  }

  /** 101 when accepted, otherwise the HTTP status the handshake was refused with. */
  get status(): number {
    return this.#connection.status;
  }

  /** True when the app accepted the handshake. */
  get accepted(): boolean {
    return this.#connection.status === 101;
  }

  /** The subprotocol the app chose, if any. */
  get subprotocol(): string | undefined {
    return this.#connection.subprotocol;
  }

  /** Handshake response headers, lower-case names (repeats joined by ", "). */
  get headers(): Record<string, string> {
    const flat: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#connection.headers)) flat[name] = Array.isArray(value) ? value.join(", ") : value;
    return flat;
  }

  /** Every `Set-Cookie` of the handshake response. */
  get setCookies(): string[] {
    const value = this.#connection.headers["set-cookie"];
    return value === undefined ? [] : [value].flat();
  }

  /** The body of a refused handshake ("" when accepted). */
  get body(): string {
    return this.#connection.body;
  }

  /** Resolves with the close code and reason once either side closed. */
  get closed(): Promise<{ code: number; reason: string }> {
    return this.#connection.closed;
  }

  /** The close code (0 while open). */
  get closeCode(): number {
    return this.#connection.closeCode;
  }

  /** The close reason ("" while open). */
  get closeReason(): string {
    return this.#connection.closeReason;
  }

  /** Bytes the app sent that this client has not read yet. */
  get unreadBytes(): number {
    return this.#connection.inbox.bytes;
  }

  /**
   * Sends a text message to the app.
   *
   * @returns rejects with {@link ConnectionClosed} once closed.
   * @throws {@link WebSocketStateError} when the handshake was refused.
   */
  sendText(text: string): Promise<void> {
    this.#assertAccepted();
    return this.#connection.fromClient(String(text));
  }

  /**
   * Sends a binary message to the app.
   *
   * @returns rejects with {@link ConnectionClosed} once closed.
   * @throws {@link WebSocketStateError} when the handshake was refused.
   */
  sendBytes(data: Uint8Array | ArrayBuffer): Promise<void> {
    this.#assertAccepted();
    return this.#connection.fromClient(data instanceof Uint8Array ? data : new Uint8Array(data));
  }

  /**
   * Sends `value` as JSON text.
   *
   * @returns rejects with {@link ConnectionClosed} once closed.
   */
  sendJson(value: unknown): Promise<void> {
    return this.sendText(JSON.stringify(value));
  }

  /** Sends a ping (the app's engine sees it, as with uWS's automatic pongs). */
  ping(): void {
    this.#assertAccepted();
    this.#connection.ping();
  }

  /**
   * The next message from the app, text or bytes as sent.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receive(): Promise<string | Uint8Array> {
    this.#assertAccepted();
    return this.#connection.read(READ_MESSAGE) as Promise<string | Uint8Array>;
  }

  /**
   * The next message from the app as text.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receiveText(): Promise<string> {
    this.#assertAccepted();
    return this.#connection.read(READ_TEXT) as Promise<string>;
  }

  /**
   * The next message from the app as bytes.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  receiveBytes(): Promise<Uint8Array> {
    this.#assertAccepted();
    return this.#connection.read(READ_BYTES) as Promise<Uint8Array>;
  }

  /**
   * The next message from the app parsed as JSON.
   *
   * @returns rejects with {@link ConnectionClosed} once closed and drained.
   */
  async receiveJson<T = any>(): Promise<T> {
    return JSON.parse(await this.receiveText()) as T;
  }

  /**
   * Closes from the client side; the app's pending receives reject with
   * {@link ConnectionClosed}. Await {@link TestWebSocket.finished} to wait for the handler.
   *
   * @param code - a close code a client may send (RFC 6455 §7.4).
   * @param reason - at most 123 bytes of UTF-8.
   * @throws `ArgumentRangeError` (a `RangeError`) for a code or reason that may not be sent.
   */
  close(code = 1000, reason = ""): Promise<void> {
    assertCloseFrame(code, reason);
    this.#connection.closeFromClient(code, reason);
    return Promise.resolve();
  }

  /** Iterates over the app's messages as text until the connection closes. */
  [Symbol.asyncIterator](): AsyncIterator<string> {
    this.#assertAccepted();
    const connection = this.#connection;
    return { next: () => connection.read(READ_ITERATION) as Promise<IteratorResult<string>> };
  }

  #assertAccepted(): void {
    if (this.#connection.status !== 101) throw new WebSocketStateError(`The handshake was refused with ${this.#connection.status}`);
  }
}

/**
 * Runs a WebSocket handshake against the app in process.
 *
 * @param core - the app.
 * @param scope - the handshake request.
 * @param sockets - what the TestClient's sockets share (fan-out, simulated buffer, live set).
 * @returns the client end, once the app accepted or refused.
 * @example
 * ```ts
 * const ws = await openTestWebSocket(appCore(app), scope, sockets);
 * ```
 */
export async function openTestWebSocket(core: AppCore, scope: WebSocketScope, sockets: TestSockets): Promise<TestWebSocket> {
  const connection = new TestConnection(sockets);
  const finished = (connection.finished = runDetached(() => handleWebSocketAsync(core, scope, connection)));
  // A handler that ends without answering is refused by the core, so one of the two settles first.
  await Promise.race([connection.handshake, finished]);
  return new TestWebSocket(connection, finished);
}
