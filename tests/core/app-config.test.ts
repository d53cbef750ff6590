import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { App, InvalidOptionError, LocalBroker, TestClient, type AppOptions, type WebSocket } from "../../lib/index.js";
import { DEFAULT_LIMITS } from "../../lib/body/limits.js";
import { resolveAppConfig } from "../../lib/core/app-config.js";
import { appCore } from "../../lib/core/app.js";
import { stderrLogger } from "../../lib/protocol/logger.js";
import { DEFAULT_SESSION_TTL_SECONDS } from "../../lib/session/session-cookie.js";
import { recordingLogger } from "./helpers.js";

class Site extends App {
  async echo() { return { got: this.request.json("text") }; }
  async ws_echo(ws: WebSocket) {
    await ws.accept();
    for await (const message of ws) await ws.sendText(message);
  }
}

describe("resolveAppConfig", () => {
  it("fills in every default", () => {
    const config = resolveAppConfig({});
    assert.deepEqual(config.limits, DEFAULT_LIMITS);
    assert.equal(config.logger, stderrLogger);
    assert.equal(config.secrets, undefined);
    assert.ok(config.broker instanceof LocalBroker);
    assert.equal(config.websocket.maxPayloadLength, 64 * 1024);
    assert.equal(config.sessions.cookie.ttlSeconds, DEFAULT_SESSION_TTL_SECONDS);
    assert.match(config.templates.dir, /templates$/);
  });

  it("freezes the config and every settings object in it", () => {
    const config = resolveAppConfig({ secret: ["new", "old"], limits: { bodySize: 10 }, websocket: { idleTimeout: 30 } });
    for (const part of [config, config.limits, config.sessions, config.websocket, config.secrets]) assert.ok(Object.isFrozen(part));
    assert.deepEqual(config.secrets, ["new", "old"]);
  });

  it("uses the user's broker when there is one", () => {
    const broker = new LocalBroker();
    assert.equal(resolveAppConfig({ websocket: { broker } }).broker, broker);
  });

  it("rejects a bad option when the app is made, naming it", () => {
    const bad: Array<[AppOptions, RegExp]> = [
      [{ secret: "" }, /secret/],
      [{ limits: { nope: 1 } as never }, /limits\.nope/],
      [{ sessionTtl: 0 }, /sessionTtl/],
      [{ sessionBackend: {} as never }, /sessionBackend/],
      [{ websocket: { idleTimeout: 5 } }, /idleTimeout/],
      [{ templates: "" }, /templates/],
    ];
    for (const [options, message] of bad) assert.throws(() => new Site(options), (error: unknown) => error instanceof InvalidOptionError && message.test(error.message), message.source);
  });
});

describe("the app's config", () => {
  it("is read once: changing the options object afterwards changes nothing", async () => {
    const secret = ["first"];
    const options = { logger: recordingLogger(), secret, limits: { bodySize: 1024 }, websocket: { maxPayloadLength: 1024 } };
    const app = new Site(options);
    options.limits.bodySize = 4;
    options.websocket.maxPayloadLength = 2;
    secret[0] = "second";
    const config = appCore(app).config;
    assert.equal(config.limits.bodySize, 1024);
    assert.equal(config.websocket.maxPayloadLength, 1024);
    assert.deepEqual(config.secrets, ["first"]);

    const client = new TestClient(app);
    try {
      const res = await client.post("/echo", { json: { text: "more than four bytes" } });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json(), { got: "more than four bytes" });
      const ws = await client.websocket("/echo");
      await ws.sendText("longer than two bytes");
      assert.equal(await ws.receiveText(), "longer than two bytes");
      await ws.close();
    } finally {
      await client.close();
    }
  });
});
