import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, HttpMiddleware, TestClient, type Request, type ResponseInit } from "../../lib/index.js";
import { recordingLogger } from "./helpers.js";

class Site extends App {
  calls = 0;
  async index() {
    this.calls++;
    return "handler";
  }
  async who() { return String(this.request.session.user ?? "anon"); }
  async fail() { throw new Error("boom"); }
}

/** Records the order its hooks run in. */
class Tracer extends HttpMiddleware {
  constructor(readonly name: string, readonly log: string[]) {
    super();
  }
  override beforeRequest() {
    this.log.push(`before ${this.name}`);
    return undefined;
  }
  override afterRequest(_request: Request, response: ResponseInit) {
    this.log.push(`after ${this.name}`);
    response.headers[`x-${this.name}`] = "seen";
  }
}

function setup(...middlewares: HttpMiddleware[]) {
  const logger = recordingLogger();
  const app = new Site({ logger });
  app.middlewares.push(...middlewares);
  return { app, logger, client: new TestClient(app) };
}

describe("HTTP middleware", () => {
  it("runs beforeRequest and afterRequest in order around the handler", async () => {
    const log: string[] = [];
    const { client } = setup(new Tracer("a", log), new Tracer("b", log));
    const res = await client.get("/");
    assert.equal(res.text, "handler");
    assert.deepEqual(log, ["before a", "before b", "after a", "after b"]);
    assert.equal(res.headers["x-a"], "seen");
    assert.equal(res.headers["x-b"], "seen");
  });

  it("short-circuits with a tuple from beforeRequest", async () => {
    const log: string[] = [];
    class Deny extends HttpMiddleware {
      override beforeRequest() { return [403, "nope", { "X-Why": "denied" }]; }
    }
    const { client, app } = setup(new Deny(), new Tracer("later", log));
    const res = await client.get("/");
    assert.equal(res.status, 403);
    assert.equal(res.text, "nope");
    assert.equal(res.headers["x-why"], "denied");
    assert.equal(app.calls, 0);
    assert.deepEqual(log, ["after later"], "later beforeRequest hooks are skipped, every afterRequest runs");
  });

  it("short-circuits with an async result", async () => {
    class Json extends HttpMiddleware {
      override async beforeRequest() { return { early: true }; }
    }
    const { client, app } = setup(new Json());
    assert.deepEqual((await client.get("/")).json(), { early: true });
    assert.equal(app.calls, 0);
  });

  it("runs before routing, so it can answer an unknown path", async () => {
    class Catch extends HttpMiddleware {
      override beforeRequest(request: Request) { return request.path === "/missing" ? "caught" : undefined; }
    }
    const { client } = setup(new Catch());
    assert.equal((await client.get("/missing")).text, "caught");
    assert.equal((await client.get("/other")).status, 404);
  });

  it("sees the session in beforeRequest", async () => {
    class Login extends HttpMiddleware {
      override beforeRequest(request: Request) { request.session.user = "mw"; }
    }
    const { client } = setup(new Login());
    assert.equal((await client.get("/who")).text, "mw");
  });

  it("lets afterRequest mutate headers with lower-case names and status", async () => {
    class Mutate extends HttpMiddleware {
      override afterRequest(_request: Request, response: ResponseInit) {
        assert.equal(response.headers["content-type"], "text/html; charset=utf-8");
        response.headers["cache-control"] = "no-store";
        response.status = 203;
      }
    }
    const { client } = setup(new Mutate());
    const res = await client.get("/");
    assert.equal(res.status, 203);
    assert.equal(res.headers["cache-control"], "no-store");
    assert.equal(res.text, "handler");
  });

  it("lets afterRequest return a replacement response", async () => {
    class Replace extends HttpMiddleware {
      override async afterRequest(): Promise<ResponseInit> {
        return { status: 410, body: "replaced", headers: { "content-type": "text/plain" } };
      }
    }
    const { client } = setup(new Replace());
    const res = await client.get("/");
    assert.equal(res.status, 410);
    assert.equal(res.text, "replaced");
    assert.equal(res.headers["content-type"], "text/plain");
  });

  it("shows error responses to afterRequest", async () => {
    const seen: number[] = [];
    class Watch extends HttpMiddleware {
      override afterRequest(_request: Request, response: ResponseInit) { seen.push(response.status); }
    }
    const { client } = setup(new Watch());
    await client.get("/fail");
    await client.get("/nothing-here");
    assert.deepEqual(seen, [500, 404]);
  });

  it("turns a throwing middleware into a logged 500", async () => {
    class Broken extends HttpMiddleware {
      override beforeRequest(): never { throw new Error("middleware bug"); }
    }
    const { client, logger } = setup(new Broken());
    const res = await client.get("/");
    assert.equal(res.status, 500);
    assert.equal(res.text, "Internal Server Error");
    assert.equal(logger.errors.length, 1);
  });
});

describe("App.wsMiddlewares (deprecated)", () => {
  it("is the webSocketMiddlewares array under its old name, and is no route", async () => {
    const app = new Site();
    assert.equal(app.wsMiddlewares, app.webSocketMiddlewares);
    const client = new TestClient(app);
    try {
      assert.equal((await client.get("/wsMiddlewares")).status, 404);
      assert.equal((await client.get("/webSocketMiddlewares")).status, 404);
    } finally {
      await client.close();
    }
  });
});
