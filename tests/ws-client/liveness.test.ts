/**
 * Keeping a WSClient connection honest: the heartbeat it sends, the pings
 * that keep a quiet but healthy connection alive, and the watchdog that drops
 * a peer from which nothing arrived for receiveTimeoutMs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { WSClient } from "../../lib/ws-client/index.js";
import { EchoApp, KillableServer, freePort, listen, quietLogger, silentServer, sleep, StandardWebSocket, until } from "./helpers.js";

describe("WSClient liveness", { timeout: 60_000 }, () => {
  it("sends the heartbeat message while connected", async () => {
    const port = await freePort();
    const server = new KillableServer(port);
    await server.start();
    const client = new WSClient(`ws://127.0.0.1:${port}/`, { heartbeat: { intervalMs: 50, message: () => ({ type: "heartbeat", body: {} }) }, logger: quietLogger() });
    try {
      await client.connect();
      await until("two heartbeats", () => server.received.filter((m) => m === '{"type":"heartbeat","body":{}}').length >= 2);
    } finally {
      await client.close();
      await server.kill();
    }
  });

  it("drops a silent connection after receiveTimeoutMs and reconnects", async () => {
    const silent = await silentServer();
    const logger = quietLogger();
    const client = new WSClient(`ws://127.0.0.1:${silent.port}/`, { receiveTimeoutMs: 300, reconnect: { initialDelayMs: 20, maxDelayMs: 50 }, logger });
    const disconnects: number[] = [];
    client.on("disconnect", (e) => void disconnects.push(e.code));
    try {
      await client.connect();
      const started = Date.now();
      await until("a second connection", () => silent.connections() >= 2);
      assert.ok(Date.now() - started >= 250, "not dropped before receiveTimeoutMs");
      assert.equal(disconnects[0], 1006);
      assert.ok(logger.warnings.some((w) => /nothing received for 300 ms/.test(w)));
    } finally {
      await client.close();
      await silent.close();
    }
  });

  it("keeps a quiet but healthy upie connection alive with pings", async () => {
    const app = new EchoApp();
    const server = await listen(app);
    const client = new WSClient(`ws://127.0.0.1:${server.port}/echo`, { receiveTimeoutMs: 800, logger: quietLogger() });
    let disconnects = 0;
    client.on("disconnect", () => void disconnects++);
    try {
      await client.connect();
      await sleep(2500); // three receive timeouts with nothing but pongs coming back
      assert.equal(disconnects, 0);
      assert.equal(app.connections, 1);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("sends no pings through a standard WebSocket, and keeps no watchdog there unless asked", async () => {
    const silent = await silentServer();
    const client = new WSClient(`ws://127.0.0.1:${silent.port}/`, { WebSocket: StandardWebSocket, logger: quietLogger() });
    let disconnects = 0;
    client.on("disconnect", () => void disconnects++);
    try {
      await client.connect();
      await sleep(400);
      // A browser cannot ping and an idle server sends nothing: silence is not death there.
      assert.equal(disconnects, 0);
      assert.equal(silent.connections(), 1);
    } finally {
      await client.close();
      await silent.close();
    }
  });
});
