/**
 * readBatch against a real redis-server: one bounded read of a stream (issue
 * 22.8), by entries and by bytes, with oversized entries handed back by id only.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import type { Redis } from "ioredis";

import { entryBytes, readBatch } from "../../lib/redis/read-batch.js";
import { RedisServer } from "./redis-server.js";

describe("readBatch", { timeout: 60_000 }, () => {
  let redis: RedisServer;
  let connection: Redis;
  before(async () => {
    redis = await RedisServer.start();
    connection = redis.client();
  });
  after(async () => {
    connection.disconnect();
    await redis.stop();
  });

  it("stops at the byte budget, always takes one entry, and hands back only the id of one over the cap", async () => {
    const key = "batch";
    const ids: string[] = [];
    for (const size of [400, 400, 400, 5000, 400]) ids.push((await connection.xadd(key, "*", "d", "x".repeat(size)))!);
    const first = await readBatch(connection, key, "0-0", { count: 100, budget: 1000, largestEntry: 2000 });
    assert.deepEqual(first.map(([id]) => id), ids.slice(0, 2), "two entries of 401 bytes fit 1000");
    const second = await readBatch(connection, key, ids[1]!, { count: 100, budget: 1000, largestEntry: 2000 });
    assert.deepEqual(second.map(([id, fields]) => [id, fields === undefined]), [[ids[2], false], [ids[3], true]], "stops at the oversized one");
    const third = await readBatch(connection, key, ids[3]!, { count: 100, budget: 1000, largestEntry: 2000 });
    assert.deepEqual(third.map(([id]) => id), [ids[4]]);
    const skipped = await readBatch(connection, key, ids[2]!, { count: 100, budget: 1000, largestEntry: 2000 });
    assert.deepEqual(skipped.map(([id, fields]) => [id, fields === undefined]), [[ids[3], true]], "an oversized entry first");
    const one = await readBatch(connection, key, "0-0", { count: 1, budget: 1000, largestEntry: 2000 });
    assert.equal(one.length, 1);
    assert.deepEqual(await readBatch(connection, key, ids[4]!, { count: 100, budget: 1000, largestEntry: 2000 }), []);
  });

  it("stops at the entry count", async () => {
    const key = "counted";
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await connection.xadd(key, "*", "d", String(i)))!);
    const three = await readBatch(connection, key, "0-0", { count: 3, budget: 1_000_000, largestEntry: 1000 });
    assert.deepEqual(three.map(([id]) => id), ids.slice(0, 3));
    const rest = await readBatch(connection, key, ids[2]!, { count: 100, budget: 1_000_000, largestEntry: 1000 });
    assert.deepEqual(rest.map(([id]) => id), ids.slice(3));
  });

  it("hands back each entry's fields as Buffers, and takes an entry of exactly largestEntry bytes", async () => {
    const key = "exact";
    const id = (await connection.xadd(key, "*", "field", "x".repeat(95)))!;
    const [entry, ...more] = await readBatch(connection, key, "0-0", { count: 10, budget: 100, largestEntry: 100 });
    assert.equal(more.length, 0);
    assert.equal(entry![0], id);
    const fields = entry![1] as Buffer[];
    assert.deepEqual(fields.map(String), ["field", "x".repeat(95)]);
    assert.equal(entryBytes(fields), 100);
    const over = (await connection.xadd(key, "*", "field", "x".repeat(96)))!;
    assert.deepEqual(await readBatch(connection, key, id, { count: 10, budget: 100, largestEntry: 100 }), [[over, undefined]]);
  });

  it("reads nothing from a stream that does not exist", async () => {
    assert.deepEqual(await readBatch(connection, "no-such-stream", "0-0", { count: 10, budget: 1000, largestEntry: 1000 }), []);
  });
});

describe("entryBytes", () => {
  it("counts the bytes of an entry's field names and values, as the script does", () => {
    assert.equal(entryBytes([Buffer.from("d"), Buffer.from("héllo")]), 1 + 6);
    assert.equal(entryBytes([]), 0);
  });

  it("counts nothing for what is not a list of Buffers", () => {
    assert.equal(entryBytes(undefined), 0);
    assert.equal(entryBytes("dhello"), 0);
    assert.equal(entryBytes(["d", "hello"]), 0, "strings are not what xrangeBuffer returns");
    assert.equal(entryBytes([Buffer.from("ab"), "cd", 5]), 2);
  });
});

