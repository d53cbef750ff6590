import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppCore, type AppInstance } from "../../lib/core/app-core.js";
import { resolveAppConfig, type AppOptions } from "../../lib/core/app-config.js";
import { Request } from "../../lib/core/request.js";
import { ERRORS, HttpError, InvalidOptionError } from "../../lib/protocol/errors.js";
import { App, TestClient, type WebSocket } from "../../lib/index.js";
import type { HttpScope } from "../../lib/protocol/protocol.js";
import { recordingLogger } from "./helpers.js";

/** What AppCore reads of an app, as a plain class: its prototype's methods are the routes. */
class Site implements AppInstance {
  readonly middlewares = [];
  readonly webSocketMiddlewares = [];
  readonly startupHandlers = [];
  readonly shutdownHandlers = [];
  index() { return "home"; }
  ws_chat(_ws: unknown) {}
}

function setup(options: AppOptions = {}) {
  const logger = recordingLogger();
  const core = new AppCore(new Site(), resolveAppConfig({ logger, ...options }), Object.prototype);
  return { core, logger };
}

function request(headers: Record<string, string> = {}): Request {
  const scope: HttpScope = { type: "http", method: "POST", path: "/orders", rawQuery: "", headers, client: "127.0.0.1" };
  return new Request(scope);
}

describe("AppCore", () => {
  describe("route tables", () => {
    it("builds them on first use, so routes added after construction (a subclass constructor's app.route()) are in", () => {
      const { core } = setup();
      core.explicitRoutes.push({ pattern: "/late/:id", fn: function late(id: string) { return id; } });
      assert.deepEqual({ ...core.http.match("GET", ["late", "7"]).named }, { id: "7" });
      assert.equal(core.http.match("GET", []).handler.name, "index");
      assert.equal(core.ws.match("GET", ["chat"]).handler.name, "ws_chat");
      assert.equal(core.http, core.http, "built once");
    });

    it("freezes both tables on freeze(): later explicit routes are not served", () => {
      const { core } = setup();
      core.freeze();
      core.explicitRoutes.push({ pattern: "/late", fn: () => "late" });
      assert.throws(() => core.http.match("GET", ["late"]), (error: unknown) => error instanceof HttpError && error.status === 404);
    });
  });

  describe("#headerCountExceeded", () => {
    it("is true only past limits.headerCount", () => {
      const { core } = setup({ limits: { headerCount: 3 } });
      assert.equal(core.headerCountExceeded({}), false);
      assert.equal(core.headerCountExceeded({ a: "1", b: "2", c: "3" }), false);
      assert.equal(core.headerCountExceeded({ a: "1", b: "2", c: "3", d: "4" }), true);
    });
  });

  describe("#errorResponse", () => {
    it("answers an HttpError with its own status, message and headers, logging none of the client's errors", () => {
      const { core, logger } = setup();
      const response = core.errorResponse(HttpError.of(ERRORS.METHOD_NOT_ALLOWED, undefined, { allow: "GET" }), request());
      assert.deepEqual(response, { status: 405, body: "Method Not Allowed", headers: { "content-type": "text/plain; charset=utf-8", allow: "GET" } });
      core.errorResponse(new HttpError(503, "maintenance"), request());
      assert.deepEqual(logger.errors, [], "a user's own 5xx HttpError is a decision, not a failure");
    });

    it("logs upie's own 5xx errors with the request, and still sends their message", () => {
      const { core, logger } = setup();
      const response = core.errorResponse(HttpError.of(ERRORS.SPOOL_FULL), request());
      assert.equal(response.status, 503);
      assert.equal(response.body, ERRORS.SPOOL_FULL.message);
      assert.deepEqual(logger.errors.map((e) => e.message), ["POST /orders"]);
    });

    it("answers anything else, and a bad response header, with a generic logged 500", () => {
      const { core, logger } = setup();
      const boom = new Error("db password in here");
      const response = core.errorResponse(boom, request());
      assert.deepEqual([response.status, response.body], [500, "Internal Server Error"]);
      const header = HttpError.of(ERRORS.INVALID_HEADER, 'Invalid value for response header "x"');
      assert.deepEqual([core.errorResponse(header, request()).status, core.errorResponse(header, request()).body], [500, "Internal Server Error"]);
      assert.equal(logger.errors[0]!.message, "unhandled error in POST /orders");
      assert.equal(logger.errors[0]!.error, boom);
      assert.equal(logger.errors[1]!.error, header);
    });
  });

  describe("#handshakeHeaders", () => {
    it("returns nothing, synchronously, when there is no cookie to send", () => {
      const { core } = setup();
      assert.equal(core.handshakeHeaders(request(), undefined), undefined);
    });

    it("sends the cookies set before accept(), once, plus the session cookie for accept()'s id", () => {
      const { core } = setup();
      const req = request();
      req.setCookie("theme", "dark");
      const headers = core.handshakeHeaders(req, "player-42") as Record<string, string[]>;
      assert.equal(headers["set-cookie"]!.length, 2);
      assert.match(headers["set-cookie"]![0]!, /^theme=dark/);
      assert.match(headers["set-cookie"]![1]!, /^session_id=player-42; .*HttpOnly/);
      assert.deepEqual(req.outgoingCookies, [], "taken, so nothing sends them again");
    });

    it("saves a session stored during the handshake before answering, and sends its cookie", async () => {
      const { core } = setup();
      const req = request();
      req.session.user = "al";
      const pending = core.handshakeHeaders(req, undefined);
      assert.ok(pending instanceof Promise);
      const headers = (await pending) as Record<string, string[]>;
      const id = /^session_id=([^;]+);/.exec(headers["set-cookie"]![0]!)![1]!;
      assert.deepEqual(await core.sessions.backend.load(id), { user: "al" });
    });

    it("refuses an id no cookie can carry with UPIE_ERR_INVALID_OPTION", () => {
      const { core } = setup();
      for (const id of ["has space", "semi;colon", "", "x".repeat(257)]) {
        assert.throws(() => core.handshakeHeaders(request(), id), (error: unknown) =>
          error instanceof InvalidOptionError && error.code === ERRORS.INVALID_OPTION.code, JSON.stringify(id));
      }
    });
  });

  describe("#handshakeHeaders, with a session id no cookie can carry", () => {
    it("keeps the cookies set before accept(), so the next accept still sends them", () => {
      const { core } = setup();
      const req = request();
      req.setCookie("theme", "dark");
      assert.throws(() => core.handshakeHeaders(req, "a b;c"), InvalidOptionError);
      assert.equal(req.outgoingCookies.length, 1, "not taken by the refused accept");
      const headers = core.handshakeHeaders(req, undefined) as Record<string, string[]>;
      assert.match(headers["set-cookie"]![0]!, /^theme=dark/);
    });

    it("sends them on a route's handshake after the handler caught the error and accepted again", async () => {
      class Game extends App {
        async ws_play(ws: WebSocket) {
          this.request.setCookie("theme", "dark");
          try {
            await ws.accept(undefined, "a b;c");
          } catch (error) {
            if (!(error instanceof InvalidOptionError)) throw error;
            await ws.accept();
          }
          await ws.sendText("in");
        }
      }
      const ws = await new TestClient(new Game({ logger: recordingLogger() })).websocket("/play");
      assert.equal(ws.status, 101);
      assert.equal(await ws.receiveText(), "in");
      assert.equal(ws.setCookies.length, 1);
      assert.match(ws.setCookies[0]!, /^theme=dark/);
    });
  });

  it("reads its settings from the one resolved config", () => {
    const { core } = setup({ secret: "s3cret", limits: { bodySize: 10 } });
    assert.equal(core.limits, core.config.limits);
    assert.equal(core.limits.bodySize, 10);
    assert.deepEqual(core.secrets, ["s3cret"]);
    assert.equal(core.logger, core.config.logger);
    assert.equal(core.sessions.backend, core.config.sessions.backend);
  });
});
