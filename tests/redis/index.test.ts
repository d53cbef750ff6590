/**
 * `upie/redis`'s public names: exactly these values, and these types (a
 * missing one fails `tsc`). Adding or removing one is a decision for the
 * docs (docs/scaling-out.md) and the CHANGELOG, so this list changes with it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as upie from "../../lib/index.js";
import * as upieRedis from "../../lib/redis/index.js";
import type { ReaderStats, RedisBrokerOptions, RedisConnectionOptions, RedisSessionBackendOptions } from "../../lib/redis/index.js";
import { BacklogFullError } from "../../lib/redis/backlog-full-error.js";
import { MessageTooLargeError } from "../../lib/redis/message-too-large-error.js";
import { RedisBroker } from "../../lib/redis/redis-broker.js";
import { RedisSessionBackend } from "../../lib/redis/redis-session-backend.js";

// The option types describe what the classes take: a URL or a client.
const connection: RedisConnectionOptions = { url: "redis://127.0.0.1:6379" };
const brokerOptions: RedisBrokerOptions = { ...connection };
const backendOptions: RedisSessionBackendOptions = { ...connection };
type ReaderStatKeys = keyof ReaderStats;
void [brokerOptions, backendOptions, undefined as ReaderStatKeys | undefined];

describe("upie/redis", () => {
  it("exports the broker, the session backend and the broker's two errors, and nothing else", () => {
    assert.deepEqual(Object.keys(upieRedis).sort(), ["BacklogFullError", "MessageTooLargeError", "RedisBroker", "RedisSessionBackend"]);
  });

  it("exports the classes themselves, so instanceof works across both import paths", () => {
    assert.equal(upieRedis.RedisBroker, RedisBroker);
    assert.equal(upieRedis.RedisSessionBackend, RedisSessionBackend);
    assert.equal(upieRedis.BacklogFullError, BacklogFullError);
    assert.equal(upieRedis.MessageTooLargeError, MessageTooLargeError);
  });

  it("plugs into upie's seams: a session backend and a broker by their upie interfaces", () => {
    assert.ok(RedisSessionBackend.prototype instanceof upie.SessionBackend);
    for (const method of ["publish", "attach"] as const) assert.equal(typeof RedisBroker.prototype[method], "function");
  });

  it("shares no name with `upie`, which never loads ioredis", () => {
    assert.deepEqual(Object.keys(upieRedis).filter((name) => name in upie), []);
  });
});
