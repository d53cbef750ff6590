/**
 * WSClient's events, over a real upie server: connect counts connections,
 * disconnect and close report codes, a listener can be removed, and a
 * throwing listener is reported while the others still run.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { WSClient } from "../../lib/ws-client/index.js";
import { EchoApp, freePort, listen, quietLogger, until } from "./helpers.js";

describe("WSClient events", { timeout: 30_000 }, () => {
  it("reports connect with a counting connection number, disconnect, reconnecting, and close", async () => {
    const port = await freePort();
    let server = await listen(new EchoApp(), port);
    const events: string[] = [];
    const client = new WSClient(`ws://127.0.0.1:${port}/echo`, { reconnect: { initialDelayMs: 20, maxDelayMs: 40 }, logger: quietLogger() });
    client.on("connect", (event) => void events.push(`connect ${event.connection} ${event.url}`));
    client.on("disconnect", (event) => void events.push(`disconnect ${event.connection}`));
    client.on("reconnecting", (event) => void events.push(`reconnecting ${event.attempt}`));
    client.on("close", (event) => void events.push(`close ${event.code}`));
    try {
      await client.connect();
      await server.close(); // 1001 to every socket
      server = await listen(new EchoApp(), port);
      await until("the second connection", () => events.some((event) => event.startsWith("connect 2")));
    } finally {
      await client.close();
      await server.close();
    }
    const url = `ws://127.0.0.1:${port}/echo`;
    assert.equal(events[0], `connect 1 ${url}`);
    assert.equal(events[1], "disconnect 1");
    assert.ok(events.includes(`connect 2 ${url}`), JSON.stringify(events));
    assert.ok(events.some((event) => event.startsWith("reconnecting ")), JSON.stringify(events));
    assert.equal(events.at(-2), "disconnect 2");
    assert.match(events.at(-1)!, /^close \d+$/);
  });

  it("stops calling a listener once removed, by off() or by the function on() returns", async () => {
    const server = await listen(new EchoApp());
    const seen: string[] = [];
    const client = new WSClient(`ws://127.0.0.1:${server.port}/echo`, { logger: quietLogger() });
    const viaOff = () => void seen.push("off");
    client.on("close", viaOff);
    const remove = client.on("close", () => void seen.push("removed"));
    client.on("close", () => void seen.push("kept"));
    client.off("close", viaOff);
    remove();
    try {
      await client.connect();
    } finally {
      await client.close();
      await server.close();
    }
    assert.deepEqual(seen, ["kept"]);
  });

  it("reports a listener that throws to the logger, and still calls the others", async () => {
    const server = await listen(new EchoApp());
    const logger = quietLogger();
    const seen: string[] = [];
    const client = new WSClient(`ws://127.0.0.1:${server.port}/echo`, { logger });
    client.on("connect", () => {
      throw new Error("listener failed");
    });
    client.on("connect", () => void seen.push("second"));
    try {
      await client.connect();
      await until("the second listener", () => seen.length === 1);
      assert.equal(logger.errors.length, 1);
      assert.equal(await client.send("still works").then(() => "sent"), "sent");
    } finally {
      await client.close();
      await server.close();
    }
  });
});
