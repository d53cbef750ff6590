/**
 * WSClient against servers that fail on purpose: killed and restarted on the
 * same port mid-stream, refusing every handshake; and close() in the middle
 * of all that. A silent peer is liveness.test.ts's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ConnectionClosed, WSClient } from "../../lib/ws-client/index.js";
import { EchoApp, KillableServer, freePort, listen, quietLogger, refusingServer, sleep, until } from "./helpers.js";

/** True when `values` only ever increase. */
function increasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value > values[i - 1]!);
}

describe("WSClient reconnects", { timeout: 90_000 }, () => {
  it("survives a upie server killed and restarted on the same port mid-stream, in order", async () => {
    const port = await freePort();
    let app = new EchoApp();
    let server = await listen(app, port);
    const received: number[] = [];
    const client = new WSClient(`ws://127.0.0.1:${port}/collect`, { reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, timeoutMs: 30_000, logger: quietLogger() });
    const disconnects: number[] = [];
    client.on("disconnect", (e) => void disconnects.push(e.code));
    await client.connect();
    const total = 400;
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      sends.push(client.send(String(i)));
      if (i === 150) {
        await sleep(20);
        received.push(...app.received.map(Number));
        await server.close();
        app = new EchoApp();
        server = await listen(app, port);
      } else if (i % 25 === 0) await sleep(5);
    }
    try {
      await Promise.all(sends);
      await until("the last message", () => app.received.includes(String(total - 1)));
      received.push(...app.received.map(Number));
      assert.ok(disconnects.length >= 1, "the restart was noticed");
      assert.ok(increasing(received), "no reordering across the restart");
      assert.ok(received.length >= total - 25, `at most a few frames lost in the dying socket: got ${received.length}`);
      for (let i = 152; i < total; i++) assert.ok(received.includes(i), `message ${i}, sent after the restart, arrived`);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it("delivers every message exactly once and in order with acks, across repeated kills", async () => {
    const port = await freePort();
    const seen = new Set<string>();
    const processed: number[] = [];
    // The server side of acks: remember ids, drop repeats, acknowledge every copy.
    const server = new KillableServer(port, (socket, text) => {
      const { id, n } = JSON.parse(text) as { id: string; n: number };
      if (!seen.has(id)) {
        seen.add(id);
        processed.push(n);
      }
      socket.send(JSON.stringify({ ack: id }));
    });
    await server.start();
    const client = new WSClient(`ws://127.0.0.1:${port}/`, {
      reconnect: { initialDelayMs: 10, maxDelayMs: 100 },
      timeoutMs: 30_000,
      acks: {
        stamp: (value, id) => ({ ...(value as object), id }),
        match: (message) => (typeof message === "string" && message.startsWith('{"ack"') ? (JSON.parse(message) as { ack: string }).ack : undefined),
      },
      logger: quietLogger(),
    });
    await client.connect();
    const total = 600;
    const sends: Array<Promise<void>> = [];
    for (let i = 0; i < total; i++) {
      sends.push(client.send({ n: i }));
      if (i % 150 === 75) {
        await server.kill();
        await sleep(30);
        await server.start();
        await until("reconnected", () => server.connections >= 1 + Math.ceil(i / 150));
      } else if (i % 20 === 0) await sleep(2);
    }
    try {
      await Promise.all(sends);
      assert.deepEqual(processed, Array.from({ length: total }, (_, i) => i));
      assert.equal(server.connections, 5, "every kill forced a reconnect");
      assert.ok(server.received.length >= total);
    } finally {
      await client.close();
      await server.kill();
    }
  });

  it("sends unacknowledged messages again, first and with the same ids, after a reconnect", async () => {
    const port = await freePort();
    let acking = false;
    const server = new KillableServer(port, (socket, text) => {
      if (acking) socket.send(JSON.stringify({ ack: (JSON.parse(text) as { id: string }).id }));
    });
    await server.start();
    const client = new WSClient(`ws://127.0.0.1:${port}/`, {
      reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
      acks: {
        stamp: (value, id) => ({ ...(value as object), id }),
        match: (message) => (typeof message === "string" && message.startsWith('{"ack"') ? (JSON.parse(message) as { ack: string }).ack : undefined),
      },
      logger: quietLogger(),
    });
    await client.connect();
    let settled = 0;
    const sends = Array.from({ length: 10 }, (_, n) => client.send({ n }).then(() => void settled++));
    try {
      await until("ten unacknowledged messages on the server", () => server.received.length === 10);
      await sleep(50);
      assert.equal(settled, 0, "written is not delivered: no send resolves before its ack");
      acking = true;
      await server.kill();
      await server.start();
      await Promise.all(sends);
      const first = server.received.slice(0, 10).map((t) => JSON.parse(t) as { id: string; n: number });
      const again = server.received.slice(10, 20).map((t) => JSON.parse(t) as { id: string; n: number });
      assert.deepEqual(again, first, "the same messages, same ids, same order");
      assert.deepEqual(first.map((m) => m.n), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      assert.equal(client.queued, 0);
    } finally {
      await client.close();
      await server.kill();
    }
  });

  it("backs off against a server that refuses every handshake", async () => {
    const refusing = await refusingServer();
    const delays: number[] = [];
    const client = new WSClient(`ws://127.0.0.1:${refusing.port}/`, { reconnect: { initialDelayMs: 50, maxDelayMs: 400 }, logger: quietLogger() });
    client.on("reconnecting", (e) => void delays.push(e.delayMs));
    void client.connect().catch(() => {});
    try {
      await sleep(2500);
      const attempts = refusing.attempts.length;
      // Without backoff this would be hundreds; with it: ~50, 100, 200, 400, 400… (jittered down to half).
      assert.ok(attempts >= 4 && attempts <= 16, `${attempts} attempts in 2.5 s`);
      const gaps = refusing.attempts.slice(1).map((t, i) => t - refusing.attempts[i]!);
      assert.ok(gaps[0]! <= 400 && gaps.slice(3).every((gap) => gap >= 190), `gaps grow: ${gaps.join(", ")}`);
      assert.deepEqual(delays.slice(0, 4).map((d, i) => d >= 25 * 2 ** i && d <= 50 * 2 ** i), [true, true, true, true]);
      assert.ok(delays.every((d) => d <= 400));
    } finally {
      await client.close();
      await refusing.close();
    }
  });

  it("close() in the middle of reconnecting stops every further attempt", async () => {
    const refusing = await refusingServer();
    const client = new WSClient(`ws://127.0.0.1:${refusing.port}/`, { reconnect: { initialDelayMs: 100, maxDelayMs: 100 }, logger: quietLogger() });
    const connecting = client.connect();
    const queued = client.send("never");
    await until("two refused attempts", () => refusing.attempts.length >= 2);
    const started = Date.now();
    await client.close();
    assert.ok(Date.now() - started < 1000, "close() does not wait for the next attempt");
    await assert.rejects(connecting, ConnectionClosed);
    await assert.rejects(queued, ConnectionClosed);
    const attempts = refusing.attempts.length;
    await sleep(500);
    assert.equal(refusing.attempts.length, attempts, "no attempt after close()");
    await refusing.close();
  });

  it("resets the backoff after a healthy connection", async () => {
    const port = await freePort();
    const server = new KillableServer(port);
    const delays: number[] = [];
    const client = new WSClient(`ws://127.0.0.1:${port}/`, { reconnect: { initialDelayMs: 40, maxDelayMs: 5000, healthyAfterMs: 200 }, logger: quietLogger() });
    client.on("reconnecting", (e) => void delays.push(e.delayMs));
    void client.connect().catch(() => {});
    try {
      await until("five failed attempts", () => delays.length >= 5);
      await server.start();
      await until("connected", () => client.connected);
      await sleep(300); // healthy
      delays.length = 0;
      await server.kill();
      await until("a retry after the drop", () => delays.length >= 1);
      assert.ok(delays[0]! <= 40, `first delay after a healthy connection is back to the start: ${delays[0]}`);
    } finally {
      await client.close();
      await server.kill();
    }
  });
});
