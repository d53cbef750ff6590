import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { InvalidOptionError } from "../../lib/protocol/errors.js";
import { RedisSessionBackend } from "../../lib/redis/index.js";
import { newSessionId } from "../../lib/session/session-id.js";
import { runSessionBackendContract } from "../../lib/testing/index.js";
import { RedisServer } from "./redis-server.js";

let redis: RedisServer;
const backends: RedisSessionBackend[] = [];
let fixtures = 0;

before(async () => {
  redis = await RedisServer.start();
});

after(async () => {
  for (const backend of backends) await backend.close();
  await redis.stop();
});

/**
 * A backend under a key prefix of its own. Time passes for it by taking
 * `seconds` off every one of its keys' TTL (what a real wait would do,
 * without waiting): keys that reach zero are deleted, as Redis would expire them.
 */
function redisFixture() {
  const keyPrefix = `contract${++fixtures}:`;
  const backend = new RedisSessionBackend({ url: redis.url, keyPrefix });
  backends.push(backend);
  const advanceTime = async (seconds: number) => {
    const admin = redis.client();
    try {
      for (const key of await admin.keys(`${keyPrefix}*`)) {
        const left = await admin.pttl(key);
        if (left < 0) continue;
        if (left - seconds * 1000 <= 0) await admin.del(key);
        else await admin.pexpire(key, left - seconds * 1000);
      }
    } finally {
      admin.disconnect();
    }
  };
  return { backend, advanceTime };
}

runSessionBackendContract("RedisSessionBackend", redisFixture);

describe("RedisSessionBackend", { timeout: 120_000 }, () => {
  it("lets Redis expire a session on its own", async () => {
    const { backend } = redisFixture();
    const id = newSessionId();
    await backend.save(id, { a: 1 }, 0.2);
    assert.deepEqual(await backend.load(id), { a: 1 });
    const deadline = Date.now() + 5000;
    while ((await backend.load(id)) !== undefined) {
      assert.ok(Date.now() < deadline, "the session never expired");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it("shares sessions between two backends on one Redis (two processes)", async () => {
    const first = redisFixture().backend;
    const second = new RedisSessionBackend({ url: redis.url, keyPrefix: first.keyPrefix.replace(/session:$/, "") });
    backends.push(second);
    const id = newSessionId();
    await first.save(id, { user: "ada" }, 60);
    assert.deepEqual(await second.load(id), { user: "ada" });
    await second.save(id, {}, 0);
    assert.equal(await first.load(id), undefined);
  });

  it("uses a client it is given, and leaves it open", async () => {
    const client = redis.client();
    try {
      const backend = new RedisSessionBackend({ client, keyPrefix: "given:" });
      const id = newSessionId();
      await backend.save(id, { n: 1 }, 60);
      assert.equal(await client.get(`given:session:${id}`), '{"n":1}');
      await backend.close();
      assert.equal(await client.ping(), "PONG");
    } finally {
      client.disconnect();
    }
  });

  it("reads a value that is not a JSON object as no session", async () => {
    const { backend } = redisFixture();
    const admin = redis.client();
    try {
      const [a, b] = [newSessionId(), newSessionId()];
      await admin.set(backend.keyPrefix + a, "not json");
      await admin.set(backend.keyPrefix + b, "[1,2]");
      assert.equal(await backend.load(a), undefined);
      assert.equal(await backend.load(b), undefined);
    } finally {
      admin.disconnect();
    }
  });

  it("rejects bad options and bad saves", async () => {
    assert.throws(() => new RedisSessionBackend({}), InvalidOptionError);
    assert.throws(() => new RedisSessionBackend({ url: "http://x" }), InvalidOptionError);
    const client = redis.client();
    assert.throws(() => new RedisSessionBackend({ url: redis.url, client }), InvalidOptionError);
    client.disconnect();
    const { backend } = redisFixture();
    await assert.rejects(backend.save(newSessionId(), {}, -1), InvalidOptionError);
    await assert.rejects(backend.save(newSessionId(), [] as unknown as Record<string, unknown>, 60), InvalidOptionError);
    await assert.rejects(backend.save("", {}, 60), InvalidOptionError);
  });
});
