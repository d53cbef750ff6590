import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { LocalPresence, type Presence } from "../../../examples/private-chat/presence.js";
import { RedisPresence } from "../../../examples/private-chat/redis-presence.js";
import { RedisServer } from "../../redis/redis-server.js";

describe("examples/private-chat: presence", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  const opened: Presence[] = [];
  let prefixes = 0;

  before(async () => {
    redis = await RedisServer.start();
  });

  after(async () => {
    for (const presence of opened) await presence.close();
    await redis.stop();
  });

  /** Two processes' views of one chat. */
  function pair(ttlMs = 30_000): [RedisPresence, RedisPresence] {
    const keyPrefix = `p${++prefixes}:`;
    const both: [RedisPresence, RedisPresence] = [new RedisPresence(redis.url, { keyPrefix, ttlMs }), new RedisPresence(redis.url, { keyPrefix, ttlMs })];
    opened.push(...both);
    return both;
  }

  it("LocalPresence reports first joins and last leaves", async () => {
    const presence = new LocalPresence();
    assert.equal(await presence.join("bob"), true);
    assert.equal(await presence.join("alice"), true);
    assert.equal(await presence.join("bob"), false);
    assert.deepEqual(await presence.online(), ["alice", "bob"]);
    assert.equal(await presence.leave("bob"), true);
    assert.equal(await presence.isOnline("bob"), false);
  });

  it("RedisPresence counts a user online while any process has them", async () => {
    const [one, two] = pair();
    assert.equal(await one.join("alice"), true, "first anywhere");
    assert.equal(await two.join("alice"), false, "already online on process one");
    assert.equal(await two.join("bob"), true);
    assert.deepEqual(await one.online(), ["alice", "bob"]);
    assert.equal(await one.isOnline("bob"), true);
    assert.equal(await one.leave("alice"), false, "still on process two");
    assert.equal(await two.isOnline("alice"), true);
    assert.equal(await two.leave("alice"), true, "gone everywhere");
    assert.equal(await one.isOnline("alice"), false);
    assert.deepEqual(await two.online(), ["bob"]);
  });

  it("forgets the users of a process that died once its claims expire", async () => {
    const [, two] = pair();
    const keyPrefix = `p${prefixes}:`;
    // A process that died: its last claim for carol, 500 ms from now, is never renewed.
    const admin = redis.client();
    try {
      const [seconds, micros] = await admin.time();
      const expires = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + 500;
      await admin.zadd(`${keyPrefix}presence:carol`, expires, "dead-process");
      await admin.zadd(`${keyPrefix}online`, expires, "carol");
    } finally {
      admin.disconnect();
    }
    assert.equal(await two.isOnline("carol"), true);
    assert.deepEqual(await two.online(), ["carol"]);
    const deadline = Date.now() + 10_000;
    while (await two.isOnline("carol")) {
      assert.ok(Date.now() < deadline, "carol never went offline");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(await two.online(), []);
    assert.equal(await two.join("carol"), true, "joining again is a first join");
  });

  it("withdraws its claims on close", async () => {
    const [one, two] = pair();
    await one.join("dave");
    await one.close();
    assert.equal(await two.isOnline("dave"), false);
  });
});
