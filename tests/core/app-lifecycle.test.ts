import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { App } from "../../lib/index.js";
import { appCore } from "../../lib/core/app.js";
import { SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON, withinGrace } from "../../lib/core/app-lifecycle.js";
import { recordingLogger } from "./helpers.js";

class Site extends App {
  async index() { return "home"; }
}

describe("AppLifecycle", () => {
  describe("#start", () => {
    it("builds the routes, then awaits the startup handlers in order", async () => {
      const app = new Site({ logger: recordingLogger() });
      const log: string[] = [];
      app.startupHandlers.push(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push("first");
      });
      app.startupHandlers.push(() => void log.push("second"));
      await appCore(app).lifecycle.start();
      assert.deepEqual(log, ["first", "second"]);
    });

    it("rejects with a startup handler's error and runs none after it", async () => {
      const app = new Site({ logger: recordingLogger() });
      let after = false;
      app.startupHandlers.push(() => {
        throw new Error("no database");
      });
      app.startupHandlers.push(() => void (after = true));
      await assert.rejects(appCore(app).lifecycle.start(), /no database/);
      assert.equal(after, false);
    });
  });

  describe("#stop", () => {
    it("stops the server in order (accepting, WebSockets with 1001, requests), then runs the shutdown handlers", async () => {
      const app = new Site({ logger: recordingLogger() });
      const log: string[] = [];
      app.shutdownHandlers.push(() => void log.push("shutdown handler"));
      await appCore(app).lifecycle.stop({
        stopAccepting: () => void log.push("stop accepting"),
        async closeWebSockets(code, reason) {
          log.push(`close WebSockets ${code} ${reason}`);
        },
        async finishRequests() {
          log.push("finish requests");
        },
      });
      assert.deepEqual(log, ["stop accepting", `close WebSockets ${SHUTDOWN_CLOSE_CODE} ${SHUTDOWN_CLOSE_REASON}`, "finish requests", "shutdown handler"]);
      assert.equal(SHUTDOWN_CLOSE_CODE, 1001);
    });

    it("logs a failing shutdown handler and still runs the others", async () => {
      const logger = recordingLogger();
      const app = new Site({ logger });
      const ran: number[] = [];
      app.shutdownHandlers.push(() => void ran.push(1));
      app.shutdownHandlers.push(async () => {
        throw new Error("cannot flush");
      });
      app.shutdownHandlers.push(() => void ran.push(3));
      await appCore(app).lifecycle.stop({ closeWebSockets: async () => {} });
      assert.deepEqual(ran, [1, 3]);
      assert.equal(logger.errors.length, 1);
      assert.equal(logger.errors[0]!.message, "shutdown handler failed");
      assert.match(String(logger.errors[0]!.error), /cannot flush/);
    });
  });
});

describe("withinGrace", () => {
  it("resolves as soon as the work settles, even when it fails", async () => {
    const started = Date.now();
    await withinGrace(Promise.resolve());
    await withinGrace(Promise.reject(new Error("handler failed")));
    assert.ok(Date.now() - started < 5_000);
  });
});
