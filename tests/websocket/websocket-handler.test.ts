/**
 * How a `ws_` handler's end becomes what the client sees (docs/websockets.md),
 * over real sockets on uWS: returned → 1000, threw → 1011 (logged), an
 * uncaught InvalidMessageError → 1007 (not logged), the peer leaving → quiet;
 * a connection left to `onMessage` stays open; `afterWebSocket` runs last, and
 * a session changed during the connection is saved.
 * The handshake refusals (403, HttpError statuses, beforeWebSocket) are in
 * tests/websocket/websocket.test.ts and tests/server/uws/websocket-server.test.ts.
 */
import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { after, before, beforeEach, describe, it } from "node:test";
import { App, HttpError, WebSocketMiddleware, type Request, type Server, type WebSocket } from "../../lib/index.js";
import { recordingLogger, type RecordingLogger } from "../core/helpers.js";
import { connect, refusedStatus, until } from "../server/ws-client.js";

class Handlers extends App {
  log: string[] = [];

  async ws_returns(ws: WebSocket) {
    await ws.accept();
    await ws.sendText("bye");
  }

  async ws_strict(ws: WebSocket) {
    await ws.accept();
    await ws.receiveJson(); // not JSON: InvalidMessageError, left uncaught
  }

  async ws_left(ws: WebSocket) {
    await ws.accept();
    await ws.sendText("ready");
    try {
      await ws.receiveText(); // the client closes: ConnectionClosed, rethrown
    } finally {
      this.log.push("left");
    }
  }

  async ws_fast(ws: WebSocket) {
    await ws.accept();
    void ws.onMessage((message) => {
      if (message === "boom") throw new Error("onMessage failed");
      return ws.sendText(`got ${String(message)}`);
    });
    this.log.push("fast returned");
  }

  async ws_counter(ws: WebSocket) {
    await ws.accept();
    const session = this.request.session;
    session.count = ((session.count as number | undefined) ?? 0) + 1;
    await ws.sendText(String(session.count));
  }

  // Not a native promise: upie follows it through one, in the request's context.
  ws_thenable(ws: WebSocket): PromiseLike<void> {
    const started = (async () => {
      await ws.accept();
      await ws.sendText("thenable");
    })();
    return { then: (onDone, onFailed) => started.then(() => this.failThenable ? Promise.reject(new Error("thenable failed")) : undefined).then(onDone, onFailed) };
  }
  failThenable = false;

  // The app's own AsyncLocalStorage, entered inside the handler: upie's context is not replaced.
  async ws_ownContext(ws: WebSocket) {
    ownStore.enterWith("the app's");
    await ws.accept();
    await ws.sendText(ownStore.getStore() ?? "none");
  }

  async ws_refused(_ws: WebSocket) {
    throw new HttpError(409, "taken");
  }

  async login() {
    this.request.session.count = 0;
    return "in";
  }

  async count() {
    return String(this.request.session.count ?? "none");
  }
}

const ownStore = new AsyncLocalStorage<string>();

class Recorder extends WebSocketMiddleware {
  constructor(readonly log: string[]) {
    super();
  }
  override afterWebSocket(request: Request) {
    this.log.push(`after ${request.path}`);
    if (request.path === "/refused") throw new Error("afterWebSocket failed");
  }
}

describe("the end of a ws_ handler, on real sockets", () => {
  let app: Handlers;
  let logger: RecordingLogger;
  let server: Server;
  const url = (path: string) => `ws://127.0.0.1:${server.port}${path}`;

  before(async () => {
    logger = recordingLogger();
    app = new Handlers({ logger, secret: "a test secret of enough length!!" });
    app.webSocketMiddlewares.push(new Recorder(app.log));
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => server.close());
  beforeEach(() => {
    app.log.length = 0;
    logger.errors.length = 0;
    app.failThenable = false;
  });

  it("follows a handler that returns a thenable that is not a native promise: 1000 when it resolves", async () => {
    const client = await connect(url("/thenable"));
    assert.equal(await client.nextText(), "thenable");
    assert.deepEqual(await client.closed, { code: 1000, reason: "" });
    await until(() => app.log.includes("after /thenable"));
    assert.deepEqual(logger.errors, []);
  });

  it("follows a handler that returns a thenable that is not a native promise: 1011 (logged) when it rejects", async () => {
    app.failThenable = true;
    const client = await connect(url("/thenable"));
    assert.equal(await client.nextText(), "thenable");
    assert.equal((await client.closed).code, 1011);
    await until(() => app.log.includes("after /thenable"));
    assert.equal(logger.errors.length, 1);
    assert.match(String(logger.errors[0]!.error), /thenable failed/);
  });

  it("ends a handler that entered the app's own AsyncLocalStorage like any other", async () => {
    const client = await connect(url("/ownContext"));
    assert.equal(await client.nextText(), "the app's");
    assert.deepEqual(await client.closed, { code: 1000, reason: "" });
    await until(() => app.log.includes("after /ownContext"));
    assert.deepEqual(logger.errors, []);
  });

  it("closes with 1000 once the handler returns, after what it sent", async () => {
    const client = await connect(url("/returns"));
    assert.equal(await client.nextText(), "bye");
    assert.deepEqual(await client.closed, { code: 1000, reason: "" });
    await until(() => app.log.includes("after /returns"));
    assert.deepEqual(logger.errors, []);
  });

  it("closes with 1007 when the handler leaves an InvalidMessageError uncaught, and logs nothing", async () => {
    const client = await connect(url("/strict"));
    client.send("{not json");
    const closed = await client.closed;
    assert.equal(closed.code, 1007);
    await until(() => app.log.includes("after /strict"));
    assert.deepEqual(logger.errors, []);
  });

  it("ends quietly when the peer left and the handler let ConnectionClosed escape", async () => {
    const client = await connect(url("/left"));
    assert.equal(await client.nextText(), "ready");
    client.close(4001, "going");
    assert.equal((await client.closed).code, 4001);
    await until(() => app.log.includes("after /left"));
    assert.deepEqual(app.log, ["left", "after /left"]);
    assert.deepEqual(logger.errors, []);
  });

  it("leaves the connection to onMessage when the handler returns, and runs afterWebSocket once the peer leaves", async () => {
    const client = await connect(url("/fast"));
    client.send("one");
    client.send("two");
    assert.equal(await client.nextText(), "got one");
    assert.equal(await client.nextText(), "got two");
    assert.deepEqual(app.log, ["fast returned"]);
    client.close(1000);
    await client.closed;
    await until(() => app.log.includes("after /fast"));
    assert.deepEqual(logger.errors, []);
  });

  it("closes with 1011 and logs when onMessage throws", async () => {
    const client = await connect(url("/fast"));
    client.send("boom");
    const closed = await client.closed;
    assert.equal(closed.code, 1011);
    await until(() => app.log.includes("after /fast"));
    assert.equal(logger.errors.length, 1);
    assert.match(String((logger.errors[0]!.error as Error).message), /onMessage failed/);
  });

  it("saves what the handler changed in the session after accept(), once it has finished", async () => {
    const login = await fetch(`http://127.0.0.1:${server.port}/login`);
    const cookie = login.headers.getSetCookie()[0]!.split(";")[0]!;
    for (const expected of ["1", "2"]) {
      const client = await connect(url("/counter"), { headers: { cookie } });
      assert.equal(await client.nextText(), expected);
      await client.closed;
      await until(() => app.log.includes("after /counter"));
      app.log.length = 0;
      const res = await fetch(`http://127.0.0.1:${server.port}/count`, { headers: { cookie } });
      assert.equal(await res.text(), expected);
    }
  });

  it("answers an HttpError thrown before accepting with its status, and logs an afterWebSocket that throws without breaking the next connection", async () => {
    assert.deepEqual(await refusedStatus(url("/refused")), { status: 409, body: "taken" });
    await until(() => app.log.includes("after /refused"));
    assert.equal(logger.errors.length, 1);
    assert.match(logger.errors[0]!.message, /afterWebSocket failed for \/refused/);
    const client = await connect(url("/returns"));
    assert.equal(await client.nextText(), "bye");
    assert.equal((await client.closed).code, 1000);
  });
});
