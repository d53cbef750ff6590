/**
 * upie's error catalogue: every error upie raises has a stable `code`
 * (`UPIE_ERR_…`) and the HTTP status or WebSocket close code it maps to.
 * docs/errors.md lists every entry of {@link ERRORS}, and
 * tests/protocol/errors.test.ts keeps the two in sync.
 *
 * @module
 */

/** One catalogue entry: what a user can match on, and what the client sees. */
export interface ErrorSpec {
  code: string;
  status: number;
  message: string;
}

/** Every error upie answers with, by stable code. */
export const ERRORS = {
  NOT_FOUND: { code: "UPIE_ERR_NOT_FOUND", status: 404, message: "Not Found" },
  METHOD_NOT_ALLOWED: { code: "UPIE_ERR_METHOD_NOT_ALLOWED", status: 405, message: "Method Not Allowed" },
  BAD_PATH_ENCODING: { code: "UPIE_ERR_BAD_PATH_ENCODING", status: 400, message: "Bad percent-encoding in path" },
  PATH_SEGMENT_TOO_LONG: { code: "UPIE_ERR_PATH_SEGMENT_TOO_LONG", status: 414, message: "Path segment too long" },
  MISSING_PARAMETER: { code: "UPIE_ERR_MISSING_PARAMETER", status: 400, message: "Missing required parameter" },
  TOO_MANY_HEADERS: { code: "UPIE_ERR_TOO_MANY_HEADERS", status: 431, message: "Too many request headers" },
  BODY_TOO_LARGE: { code: "UPIE_ERR_BODY_TOO_LARGE", status: 413, message: "Request body too large" },
  MALFORMED_JSON: { code: "UPIE_ERR_MALFORMED_JSON", status: 400, message: "Malformed JSON body" },
  JSON_TOO_DEEP: { code: "UPIE_ERR_JSON_TOO_DEEP", status: 400, message: "JSON body nested too deeply" },
  FORBIDDEN_KEY: { code: "UPIE_ERR_FORBIDDEN_KEY", status: 400, message: "Forbidden key in request data" },
  INVALID_BODY: { code: "UPIE_ERR_INVALID_BODY", status: 422, message: "Request body failed validation" },
  MALFORMED_MULTIPART: { code: "UPIE_ERR_MALFORMED_MULTIPART", status: 400, message: "Malformed multipart body" },
  MULTIPART_LIMIT: { code: "UPIE_ERR_MULTIPART_LIMIT", status: 413, message: "Multipart limit exceeded" },
  UPLOADS_BUSY: { code: "UPIE_ERR_UPLOADS_BUSY", status: 503, message: "Too many uploads in progress, try again later" },
  SPOOL_FULL: { code: "UPIE_ERR_SPOOL_FULL", status: 503, message: "Upload storage is full, try again later" },
  INVALID_HEADER: { code: "UPIE_ERR_INVALID_HEADER", status: 500, message: "Invalid response header" },
  INTERNAL: { code: "UPIE_ERR_INTERNAL", status: 500, message: "Internal Server Error" },
  HTTP: { code: "UPIE_ERR_HTTP", status: 500, message: "HTTP error" },
  INVALID_OPTION: { code: "UPIE_ERR_INVALID_OPTION", status: 500, message: "Invalid option" },
  ROUTE_PARAMETER_UNBOUND: { code: "UPIE_ERR_ROUTE_PARAMETER_UNBOUND", status: 500, message: "Route pattern names a parameter the handler lacks" },
  SIGNATURE_UNREADABLE: { code: "UPIE_ERR_SIGNATURE_UNREADABLE", status: 500, message: "Handler parameter list could not be read" },
  UWS_UNAVAILABLE: { code: "UPIE_ERR_UWS_UNAVAILABLE", status: 500, message: "No native uWebSockets.js build for this runtime" },
  ADDRESS_IN_USE: { code: "UPIE_ERR_ADDRESS_IN_USE", status: 500, message: "Port already in use" },
  LISTEN_FAILED: { code: "UPIE_ERR_LISTEN_FAILED", status: 500, message: "Could not listen" },
  CLIENT_GONE: { code: "UPIE_ERR_CLIENT_GONE", status: 499, message: "Client closed the connection" },
  STATIC_BAD_PATH: { code: "UPIE_ERR_STATIC_BAD_PATH", status: 400, message: "Bad Request" },
  STATIC_FORBIDDEN: { code: "UPIE_ERR_STATIC_FORBIDDEN", status: 403, message: "Forbidden" },
  CSRF: { code: "UPIE_ERR_CSRF", status: 403, message: "CSRF token missing or invalid" },
  FORBIDDEN_ORIGIN: { code: "UPIE_ERR_FORBIDDEN_ORIGIN", status: 403, message: "WebSocket origin not allowed" },
  RATE_LIMITED: { code: "UPIE_ERR_RATE_LIMITED", status: 429, message: "Too Many Requests" },
  TEMPLATE_ENGINE_MISSING: { code: "UPIE_ERR_TEMPLATE_ENGINE_MISSING", status: 500, message: "Template engine not installed" },
  WS_NOT_ACCEPTED: { code: "UPIE_ERR_WS_NOT_ACCEPTED", status: 1011, message: "WebSocket not accepted yet" },
  WS_QUEUE_OVERFLOW: { code: "UPIE_ERR_WS_QUEUE_OVERFLOW", status: 1008, message: "Too many unread messages" },
  WS_HANDLER_ERROR: { code: "UPIE_ERR_WS_HANDLER_ERROR", status: 1011, message: "Internal error" },
  WS_INVALID_MESSAGE: { code: "UPIE_ERR_WS_INVALID_MESSAGE", status: 1007, message: "Invalid message" },
  WS_CLOSED: { code: "UPIE_ERR_WS_CLOSED", status: 1006, message: "Connection closed" },
  WS_CLIENT_QUEUE_FULL: { code: "UPIE_ERR_WS_CLIENT_QUEUE_FULL", status: 1013, message: "WSClient send queue is full" },
  WS_CLIENT_TIMEOUT: { code: "UPIE_ERR_WS_CLIENT_TIMEOUT", status: 1006, message: "WSClient timed out" },
  WS_SLOW_SUBSCRIBER: { code: "UPIE_ERR_WS_SLOW_SUBSCRIBER", status: 1013, message: "Subscriber too slow: published messages would be lost" },
  BROKER_BACKLOG_FULL: { code: "UPIE_ERR_BROKER_BACKLOG_FULL", status: 503, message: "Broker unreachable and its backlog is full" },
  INVALID_ARGUMENT: { code: "UPIE_ERR_INVALID_ARGUMENT", status: 500, message: "Invalid argument" },
  ARGUMENT_OUT_OF_RANGE: { code: "UPIE_ERR_ARGUMENT_OUT_OF_RANGE", status: 500, message: "Argument out of range" },
  INVALID_STATE: { code: "UPIE_ERR_INVALID_STATE", status: 500, message: "Used in a state that does not allow it" },
  PROTOCOL_VIOLATION: { code: "UPIE_ERR_PROTOCOL_VIOLATION", status: 500, message: "Adapter protocol event out of place" },
  NO_SERVER_ADAPTER: { code: "UPIE_ERR_NO_SERVER_ADAPTER", status: 500, message: "No server adapter is registered" },
  NO_WEBSOCKET: { code: "UPIE_ERR_NO_WEBSOCKET", status: 500, message: "No WebSocket implementation in this environment" },
  TIMED_OUT: { code: "UPIE_ERR_TIMED_OUT", status: 500, message: "A test harness waited too long" },
  WS_CLIENT_CONNECT_FAILED: { code: "UPIE_ERR_WS_CLIENT_CONNECT_FAILED", status: 1006, message: "WSClient could not open the WebSocket" },
  BROKER_MESSAGE_TOO_LARGE: { code: "UPIE_ERR_BROKER_MESSAGE_TOO_LARGE", status: 413, message: "Published message larger than the broker's maxMessageBytes" },
} as const satisfies Record<string, ErrorSpec>;

/** Reason phrases for the statuses upie writes itself. */
export const STATUS_TEXT: Readonly<Record<number, string>> = {
  100: "Continue", 101: "Switching Protocols",
  200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 206: "Partial Content",
  301: "Moved Permanently", 302: "Found", 303: "See Other", 304: "Not Modified",
  307: "Temporary Redirect", 308: "Permanent Redirect",
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 409: "Conflict",
  410: "Gone", 411: "Length Required", 412: "Precondition Failed", 413: "Content Too Large",
  414: "URI Too Long", 415: "Unsupported Media Type", 416: "Range Not Satisfiable",
  422: "Unprocessable Content", 426: "Upgrade Required", 429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout",
};

/** A class an error of the catalogue can extend: `Error` or one of its subclasses. */
// A mixin's base must be typed `new (...args: any[])`; the class built on it still takes
// the base's own constructor arguments (TypeScript intersects the two signatures).
type ErrorClass = new (...args: any[]) => Error;

/**
 * The base of an error class that carries one catalogue entry: it extends
 * `Base` (so `instanceof TypeError` and the like still hold), sets `name`,
 * and carries `spec.code`. Every such class of upie is built on it; a class
 * with more to say adds its own constructor and fields.
 *
 * @param Base - the standard error (or upie error) the class extends.
 * @param errorName - the class' own name, written out: bundlers may rename classes.
 * @param spec - the catalogue entry whose `code` it carries.
 * @example
 * ```ts
 * export class InvalidStateError extends catalogueError(Error, "InvalidStateError", ERRORS.INVALID_STATE) {}
 * ```
 */
export function catalogueError<B extends ErrorClass>(Base: B, errorName: string, spec: ErrorSpec) {
  return class extends Base {
    override name = errorName;
    /** Stable catalogue code (`UPIE_ERR_…`). */
    readonly code: string = spec.code;
  };
}

/**
 * An error that becomes an HTTP response: throw it from a handler or a
 * middleware and the client gets `status` with `message` as the body.
 *
 * @example
 * ```ts
 * async secret() { throw new HttpError(403, "Members only"); }
 * ```
 */
export class HttpError extends Error {
  override name = "HttpError";
  /** Stable catalogue code; `UPIE_ERR_HTTP` for errors users throw. */
  readonly code: string;
  readonly status: number;
  /** Extra response headers (e.g. `Allow` on a 405). */
  readonly headers: Record<string, string>;

  /**
   * @param status - HTTP status, 400..599 (other values become 500).
   * @param message - body sent to the client; defaults to the status' reason phrase.
   */
  constructor(status: number, message?: string, options: { code?: string; headers?: Record<string, string> } = {}) {
    const valid = Number.isInteger(status) && status >= 400 && status <= 599;
    const finalStatus = valid ? status : 500;
    super(message ?? STATUS_TEXT[finalStatus] ?? "Error");
    this.status = finalStatus;
    this.code = options.code ?? ERRORS.HTTP.code;
    this.headers = options.headers ?? {};
  }

  /** Builds the error for a catalogue entry, with an optional more precise message. */
  static of(spec: ErrorSpec, message?: string, headers?: Record<string, string>): HttpError {
    return new HttpError(spec.status, message ?? spec.message, { code: spec.code, headers });
  }
}

/**
 * Thrown when a WebSocket is used after it closed, and by every receive that
 * was pending when the peer went away.
 */
export class ConnectionClosed extends Error {
  override name = "ConnectionClosed";
  /** The WebSocket close code (1000 normal, 1001 going away, 1006 abnormal, …). */
  readonly code: number;
  readonly reason: string;
  /** Stable catalogue code, for symmetry with the other errors. */
  readonly errorCode = ERRORS.WS_CLOSED.code;

  constructor(code = 1006, reason = "") {
    super(`WebSocket closed (${code}${reason ? `: ${reason}` : ""})`);
    this.code = code;
    this.reason = reason;
  }
}

/**
 * `ws.receiveJson()` got a message that is not JSON, or that its schema
 * rejected. Catch it to answer the client and read on; a handler that lets it
 * escape closes the connection with 1007 (RFC 6455 §7.4.1: data inconsistent
 * with the message's type), which is not logged: the client sent it.
 */
export class InvalidMessageError extends catalogueError(Error, "InvalidMessageError", ERRORS.WS_INVALID_MESSAGE) {
  /** The close code used when the handler does not catch it. */
  readonly closeCode: number = ERRORS.WS_INVALID_MESSAGE.status;
  /** What was wrong: each issue's message and path (`["items", 0, "name"]`; `[]` for the whole message). */
  readonly issues: ReadonlyArray<{ readonly message: string; readonly path: ReadonlyArray<string | number> }>;

  constructor(issues: InvalidMessageError["issues"]) {
    super(`Invalid message: ${issues.map((i) => (i.path.length > 0 ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ")}`);
    this.issues = issues;
  }
}

/** A WebSocket method used in the wrong state (e.g. `sendText` before `accept`). */
export class WebSocketStateError extends catalogueError(Error, "WebSocketStateError", ERRORS.WS_NOT_ACCEPTED) {}

/** A bad option passed to upie (checked in JS: uWS would terminate the process). */
export class InvalidOptionError extends catalogueError(TypeError, "InvalidOptionError", ERRORS.INVALID_OPTION) {}

/**
 * A route pattern's `:name` (or `*name`) that no parameter of its handler is
 * called: every request would be a 400, so the route fails where it is declared.
 */
export class UnboundRouteParameterError extends catalogueError(InvalidOptionError, "UnboundRouteParameterError", ERRORS.ROUTE_PARAMETER_UNBOUND) {}

/**
 * A handler whose parameter list upie cannot read from its source (a default
 * it cannot skip, or a bound function whose names are gone): binding is by
 * name, so the route fails where it is declared instead of leaving some
 * parameters silently unbound.
 */
export class UnreadableSignatureError extends catalogueError(InvalidOptionError, "UnreadableSignatureError", ERRORS.SIGNATURE_UNREADABLE) {}

/**
 * `listen()` found no uWebSockets.js build that loads natively on this Node.js
 * and platform. The message names the runtime, each build's reason and the fix.
 */
export class UwsUnavailableError extends catalogueError(Error, "UwsUnavailableError", ERRORS.UWS_UNAVAILABLE) {}

/**
 * `listen()` could not bind its address. `code` is the system's reason, as
 * in Node's own errors (`EADDRINUSE` when another server holds the port,
 * `EACCES`, `EADDRNOTAVAIL`, …); `errorCode` is the catalogue's
 * (`UPIE_ERR_ADDRESS_IN_USE` or `UPIE_ERR_LISTEN_FAILED`).
 *
 * @example
 * ```ts
 * try {
 *   await app.listen({ port: 8000 });
 * } catch (error) {
 *   if (error instanceof ListenError && error.code === "EADDRINUSE") console.error(`port ${error.port} is taken`);
 *   else throw error;
 * }
 * ```
 */
export class ListenError extends Error {
  override name = "ListenError";
  /** The system's reason (`EADDRINUSE`, `EACCES`, …), or `UPIE_ERR_LISTEN_FAILED` when it is unknown. */
  readonly code: string;
  /** Stable catalogue code. */
  readonly errorCode: string;
  readonly host: string;
  readonly port: number;

  /**
   * @param host - the address asked for.
   * @param port - the port asked for.
   * @param systemCode - why the bind failed, when known (an errno name).
   */
  constructor(host: string, port: number, systemCode: string | undefined) {
    const inUse = systemCode === "EADDRINUSE";
    super(inUse
      ? `upie could not listen on ${host}:${port}: the port is already in use (EADDRINUSE). Stop the other server, pick another port, or pass reusePort: true to every server meant to share it`
      : `upie could not listen on ${host}:${port}${systemCode === undefined ? "" : ` (${systemCode})`}`);
    this.code = systemCode ?? ERRORS.LISTEN_FAILED.code;
    this.errorCode = inUse ? ERRORS.ADDRESS_IN_USE.code : ERRORS.LISTEN_FAILED.code;
    this.host = host;
    this.port = port;
  }
}

/**
 * An argument of the wrong kind passed to an upie function or method (a
 * programmer error, e.g. `sendText(42)`): thrown at once, never sent.
 */
export class InvalidArgumentError extends catalogueError(TypeError, "InvalidArgumentError", ERRORS.INVALID_ARGUMENT) {}

/** An argument of the right kind but outside what is allowed (e.g. close code 999). */
export class ArgumentRangeError extends catalogueError(RangeError, "ArgumentRangeError", ERRORS.ARGUMENT_OUT_OF_RANGE) {}

/**
 * Something used when its state does not allow it: a closed broker or spool,
 * a disposed upload, `this.request` outside a request, a send on a socket
 * that is not open.
 */
export class InvalidStateError extends catalogueError(Error, "InvalidStateError", ERRORS.INVALID_STATE) {}

/** A server adapter and the core disagree about the protocol: an event the channel cannot take now. */
export class ProtocolViolationError extends catalogueError(TypeError, "ProtocolViolationError", ERRORS.PROTOCOL_VIOLATION) {}

/** `listen()` found no server adapter: the app was imported without `upie`'s entry point. */
export class NoServerAdapterError extends catalogueError(Error, "NoServerAdapterError", ERRORS.NO_SERVER_ADAPTER) {}

/** `WSClient` found no WebSocket to use (in Node before 22 without the `ws` package). */
export class NoWebSocketError extends catalogueError(TypeError, "NoWebSocketError", ERRORS.NO_WEBSOCKET) {}

/** A contract suite or test harness waited longer than it allows (the test fails). */
export class TimedOutError extends catalogueError(Error, "TimedOutError", ERRORS.TIMED_OUT) {}
