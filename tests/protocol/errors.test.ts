import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  App, ArgumentRangeError, ConnectionClosed, ERRORS, HttpError, InvalidArgumentError, InvalidMessageError, InvalidOptionError, InvalidStateError, ListenError,
  NoServerAdapterError, UnboundRouteParameterError, UwsUnavailableError, WebSocketStateError,
} from "../../lib/index.js";
import { STATUS_TEXT } from "../../lib/protocol/errors.js";
import { ProtocolViolationError } from "../../lib/adapter.js";
import { TimedOutError } from "../../lib/testing/index.js";
import { ConnectFailedError, NoWebSocketError } from "../../lib/ws-client/index.js";

const ERRORS_DOC = new URL("../../docs/errors.md", import.meta.url);

/** `| \`UPIE_ERR_X\` | 404 | ...` rows of docs/errors.md, by code. */
function documentedRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readFileSync(ERRORS_DOC, "utf8").split("\n")) {
    const match = /^\|\s*`(UPIE_ERR_[A-Z0-9_]+)`\s*\|\s*([^|]*?)\s*\|/.exec(line);
    if (match) rows.set(match[1]!, match[2]!);
  }
  return rows;
}

describe("the error catalogue", () => {
  const entries = Object.entries(ERRORS);

  it("gives every entry a UPIE_ERR_ code named after its key", () => {
    for (const [key, spec] of entries) assert.equal(spec.code, `UPIE_ERR_${key}`);
  });

  it("has unique codes", () => {
    const codes = entries.map(([, spec]) => spec.code);
    assert.equal(new Set(codes).size, codes.length);
  });

  it("maps every entry to an HTTP status or a WebSocket close code", () => {
    for (const [key, spec] of entries) {
      const http = spec.status >= 400 && spec.status <= 599;
      const close = spec.status >= 1000 && spec.status <= 4999;
      assert.ok(http || close, `${key}: ${spec.status}`);
      assert.equal(key.startsWith("WS_"), close, `${key} and its status ${spec.status} disagree`);
      assert.ok(spec.message.length > 0);
    }
  });

  it("is listed, with the same status, in docs/errors.md's table", () => {
    const rows = documentedRows();
    for (const [, spec] of entries) {
      assert.ok(rows.has(spec.code), `docs/errors.md has no row for ${spec.code}`);
      assert.equal(rows.get(spec.code), String(spec.status), `docs/errors.md gives ${spec.code} another status`);
    }
  });

  it("lists nothing in docs/errors.md that is not in the catalogue", () => {
    const known = new Set<string>(entries.map(([, spec]) => spec.code));
    for (const code of documentedRows().keys()) assert.ok(known.has(code), `docs/errors.md lists unknown ${code}`);
  });
});

describe("error classes", () => {
  it("builds an HttpError from an entry with its code and status", () => {
    const error = HttpError.of(ERRORS.NOT_FOUND);
    assert.ok(error instanceof Error);
    assert.equal(error.name, "HttpError");
    assert.equal(error.code, "UPIE_ERR_NOT_FOUND");
    assert.equal(error.status, 404);
    assert.equal(error.message, "Not Found");
  });

  it("gives user HttpErrors UPIE_ERR_HTTP and the reason phrase", () => {
    const error = new HttpError(409);
    assert.equal(error.code, ERRORS.HTTP.code);
    assert.equal(error.status, 409);
    assert.equal(error.message, "Conflict");
  });

  it("turns an HttpError status outside 400..599 into 500", () => {
    assert.equal(new HttpError(200).status, 500);
    assert.equal(new HttpError(1234).status, 500);
    assert.equal(new HttpError(Number.NaN).status, 500);
  });

  it("gives the other errors their catalogue codes", () => {
    assert.equal(new InvalidOptionError("x").code, ERRORS.INVALID_OPTION.code);
    assert.ok(new InvalidOptionError("x") instanceof TypeError);
    assert.equal(new WebSocketStateError("x").code, ERRORS.WS_NOT_ACCEPTED.code);
    const closed = new ConnectionClosed(1001, "bye");
    assert.equal(closed.code, 1001);
    assert.equal(closed.reason, "bye");
    assert.equal(closed.errorCode, ERRORS.WS_CLOSED.code);
  });

  it("gives an HttpError the reason phrase of its status, \"Error\" when there is none, and the headers given", () => {
    for (const [status, text] of Object.entries(STATUS_TEXT)) {
      if (Number(status) >= 400) assert.equal(new HttpError(Number(status)).message, text);
    }
    assert.equal(new HttpError(418).message, "Error");
    const error = new HttpError(405, undefined, { code: ERRORS.METHOD_NOT_ALLOWED.code, headers: { allow: "GET" } });
    assert.deepEqual([error.code, error.message, error.headers], ["UPIE_ERR_METHOD_NOT_ALLOWED", "Method Not Allowed", { allow: "GET" }]);
    assert.deepEqual(HttpError.of(ERRORS.RATE_LIMITED, "slow down", { "retry-after": "3" }).headers, { "retry-after": "3" });
    assert.deepEqual(new HttpError(404).headers, {});
  });

  it("closes ConnectionClosed with 1006 and names code and reason in its message", () => {
    assert.equal(new ConnectionClosed().code, 1006);
    assert.equal(new ConnectionClosed().message, "WebSocket closed (1006)");
    assert.equal(new ConnectionClosed(4000, "kicked").message, "WebSocket closed (4000: kicked)");
  });

  it("lists an InvalidMessageError's issues with their paths, and closes with 1007", () => {
    const error = new InvalidMessageError([{ message: "not JSON", path: [] }, { message: "required", path: ["items", 0, "name"] }]);
    assert.equal(error.code, ERRORS.WS_INVALID_MESSAGE.code);
    assert.equal(error.closeCode, 1007);
    assert.equal(error.message, "Invalid message: not JSON; items.0.name: required");
    assert.equal(error.issues.length, 2);
  });

  it("makes UnboundRouteParameterError an InvalidOptionError with its own code", () => {
    const error = new UnboundRouteParameterError("no :id");
    assert.ok(error instanceof InvalidOptionError);
    assert.ok(error instanceof TypeError);
    assert.equal(error.code, ERRORS.ROUTE_PARAMETER_UNBOUND.code);
    assert.equal(new UwsUnavailableError("none").code, ERRORS.UWS_UNAVAILABLE.code);
  });

  it("gives ListenError the system's code, the catalogue's errorCode, and the address", () => {
    const inUse = new ListenError("127.0.0.1", 8000, "EADDRINUSE");
    assert.deepEqual([inUse.code, inUse.errorCode, inUse.host, inUse.port], ["EADDRINUSE", ERRORS.ADDRESS_IN_USE.code, "127.0.0.1", 8000]);
    assert.match(inUse.message, /127\.0\.0\.1:8000.*already in use.*reusePort/);
    const denied = new ListenError("0.0.0.0", 80, "EACCES");
    assert.deepEqual([denied.code, denied.errorCode], ["EACCES", ERRORS.LISTEN_FAILED.code]);
    assert.equal(denied.message, "upie could not listen on 0.0.0.0:80 (EACCES)");
    const unknown = new ListenError("::1", 1, undefined);
    assert.deepEqual([unknown.code, unknown.errorCode, unknown.message], [ERRORS.LISTEN_FAILED.code, ERRORS.LISTEN_FAILED.code, "upie could not listen on ::1:1"]);
  });
});

describe("the errors that replaced plain throws", () => {
  it("carry their catalogue codes, keep their messages, and stay the built-in kind callers catch", () => {
    const cases: Array<[Error & { code: string }, string, ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor]> = [
      [new InvalidArgumentError("sendText() takes a string"), ERRORS.INVALID_ARGUMENT.code, TypeError],
      [new ArgumentRangeError("bad close code"), ERRORS.ARGUMENT_OUT_OF_RANGE.code, RangeError],
      [new InvalidStateError("Spool is closed"), ERRORS.INVALID_STATE.code, Error],
      [new ProtocolViolationError("unexpected event"), ERRORS.PROTOCOL_VIOLATION.code, TypeError],
      [new NoServerAdapterError("none"), ERRORS.NO_SERVER_ADAPTER.code, Error],
      [new NoWebSocketError("none"), ERRORS.NO_WEBSOCKET.code, TypeError],
      [new TimedOutError("waited"), ERRORS.TIMED_OUT.code, Error],
      [new ConnectFailedError("refused"), ERRORS.WS_CLIENT_CONNECT_FAILED.code, Error],
    ];
    for (const [error, code, kind] of cases) {
      assert.equal(error.code, code, error.name);
      assert.ok(error instanceof kind, `${error.name} is a ${kind.name}`);
      assert.equal(error.name, error.constructor.name);
    }
    assert.equal(new InvalidArgumentError("sendText() takes a string").message, "sendText() takes a string");
  });

  it("are what upie throws: this.request outside a request is an InvalidStateError", () => {
    assert.throws(() => new App().request, (error: unknown) =>
      error instanceof InvalidStateError && error.code === ERRORS.INVALID_STATE.code && error.message === "this.request is only available while handling a request");
  });
});
