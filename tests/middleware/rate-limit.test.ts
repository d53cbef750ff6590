import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { App, InvalidOptionError, RateLimit, TestClient, type RateLimitOptions, type WebSocket } from "../../lib/index.js";
import { Request } from "../../lib/core/request.js";
import { TokenBuckets } from "../../lib/middleware/token-bucket.js";

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => void (time += ms) };
}

class Api extends App {
  async ping() { return "pong"; }
}

function limited(options: RateLimitOptions): { client: TestClient; limit: RateLimit } {
  const app = new Api();
  const limit = new RateLimit(options);
  app.middlewares.push(limit);
  return { client: new TestClient(app), limit };
}

function handshake(client: string): Request {
  return new Request({ type: "websocket", method: "GET", path: "/chat", rawQuery: "", headers: {}, client, subprotocols: [] });
}

describe("TokenBuckets", () => {
  it("allows a burst of capacity, then says how long to wait", () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 3, refillPerSecond: 2, maxKeys: 10, now: clock.now });
    assert.deepEqual([buckets.take("a"), buckets.take("a"), buckets.take("a")], [0, 0, 0]);
    assert.equal(buckets.take("a"), 500);
  });

  it("refills continuously, never above capacity", () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 2, refillPerSecond: 1, maxKeys: 10, now: clock.now });
    buckets.take("a");
    buckets.take("a");
    clock.advance(500);
    assert.equal(buckets.take("a"), 500, "half a token is not enough");
    clock.advance(500);
    assert.equal(buckets.take("a"), 0);
    clock.advance(60_000);
    assert.deepEqual([buckets.take("a"), buckets.take("a"), buckets.take("a") > 0], [0, 0, true]);
  });

  it("keeps at most maxKeys, evicting the least recently used", () => {
    const clock = manualClock();
    const buckets = new TokenBuckets({ capacity: 1, refillPerSecond: 0.001, maxKeys: 3, now: clock.now });
    for (const key of ["a", "b", "c"]) buckets.take(key);
    buckets.take("a"); // refused, but "a" is now the most recent
    buckets.take("d"); // evicts "b", the least recently used
    assert.equal(buckets.size, 3);
    assert.ok(buckets.take("a") > 0, "a kept its empty bucket");
    assert.equal(buckets.take("b"), 0, "b was forgotten and starts full");
  });

  it("stays bounded under a flood of distinct keys", () => {
    const buckets = new TokenBuckets({ capacity: 5, refillPerSecond: 1, maxKeys: 100 });
    for (let i = 0; i < 20_000; i++) buckets.take(`10.0.${i >> 8}.${i & 255}`);
    assert.equal(buckets.size, 100);
  });

  it("rejects bad options", () => {
    const ok = { capacity: 1, refillPerSecond: 1, maxKeys: 1 };
    for (const bad of [{ capacity: 0 }, { capacity: 1.5 }, { capacity: Infinity }, { refillPerSecond: 0 }, { refillPerSecond: -1 }, { refillPerSecond: Number.NaN }, { maxKeys: 0 }, { maxKeys: 2.5 }]) {
      assert.throws(() => new TokenBuckets({ ...ok, ...bad }), InvalidOptionError, JSON.stringify(bad));
    }
  });
});

describe("RateLimit", () => {
  it("answers a flood from one address with 429 and Retry-After", async () => {
    const clock = manualClock();
    const { client } = limited({ capacity: 3, refillPerSecond: 0.5, now: clock.now });
    for (let i = 0; i < 3; i++) assert.equal((await client.get("/ping", { remoteAddress: "10.0.0.1" })).status, 200);
    const refused = await client.get("/ping", { remoteAddress: "10.0.0.1" });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers["retry-after"], "2");
    assert.equal(refused.text, "Too Many Requests");
  });

  it("leaves other addresses unaffected", async () => {
    const clock = manualClock();
    const { client } = limited({ capacity: 2, refillPerSecond: 1, now: clock.now });
    for (let i = 0; i < 10; i++) await client.get("/ping", { remoteAddress: "10.0.0.1" });
    assert.equal((await client.get("/ping", { remoteAddress: "10.0.0.1" })).status, 429);
    assert.equal((await client.get("/ping", { remoteAddress: "10.0.0.2" })).status, 200);
    assert.equal((await client.get("/ping", { remoteAddress: "::1" })).status, 200);
  });

  it("lets the client back in once tokens refill", async () => {
    const clock = manualClock();
    const { client } = limited({ capacity: 1, refillPerSecond: 1, now: clock.now });
    assert.equal((await client.get("/ping")).status, 200);
    assert.equal((await client.get("/ping")).status, 429);
    clock.advance(1000);
    assert.equal((await client.get("/ping")).status, 200);
  });

  it("limits before routing, so unknown paths cost tokens too", async () => {
    const { client } = limited({ capacity: 1, refillPerSecond: 0.01 });
    assert.equal((await client.get("/nope")).status, 404);
    assert.equal((await client.get("/ping")).status, 429);
  });

  it("uses a custom key, and lets requests with no key through", async () => {
    const { client } = limited({
      capacity: 1,
      refillPerSecond: 0.01,
      key: (request) => request.headers["x-api-key"],
    });
    assert.equal((await client.get("/ping", { headers: { "x-api-key": "k1" } })).status, 200);
    assert.equal((await client.get("/ping", { headers: { "x-api-key": "k1" } })).status, 429);
    assert.equal((await client.get("/ping", { headers: { "x-api-key": "k2" } })).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await client.get("/ping")).status, 200);
  });

  it("bounds its memory under a flood of addresses", async () => {
    const { client, limit } = limited({ capacity: 1, refillPerSecond: 1, maxKeys: 50 });
    for (let i = 0; i < 500; i++) await client.get("/ping", { remoteAddress: `10.1.${i >> 8}.${i & 255}` });
    assert.equal(limit.buckets.size, 50);
  });

  it("refuses WebSocket handshakes over the limit with HTTP 429", () => {
    const limit = new RateLimit({ capacity: 2, refillPerSecond: 0.01 });
    assert.equal(limit.beforeWebSocket(handshake("10.0.0.9")), undefined);
    assert.equal(limit.beforeWebSocket(handshake("10.0.0.9")), undefined);
    assert.deepEqual(limit.beforeWebSocket(handshake("10.0.0.9")), { code: 429, reason: "Too Many Requests" });
    assert.equal(limit.beforeWebSocket(handshake("10.0.0.10")), undefined);
  });

  it("refuses a flood of handshakes end to end while other addresses connect", async () => {
    class Chat extends App {
      async ws_chat(ws: WebSocket) {
        await ws.accept();
        await ws.close();
      }
    }
    const app = new Chat();
    app.webSocketMiddlewares.push(new RateLimit({ capacity: 2, refillPerSecond: 0.01 }));
    const client = new TestClient(app);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await client.websocket("/chat", { remoteAddress: "10.0.0.5" })).status);
    assert.deepEqual(statuses, [101, 101, 429, 429]);
    assert.equal((await client.websocket("/chat", { remoteAddress: "10.0.0.6" })).status, 101);
  });

  it("shares one budget between HTTP and handshakes when one instance serves both", async () => {
    const app = new Api();
    const limit = new RateLimit({ capacity: 2, refillPerSecond: 0.01 });
    app.middlewares.push(limit);
    app.webSocketMiddlewares.push(limit);
    const client = new TestClient(app);
    assert.equal((await client.get("/ping", { remoteAddress: "10.0.0.7" })).status, 200);
    assert.equal(limit.beforeWebSocket(handshake("10.0.0.7")), undefined);
    assert.equal((await client.get("/ping", { remoteAddress: "10.0.0.7" })).status, 429);
    assert.equal(limit.beforeWebSocket(handshake("10.0.0.7"))?.code, 429);
  });

  it("rejects bad options at construction", () => {
    assert.throws(() => new RateLimit({ capacity: -1 }), InvalidOptionError);
    assert.throws(() => new RateLimit({ refillPerSecond: 0 }), InvalidOptionError);
    assert.throws(() => new RateLimit({ maxKeys: 0 }), InvalidOptionError);
    assert.throws(() => new RateLimit({ key: "ip" as unknown as () => string }), InvalidOptionError);
  });
});
