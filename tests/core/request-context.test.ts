/**
 * The async context a handler runs in: a request starts in one of its own,
 * as one over a socket does (no caller's context could reach it there), and
 * what its middleware enters reaches the handler. The TestClient behaves as
 * the server does.
 */
import assert from "node:assert/strict";
import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { App, HttpMiddleware, TestClient, type WebSocket } from "../../lib/index.js";

/** A store of the app's own (a tracer's, a logger's), apart from upie's. */
const trace = new AsyncLocalStorage<string>();

class Traced extends App {
  plain() {
    return { trace: trace.getStore() ?? "none", path: this.request.path };
  }

  async later() {
    await sleep(1);
    return { trace: trace.getStore() ?? "none", path: this.request.path };
  }

  async ws_trace(ws: WebSocket) {
    await ws.accept();
    await ws.sendText(trace.getStore() ?? "none");
  }
}

/** Enters a trace id of its own for each request, as a tracing middleware would. */
class Tracing extends HttpMiddleware {
  override beforeRequest() {
    trace.enterWith("from the middleware");
    return undefined;
  }
}

describe("a request's async context", () => {
  it("is the request's own: a store entered around a TestClient call does not reach the handler", async () => {
    const client = new TestClient(new Traced());
    for (const path of ["/plain", "/later"]) {
      const res = await trace.run("the caller's", () => client.get(path));
      assert.deepEqual(res.json(), { trace: "none", path }, path);
    }
  });

  it("is the same over a socket", async () => {
    const server = await new Traced().listen({ port: 0, host: "127.0.0.1" });
    try {
      const res = await trace.run("the caller's", () => fetch(`http://127.0.0.1:${server.port}/later`));
      assert.deepEqual(await res.json(), { trace: "none", path: "/later" });
    } finally {
      await server.close();
    }
  });

  it("is the connection's own for a TestClient WebSocket too", async () => {
    const client = new TestClient(new Traced());
    const ws = await trace.run("the caller's", () => client.websocket("/trace"));
    assert.equal(await ws.receiveText(), "none");
    await ws.close();
  });

  it("leaves the caller's context as it was", async () => {
    const client = new TestClient(new Traced());
    await trace.run("the caller's", async () => {
      await client.get("/plain");
      assert.equal(trace.getStore(), "the caller's");
    });
  });

  it("holds what a middleware entered, in the handler and across its awaits", async () => {
    const app = new Traced();
    app.middlewares.push(new Tracing());
    const client = new TestClient(app);
    for (const path of ["/plain", "/later"]) {
      const res = await client.get(path);
      assert.deepEqual(res.json(), { trace: "from the middleware", path }, path);
    }
  });
});
