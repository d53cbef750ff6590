import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { App, TestClient } from "../../lib/index.js";
import { recordingLogger } from "./helpers.js";

class Site extends App {
  ready = false;
  async index() { return this.ready ? "ready" : "not ready"; }
}

describe("lifecycle", () => {
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
