/**
 * An app on the Redis broker, driven in process through the TestClient:
 * handlers do not change with the broker, and what another process
 * publishes reaches the app's subscribers.
 */
import assert from "node:assert/strict";
import { after, before, it } from "node:test";

import { App, TestClient, type WebSocket } from "../../lib/index.js";
import { RedisBroker } from "../../lib/redis/index.js";
import { RedisServer } from "./redis-server.js";

let redis: RedisServer;
before(async () => {
  redis = await RedisServer.start();
});
after(() => redis.stop());

class RoomApp extends App {
  async ws_room(ws: WebSocket, room: string) {
    await ws.accept();
    ws.subscribe(room);
    await ws.sendText("joined");
    for await (const text of ws) await this.publish(room, text);
  }
}

it("delivers publishes from this app and from another process to TestClient sockets", { timeout: 60_000 }, async () => {
  const mine = new RedisBroker({ url: redis.url, keyPrefix: "app:" });
  const elsewhere = new RedisBroker({ url: redis.url, keyPrefix: "app:" });
  await Promise.all([mine.ready(), elsewhere.ready()]);
  const client = new TestClient(new RoomApp({ websocket: { broker: mine } }));
  try {
    const ws = await client.websocket("/room/lobby");
    assert.equal(await ws.receiveText(), "joined");
    await ws.sendText("from a socket here");
    assert.equal(await ws.receiveText(), "from a socket here");
    await elsewhere.publish("lobby", "from another process");
    await elsewhere.publish("other-room", "not for the lobby");
    await elsewhere.publish("lobby", new Uint8Array([1, 2, 3]));
    assert.equal(await ws.receiveText(), "from another process");
    assert.deepEqual([...(await ws.receiveBytes())], [1, 2, 3]);
    await ws.close();
  } finally {
    await client.close();
    await Promise.all([mine.close(), elsewhere.close()]);
  }
});

it("signs with the app's secret: another process with the secret reaches the sockets, a forged entry does not", { timeout: 60_000 }, async () => {
  const mine = new RedisBroker({ url: redis.url, keyPrefix: "signed:", logger: { error: () => {}, warn: () => {} } });
  const elsewhere = new RedisBroker({ url: redis.url, keyPrefix: "signed:", secret: "shared secret" });
  const client = new TestClient(new RoomApp({ secret: "shared secret", websocket: { broker: mine } }));
  const admin = redis.client();
  try {
    await Promise.all([mine.ready(), elsewhere.ready()]);
    const ws = await client.websocket("/room/lobby");
    assert.equal(await ws.receiveText(), "joined");
    await admin.xadd(mine.streamKey, "*", "p", elsewhere.publisherId, "s", String(Number.MAX_SAFE_INTEGER), "t", "lobby", "k", "t", "d", "forged");
    await elsewhere.publish("lobby", "genuine 1");
    await elsewhere.publish("lobby", "genuine 2");
    assert.equal(await ws.receiveText(), "genuine 1");
    assert.equal(await ws.receiveText(), "genuine 2");
    assert.equal(mine.stats.unverified, 1);
    await ws.close();
  } finally {
    admin.disconnect();
    await client.close();
    await Promise.all([mine.close(), elsewhere.close()]);
  }
});
