/**
 * An in-process client that speaks the same scope/receive/send protocol as
 * the uWS adapter, with no socket: test an app in milliseconds.
 *
 * @module
 */
import { InvalidOptionError } from "../protocol/errors.js";
import { randomBytes } from "node:crypto";
import { framingProblem } from "../body/framing.js";
import { appCore, type App } from "../core/app.js";
import { withinGrace, type StoppingServer } from "../core/app-lifecycle.js";
import { handleHttpAsync } from "../core/http-handler.js";
import type { HttpScope, WebSocketScope } from "../protocol/protocol.js";
import { LocalFanout } from "../pubsub/local-fanout.js";
import { runDetached } from "./run-detached.js";
import { TestHttpExchange, type TestRequestBody } from "./test-http-exchange.js";
import type { TestConnection, TestSockets } from "./test-connection.js";
import { openTestWebSocket, type TestWebSocket, type WebSocketRequestOptions } from "./test-websocket.js";

/** A file for {@link RequestOptions.files}. */
export interface TestFile {
  filename: string;
  content: string | Uint8Array;
  contentType?: string;
}

/** Options for one request. */
export interface RequestOptions {
  headers?: Record<string, string>;
  /** Appended to the path as a query string. */
  query?: Record<string, string | string[]>;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded` (or as multipart fields with `files`). */
  form?: Record<string, string | string[]>;
  /** Sent as `multipart/form-data` files, by field name. */
  files?: Record<string, TestFile | TestFile[]>;
  /**
   * A raw body; an async iterable is streamed, each piece reaching the app
   * as it is yielded (sent with `transfer-encoding: chunked`, as a socket
   * client would).
   */
  body?: string | Uint8Array | AsyncIterable<string | Uint8Array>;
  /** Client address the app sees (default 127.0.0.1). */
  remoteAddress?: string;
  /**
   * Delivers the body to the app in pieces of this many bytes, as a socket
   * would (default: one piece).
   */
  chunkSize?: number;
  /**
   * The client leaves when this aborts: the app's `receive()` gets
   * `http.disconnect`, a streamed response is cancelled, and the request
   * rejects with the signal's reason (as `fetch` does).
   */
  signal?: AbortSignal;
}

/** A collected response. */
export class TestResponse {
  readonly status: number;
  /** Response headers, lower-case names; repeated ones joined by ", ". */
  readonly headers: Record<string, string>;
  /** Every `Set-Cookie` value. */
  readonly setCookies: string[];
  readonly body: Uint8Array;

  constructor(status: number, headers: Record<string, string>, setCookies: string[], body: Uint8Array) {
    this.status = status;
    this.headers = headers;
    this.setCookies = setCookies;
    this.body = body;
  }

  /** The body decoded as UTF-8. */
  get text(): string {
    return Buffer.from(this.body).toString("utf8");
  }

  /** The body parsed as JSON. */
  json<T = any>(): T {
    return JSON.parse(this.text) as T;
  }
}

/** Options for `new TestClient(app, options)`. */
export interface TestClientOptions {
  /**
   * Bytes an in-process WebSocket's simulated kernel buffer holds before the
   * app's sends count as backpressure (then they wait until the test reads,
   * and a subscriber not read from is closed with 1013). Default 256 KiB.
   */
  socketBuffer?: number;
}

const DEFAULT_SOCKET_BUFFER = 256 * 1024;

/**
 * Drives an app in process. Keeps cookies between requests like a browser.
 *
 * @example
 * ```ts
 * const client = new TestClient(new MyApp());
 * const res = await client.get("/greet/Al");
 * assert.equal(res.text, "Hello, Al!");
 * ```
 */
export class TestClient {
  readonly app: App;
  /** Cookies the client sends, by name. */
  readonly cookies = new Map<string, string>();
  #started: Promise<void> | undefined;
  readonly #socketBuffer: number;
  /** In-process sockets: their fan-out (attached to the app's broker on first use) and the live ones. */
  #sockets: (TestSockets & { detach: () => void }) | undefined;

  /**
   * @param app - the app to drive in process.
   * @param options - the simulated network's settings.
   */
  constructor(app: App, options: TestClientOptions = {}) {
    this.app = app;
    const socketBuffer = options.socketBuffer ?? DEFAULT_SOCKET_BUFFER;
    if (!Number.isInteger(socketBuffer) || socketBuffer < 0) throw new InvalidOptionError("socketBuffer must be a non-negative integer");
    this.#socketBuffer = socketBuffer;
  }

  /** Runs the app's startup handlers (done automatically before the first request). */
  start(): Promise<void> {
    return (this.#started ??= appCore(this.app).lifecycle.start());
  }

  /**
   * Stops like `server.close()` (the same lifecycle): open WebSockets are
   * closed with 1001, their handlers get up to 10 s to finish, then the
   * shutdown handlers run; one that fails is logged and the rest still run.
   */
  close(): Promise<void> {
    const sockets = this.#sockets;
    this.#sockets = undefined;
    const server: StoppingServer = {
      async closeWebSockets(code, reason) {
        if (sockets === undefined) return;
        await withinGrace(Promise.all([...sockets.live].map((connection) => {
          connection.endpoint.shutdown(code, reason);
          return connection.finished;
        })));
        sockets.detach();
      },
    };
    return appCore(this.app).lifecycle.stop(server);
  }

  get(path: string, options?: RequestOptions) { return this.request("GET", path, options); }
  head(path: string, options?: RequestOptions) { return this.request("HEAD", path, options); }
  post(path: string, options?: RequestOptions) { return this.request("POST", path, options); }
  put(path: string, options?: RequestOptions) { return this.request("PUT", path, options); }
  patch(path: string, options?: RequestOptions) { return this.request("PATCH", path, options); }
  delete(path: string, options?: RequestOptions) { return this.request("DELETE", path, options); }
  options(path: string, options?: RequestOptions) { return this.request("OPTIONS", path, options); }

  /** Sends one request and collects the whole response. */
  async request(method: string, target: string, options: RequestOptions = {}): Promise<TestResponse> {
    await this.start();
    const { path, rawQuery } = splitTarget(target, options.query);
    const headers: Record<string, string> = Object.create(null);
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
    const body = encodeBody(options, headers);
    // Framed as a socket client frames it: a whole body by its length, a streamed one chunked.
    if (!(body instanceof Uint8Array)) addHeader(headers, "transfer-encoding", "chunked");
    else if (body.byteLength > 0) addHeader(headers, "content-length", String(body.byteLength));
    const framing = framingProblem(headers);
    // The uWS adapter's answer (it also closes the connection there).
    if (framing !== undefined) return new TestResponse(400, { "content-length": String(Buffer.byteLength(framing)), connection: "close" }, [], Buffer.from(framing));
    if (this.cookies.size > 0 && headers.cookie === undefined) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    const scope: HttpScope = { type: "http", method: method.toUpperCase(), path, rawQuery, headers, client: options.remoteAddress ?? "127.0.0.1" };
    const chunkSize = options.chunkSize ?? Math.max(body instanceof Uint8Array ? body.byteLength : 0, 1);
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new InvalidOptionError("chunkSize must be a positive integer");
    const signal = options.signal;
    signal?.throwIfAborted();
    const exchange = new TestHttpExchange(scope.method === "HEAD", body, chunkSize, signal);
    const handled = runDetached(() => handleHttpAsync(appCore(this.app), scope, exchange));
    // A client that leaves does not wait for the app: the request rejects at once, the app carries on.
    if (signal === undefined) await handled;
    else await Promise.race([handled, exchange.left]);
    if (signal?.aborted === true) throw signal.reason;
    const response = exchange.response();
    const flat: Record<string, string> = {};
    const setCookies: string[] = [];
    for (const [name, value] of Object.entries(response.headers)) {
      flat[name] = Array.isArray(value) ? value.join(", ") : value;
      if (name === "set-cookie") setCookies.push(...[value].flat());
    }
    this.#storeCookies(setCookies);
    return new TestResponse(response.status, flat, setCookies, response.body);
  }

  /**
   * Opens a WebSocket to a `ws_` route in process; resolves once the app
   * accepted (`status` 101) or refused (`status` 403, 404, 500…) the handshake.
   * Cookies are sent and stored as for HTTP requests.
   *
   * @param target - path, optionally with a query string.
   * @param options - headers, query, offered subprotocols, client address.
   * @returns the client end of the socket.
   * @example
   * ```ts
   * const ws = await client.websocket("/echo");
   * await ws.sendText("hi");
   * assert.equal(await ws.receiveText(), "hi");
   * ```
   */
  async websocket(target: string, options: WebSocketRequestOptions = {}): Promise<TestWebSocket> {
    await this.start();
    const core = appCore(this.app);
    const { path, rawQuery } = splitTarget(target, options.query);
    const headers: Record<string, string> = Object.create(null);
    headers.connection = "Upgrade";
    headers.upgrade = "websocket";
    headers["sec-websocket-version"] = "13";
    headers["sec-websocket-key"] = randomBytes(16).toString("base64");
    const subprotocols = options.subprotocols ?? [];
    if (subprotocols.length > 0) headers["sec-websocket-protocol"] = subprotocols.join(", ");
    for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = v;
    if (this.cookies.size > 0 && headers.cookie === undefined) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    }
    const scope: WebSocketScope = { type: "websocket", method: "GET", path, rawQuery, headers, client: options.remoteAddress ?? "127.0.0.1", subprotocols };
    const socket = await openTestWebSocket(core, scope, this.#socketsFor(core));
    this.#storeCookies(socket.setCookies);
    return socket;
  }

  #socketsFor(core: ReturnType<typeof appCore>): TestSockets {
    if (this.#sockets === undefined) {
      const { broker, websocket: options } = core.config;
      const topics = new LocalFanout<TestConnection>(
        { publish: (_topic, message, subscribers) => { for (const connection of subscribers) connection.deliverPublished(message); } },
        broker,
        options.maxSubscriberBackpressure,
        core.logger,
      );
      this.#sockets = { topics, socketBuffer: this.#socketBuffer, live: new Set(), detach: broker.attach(topics) };
    }
    return this.#sockets;
  }

  #storeCookies(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a) || (/^\s*expires\s*=/i.test(a) && Date.parse(a.split("=")[1]!) < Date.now()));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1).trim());
    }
  }
}

/** Sets a request header the client adds; a different value the test set stays too, joined as a server joins repeats. */
function addHeader(headers: Record<string, string>, name: string, value: string): void {
  const existing = headers[name];
  headers[name] = existing === undefined || existing === value ? value : `${existing}, ${value}`;
}

function splitTarget(target: string, query: RequestOptions["query"]): { path: string; rawQuery: string } {
  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  let rawQuery = q === -1 ? "" : target.slice(q + 1);
  if (query !== undefined) {
    const extra = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) for (const item of [v].flat()) extra.append(k, item);
    rawQuery = rawQuery === "" ? extra.toString() : `${rawQuery}&${extra}`;
  }
  return { path, rawQuery };
}

function encodeBody(options: RequestOptions, headers: Record<string, string>): TestRequestBody {
  if (options.files !== undefined) {
    const boundary = `----upie${randomBytes(12).toString("hex")}`;
    headers["content-type"] ??= `multipart/form-data; boundary=${boundary}`;
    const parts: Buffer[] = [];
    for (const [name, value] of Object.entries(options.form ?? {})) {
      for (const item of [value].flat()) {
        parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${item}\r\n`));
      }
    }
    for (const [name, value] of Object.entries(options.files)) {
      for (const file of [value].flat()) {
        parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"; filename="${file.filename}"\r\ncontent-type: ${file.contentType ?? "application/octet-stream"}\r\n\r\n`));
        parts.push(Buffer.from(file.content));
        parts.push(Buffer.from("\r\n"));
      }
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return Buffer.concat(parts);
  }
  if (options.json !== undefined) {
    headers["content-type"] ??= "application/json";
    return Buffer.from(JSON.stringify(options.json));
  }
  if (options.form !== undefined) {
    headers["content-type"] ??= "application/x-www-form-urlencoded";
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.form)) for (const item of [v].flat()) params.append(k, item);
    return Buffer.from(params.toString());
  }
  if (options.body !== undefined) return typeof options.body === "string" ? Buffer.from(options.body) : options.body;
  return new Uint8Array(0);
}
