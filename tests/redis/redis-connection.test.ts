import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Redis, type RedisOptions } from "ioredis";
import { ERRORS, InvalidOptionError } from "../../lib/protocol/errors.js";
import { checkConnectionOptions, openConnection } from "../../lib/redis/redis-connection.js";
import { RedisServer } from "./redis-server.js";

const invalid = (pattern: RegExp) => (error: unknown) =>
  error instanceof InvalidOptionError && error.code === ERRORS.INVALID_OPTION.code && pattern.test(error.message);

describe("checkConnectionOptions", () => {
  it("accepts a redis:// or rediss:// URL, or something with duplicate()", () => {
    checkConnectionOptions("X", { url: "redis://127.0.0.1:6379/0" });
    checkConnectionOptions("X", { url: "rediss://user:pass@host:6380" });
    checkConnectionOptions("X", { client: { duplicate() {} } as unknown as Redis });
  });

  it("refuses neither or both, naming the owner", () => {
    assert.throws(() => checkConnectionOptions("RedisBroker", {}), invalid(/^RedisBroker needs exactly one of url and client$/));
    assert.throws(() => checkConnectionOptions("RedisSessionBackend", { url: "redis://x", client: { duplicate() {} } as unknown as Redis }), invalid(/^RedisSessionBackend needs exactly one/));
  });

  it("refuses options that are no object, a URL of another scheme, and a client that is not one", () => {
    for (const options of [undefined, null, "redis://x", 5]) assert.throws(() => checkConnectionOptions("X", options as never), invalid(/options must be an object/));
    for (const url of ["http://x", "redis:x", "x", "", 6379]) assert.throws(() => checkConnectionOptions("X", { url } as never), invalid(/url must be a redis:\/\/ or rediss:\/\/ URL/), String(url));
    for (const client of [null, "client", {}, { duplicate: true }]) assert.throws(() => checkConnectionOptions("X", { client } as never), invalid(/client must be an ioredis client/));
  });
});

describe("openConnection", () => {
  let redis: RedisServer;
  before(async () => {
    redis = await RedisServer.start();
  });
  after(() => redis.stop());

  it("duplicates a given client with the overrides, leaving the user's client alone", () => {
    const asked: RedisOptions[] = [];
    const copy = {} as Redis;
    const client = { duplicate: (overrides: RedisOptions) => (asked.push(overrides), copy) } as unknown as Redis;
    assert.equal(openConnection({ client }, { enableOfflineQueue: false }), copy);
    assert.deepEqual(asked, [{ enableOfflineQueue: false }]);
  });

  it("opens a client of its own for a URL, with the overrides applied", async () => {
    const connection = openConnection({ url: `${redis.url}/2` }, { connectionName: "upie-test", maxRetriesPerRequest: 1 });
    try {
      assert.equal(connection.options.db, 2);
      assert.equal(connection.options.port, redis.port);
      assert.equal(await connection.ping(), "PONG");
      assert.equal(await connection.client("GETNAME"), "upie-test");
    } finally {
      connection.disconnect();
    }
  });

  it("duplicates a real client: same server, its own connection", async () => {
    const user = redis.client();
    const connection = openConnection({ client: user }, { connectionName: "mine" });
    try {
      assert.notEqual(connection, user);
      assert.equal(await connection.client("GETNAME"), "mine");
      assert.equal(await user.client("GETNAME"), null, "the user's client keeps its settings");
    } finally {
      connection.disconnect();
      user.disconnect();
    }
  });
});
