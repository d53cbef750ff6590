import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { App, ERRORS, InvalidArgumentError, TestClient, UnboundRouteParameterError, WebSocketMiddleware } from "../../lib/index.js";
import { appCore } from "../../lib/core/app.js";
import type { Broker, PublishedMessage } from "../../lib/pubsub/broker.js";
import { recordingLogger } from "./helpers.js";

class Site extends App {
  ready = false;
  async index() { return this.ready ? "ready" : "not ready"; }
}

describe("App", () => {
  it("keeps wsMiddlewares, the deprecated name, as the very array webSocketMiddlewares is", () => {
    const app = new App();
    const middleware = new (class extends WebSocketMiddleware {})();
    app.wsMiddlewares.push(middleware);
    assert.equal(app.wsMiddlewares, app.webSocketMiddlewares);
    assert.deepEqual(app.webSocketMiddlewares, [middleware]);
  });

  it("gives each handler its own request as this.request, across awaits", async () => {
    class Echo extends App {
      async slow(ms: string) {
        const before = this.request;
        await sleep(Number(ms));
        return `${this.request === before} ${this.request.queryParams.tag}`;
      }
    }
    const client = new TestClient(new Echo());
    const [a, b] = await Promise.all([client.get("/slow/20?tag=a"), client.get("/slow/1?tag=b")]);
    assert.deepEqual([a.text, b.text], ["true a", "true b"]);
  });

  it("adds explicit routes with route(), chainable, and checks their parameters where they are declared", async () => {
    const app = new App();
    assert.equal(app.route("/users/:id", function user(id: string) { return `user ${id}`; }, { methods: ["GET"] }), app);
    assert.throws(() => app.route("/posts/:id", function post(slug: string) { return slug; }), (error: unknown) =>
      error instanceof UnboundRouteParameterError && error.code === ERRORS.ROUTE_PARAMETER_UNBOUND.code);
    const client = new TestClient(app);
    assert.equal((await client.get("/users/7")).text, "user 7");
    assert.equal((await client.post("/users/7")).status, 405);
    assert.equal((await client.get("/posts/7")).status, 404, "the refused route was never added");
  });

  it("publishes through the app's broker, after checking topic and data", async () => {
    const published: Array<[string, PublishedMessage]> = [];
    const broker: Broker = { publish: (topic, message) => void published.push([topic, message]), attach: () => () => {} };
    const app = new App({ websocket: { broker } });
    await app.publish("room", "hi");
    await app.publish("room", new Uint8Array([1]).buffer);
    assert.deepEqual(published, [["room", "hi"], ["room", new Uint8Array([1])]]);
    await assert.rejects(app.publish("", "x"), InvalidArgumentError);
    assert.equal(published.length, 2);
  });

  it("resolves its options once, into the frozen config adapters read through appCore()", () => {
    const logger = recordingLogger();
    const app = new App({ logger, limits: { bodySize: 42 } });
    const core = appCore(app);
    assert.equal(core, appCore(app));
    assert.equal(core.config.logger, logger);
    assert.equal(core.limits.bodySize, 42);
    assert.ok(Object.isFrozen(core.config));
    assert.equal(core.app, app);
  });
});

describe("App lifecycle", () => {
  it("awaits startup handlers, in order, before listen() resolves", async () => {
    const app = new Site({ logger: recordingLogger() });
    const log: string[] = [];
    app.startupHandlers.push(async () => {
      await sleep(20);
      log.push("first");
    });
    app.startupHandlers.push(() => {
      log.push("second");
      app.ready = true;
    });
    const server = await app.listen({ port: 0, host: "127.0.0.1" });
    try {
      assert.deepEqual(log, ["first", "second"]);
      assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), "ready");
    } finally {
      await server.close();
    }
  });

  it("runs shutdown handlers inside close()", async () => {
    const app = new Site({ logger: recordingLogger() });
    const log: string[] = [];
    app.shutdownHandlers.push(async () => {
      await sleep(20);
      log.push("shutdown");
    });
    const server = await app.listen({ port: 0, host: "127.0.0.1" });
    assert.deepEqual(log, []);
    await server.close();
    assert.deepEqual(log, ["shutdown"]);
  });

  it("logs a failing shutdown handler and still runs the rest", async () => {
    const logger = recordingLogger();
    const app = new Site({ logger });
    const log: string[] = [];
    app.shutdownHandlers.push(() => {
      throw new Error("cannot flush");
    });
    app.shutdownHandlers.push(() => {
      log.push("second");
    });
    const server = await app.listen({ port: 0, host: "127.0.0.1" });
    await server.close();
    assert.deepEqual(log, ["second"]);
    assert.equal(logger.errors.length, 1);
  });

  it("rejects listen() when a startup handler fails, without listening", async () => {
    const app = new Site({ logger: recordingLogger() });
    app.startupHandlers.push(() => {
      throw new Error("no database");
    });
    await assert.rejects(app.listen({ port: 0, host: "127.0.0.1" }), /no database/);
  });

  it("runs startup handlers once before the TestClient's first request", async () => {
    const app = new Site({ logger: recordingLogger() });
    let runs = 0;
    app.startupHandlers.push(async () => {
      runs++;
      await sleep(5);
      app.ready = true;
    });
    const client = new TestClient(app);
    const [a, b] = await Promise.all([client.get("/"), client.get("/")]);
    assert.equal(a.text, "ready");
    assert.equal(b.text, "ready");
    assert.equal(runs, 1);
    let shutdowns = 0;
    app.shutdownHandlers.push(() => void shutdowns++);
    await client.close();
    assert.equal(shutdowns, 1);
  });
});
