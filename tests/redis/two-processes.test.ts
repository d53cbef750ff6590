/**
 * Two upie processes on one Redis: WebSocket subscribers on each, publishes
 * from each, sessions shared, and both listening on one port (SO_REUSEPORT).
 */
import assert from "node:assert/strict";
import http from "node:http";
import type net from "node:net";
import { after, before, describe, it } from "node:test";

import { connect, until, type WsClient } from "../server/ws-client.js";
import { ChildServer } from "./child-process.js";
import { freePort, RedisServer } from "./redis-server.js";

const APP = "tests/redis/fixtures/broker-app.ts";

/** One request on a fresh connection (no keep-alive), so SO_REUSEPORT may pick either process. */
function getFresh(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path, agent: false, headers }, (response) => {
      let body = "";
      response.on("data", (chunk) => (body += String(chunk)));
      response.on("end", () => resolve({ status: response.statusCode!, body, headers: response.headers }));
    });
    request.on("error", reject);
    request.setTimeout(10_000, () => request.destroy(new Error("request timed out")));
  });
}

describe("two processes on one Redis", { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let one: ChildServer;
  let two: ChildServer;

  before(async () => {
    redis = await RedisServer.start();
    const env = { REDIS_URL: redis.url, KEY_PREFIX: "two:", SUBSCRIBER_BACKPRESSURE: String(256 * 1024) };
    [one, two] = await Promise.all([ChildServer.start(APP, { ...env, NAME: "one" }), ChildServer.start(APP, { ...env, NAME: "two" })]);
  });

  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await redis?.stop();
  });

  const sub = async (server: ChildServer, topic: string) => {
    const client = await connect(`ws://127.0.0.1:${server.port}/sub/${topic}`);
    assert.equal(await client.nextText(), "ready");
    return client;
  };

  it("delivers each process's publishes to subscribers on both, in order, once each", async () => {
    const clients = [await sub(one, "order"), await sub(two, "order")];
    const [sentOne, sentTwo] = await Promise.all([
      getFresh(one.port, "/burst/order/500/text/one"),
      getFresh(two.port, "/burst/order/500/text/two"),
    ]);
    assert.equal(sentOne.body, "sent");
    assert.equal(sentTwo.body, "sent");
    for (const client of clients) {
      await until(() => client.messages.length >= 1001, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 200)); // a duplicate would arrive by now
      const got = client.messages.slice(1).map(String);
      assert.equal(got.length, 1000);
      for (const tag of ["one", "two"]) {
        assert.deepEqual(got.filter((m) => m.startsWith(`${tag}:`)), Array.from({ length: 500 }, (_, i) => `${tag}:${String(i).padStart(6, "0")}`));
      }
      client.close();
    }
  });

  it("carries bytes as binary frames and text as text frames", async () => {
    const client = await sub(two, "binary");
    await getFresh(one.port, "/burst/binary/3/bytes/b%C3%A9");
    await getFresh(one.port, "/burst/binary/1/text/t%C3%A9");
    await until(() => client.messages.length >= 5, 10_000);
    const [a, b, c, text] = client.messages.slice(1);
    for (const [i, frame] of [a, b, c].entries()) {
      assert.ok(Buffer.isBuffer(frame), "a binary frame");
      assert.equal(frame.readUInt32BE(0), i);
      assert.equal(frame.subarray(4).toString("utf8"), "bé");
    }
    assert.equal(text, "té:000000");
    client.close();
  });

  it("shares sessions: a login on one process is known to the other", async () => {
    const login = await getFresh(one.port, "/login/ada");
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    assert.match(cookie, /^session_id=/);
    assert.equal((await getFresh(two.port, "/me", { cookie })).body, "ada");
    assert.equal((await getFresh(two.port, "/me", { cookie: "session_id=forgedforgedforgedforgedforgedforgedforgedf" })).body, "");
  });

  it("closes a slow subscriber on the other process with 1013 after a gap-free prefix; a fast one gets everything", async () => {
    const fast = await sub(two, "firehose");
    const slow = await sub(two, "firehose");
    const socket = (slow.socket as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    const total = 600;
    // Paced at 128 KiB (8 × 16 KiB) per 5 ms, half the 256 KiB limit: a reading client keeps up with
    // that, while an unpaced 9.6 MB burst may be delivered in one batch, faster than any client is
    // sure to be scheduled to read it (it would be closed too, as the limit says).
    assert.equal((await getFresh(one.port, `/burst/firehose/${total}/text/f/${16 * 1024}/8`)).body, "sent");
    await until(() => fast.messages.length === total + 1 || fast.socket.readyState === fast.socket.CLOSED, 30_000);
    assert.equal(fast.messages.length, total + 1, `the fast subscriber got ${fast.messages.length - 1} of ${total}, closed: ${JSON.stringify(fast.socket.readyState === fast.socket.CLOSED ? await fast.closed : null)}`);
    socket.resume();
    const closed = await slow.closed;
    assert.equal(closed.code, 1013);
    const got = slow.messages.slice(1).map(String);
    assert.ok(got.length < total, `the slow subscriber got all ${got.length}`);
    got.forEach((message, i) => assert.equal(message.slice(0, 8), `f:${String(i).padStart(6, "0")}`));
    fast.messages.slice(1).map(String).forEach((message, i) => assert.equal(message.slice(0, 8), `f:${String(i).padStart(6, "0")}`));
    fast.close();
  });
});

describe("processes on one port (SO_REUSEPORT)", { timeout: 120_000 }, () => {
  it("lets two processes listen on the same port, and both serve", { timeout: 120_000 }, async () => {
    const redis = await RedisServer.start();
    const env = { REDIS_URL: redis.url, KEY_PREFIX: "port:" };
    // An explicit port: uSockets sets SO_REUSEPORT only when the port is not 0.
    const port = String(await freePort());
    const first = await ChildServer.start(APP, { ...env, NAME: "first", PORT: port });
    let second: ChildServer | undefined;
    try {
      second = await ChildServer.start(APP, { ...env, NAME: "second", PORT: port });
      assert.equal(first.port, Number(port));
      assert.equal(second.port, Number(port));
      const seen = new Set<string>();
      for (let i = 0; i < 200 && seen.size < 2; i++) seen.add((await getFresh(first.port, "/whoami")).body);
      assert.deepEqual([...seen].sort(), ["first", "second"]);
      // A WebSocket on whichever process hears a publish made on whichever other.
      const subscriber: WsClient = await connect(`ws://127.0.0.1:${first.port}/sub/shared`);
      assert.equal(await subscriber.nextText(), "ready");
      for (let i = 0; i < 10; i++) await getFresh(first.port, `/burst/shared/1/text/p${i}`);
      await until(() => subscriber.messages.length === 11, 10_000);
      assert.deepEqual(subscriber.messages.slice(1), Array.from({ length: 10 }, (_, i) => `p${i}:000000`));
      subscriber.close();
    } finally {
      await Promise.all([first.stop(), second?.stop()]);
      await redis.stop();
    }
  });
});
