import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { InvalidOptionError } from "../../lib/protocol/errors.js";
import type { BrokerSink, PublishedMessage } from "../../lib/pubsub/broker.js";
import { BacklogFullError, RedisBroker, type RedisBrokerOptions } from "../../lib/redis/index.js";
import { runBrokerContract } from "../../lib/testing/index.js";
import { RedisServer } from "./redis-server.js";

/** A sink that records what it is given. */
class RecordingSink implements BrokerSink {
  readonly received: { topic: string; message: PublishedMessage }[] = [];
  deliver(topic: string, message: PublishedMessage): void {
    this.received.push({ topic, message });
  }
  texts(topic: string): string[] {
    return this.received.filter((r) => r.topic === topic).map((r) => String(r.message));
  }
}

const quiet = { error: () => {} };
let prefixes = 0;

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("RedisBroker as a Broker", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let prefix = 0;
  before(async () => {
    redis = await RedisServer.start();
  });
  after(() => redis.stop());

  runBrokerContract("RedisBroker (brokers sharing one Redis)", () => {
    const keyPrefix = `contract${++prefix}:`;
    const made: RedisBroker[] = [];
    return {
      async broker() {
        const broker = new RedisBroker({ url: redis.url, keyPrefix });
        made.push(broker);
        await broker.ready();
        return broker;
      },
      close: async () => void (await Promise.all(made.map((broker) => broker.close()))),
    };
  });
});

describe("RedisBroker", { timeout: 180_000 }, () => {
  let redis: RedisServer;
  const brokers: RedisBroker[] = [];

  before(async () => {
    redis = await RedisServer.start({ persistent: true });
  });

  after(async () => {
    for (const broker of brokers) await broker.close();
    await redis.stop();
  });

  /** Two brokers on one key prefix: two processes, as far as Redis can tell. */
  async function pair(options: Partial<RedisBrokerOptions> = {}) {
    const keyPrefix = `t${++prefixes}:`;
    const make = () => new RedisBroker({ url: redis.url, keyPrefix, logger: quiet, ...options } as RedisBrokerOptions);
    const [a, b] = [make(), make()];
    brokers.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const [sinkA, sinkB] = [new RecordingSink(), new RecordingSink()];
    a.attach(sinkA);
    b.attach(sinkB);
    return { a, b, sinkA, sinkB, keyPrefix };
  }

  it("delivers to every broker on the Redis, in publish order, text as text and bytes as bytes", async () => {
    const { a, b, sinkA, sinkB } = await pair();
    for (let i = 0; i < 200; i++) await a.publish("room", `m${i}`);
    await a.publish("bytes", new Uint8Array([0, 255, 1, 2]));
    await a.publish("text", "héllo ✓");
    await until(() => sinkB.received.length === 202 && sinkA.received.length === 202, "202 deliveries on both");
    for (const sink of [sinkA, sinkB]) {
      assert.deepEqual(sink.texts("room"), Array.from({ length: 200 }, (_, i) => `m${i}`));
      const bytes = sink.received.find((r) => r.topic === "bytes")!.message;
      assert.ok(bytes instanceof Uint8Array);
      assert.deepEqual([...bytes], [0, 255, 1, 2]);
      assert.equal(sink.received.find((r) => r.topic === "text")!.message, "héllo ✓");
    }
  });

  it("keeps each publisher's order when two publish at once", async () => {
    const { a, b, sinkA, sinkB } = await pair();
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) jobs.push(a.publish("t", `a${i}`), b.publish("t", `b${i}`));
    await Promise.all(jobs);
    await until(() => sinkA.received.length === 600 && sinkB.received.length === 600, "600 deliveries on both");
    for (const sink of [sinkA, sinkB]) {
      const texts = sink.texts("t");
      assert.deepEqual(texts.filter((t) => t.startsWith("a")), Array.from({ length: 300 }, (_, i) => `a${i}`));
      assert.deepEqual(texts.filter((t) => t.startsWith("b")), Array.from({ length: 300 }, (_, i) => `b${i}`));
    }
    // Both readers see one stream, so both see the same interleaving.
    assert.deepEqual(sinkA.texts("t"), sinkB.texts("t"));
  });

  it("skips a repeated entry (an XADD retried after its reply was lost)", async () => {
    const { a, b, sinkB } = await pair();
    await a.publish("t", "one");
    await a.flush();
    await until(() => sinkB.received.length === 1, "the first message");
    const admin = redis.client();
    try {
      await admin.xadd(a.streamKey, "*", "p", a.publisherId, "s", "1", "t", "t", "k", "t", "d", "one");
      await a.publish("t", "two");
      await until(() => sinkB.received.length === 2, "the second message");
      assert.deepEqual(sinkB.texts("t"), ["one", "two"]);
      assert.equal(b.stats.duplicates, 1);
    } finally {
      admin.disconnect();
    }
  });

  it("ignores entries it cannot read as its own", async () => {
    const { a, sinkB } = await pair();
    const admin = redis.client();
    try {
      await admin.xadd(a.streamKey, "*", "hello", "world");
      await a.publish("t", "after");
      await until(() => sinkB.received.length === 1, "the real message");
      assert.deepEqual(sinkB.texts("t"), ["after"]);
    } finally {
      admin.disconnect();
    }
  });

  it("loses nothing when its connections are killed mid-stream (CLIENT KILL)", async () => {
    const { a, b, sinkB } = await pair();
    const admin = redis.client();
    try {
      const publishing = (async () => {
        for (let i = 0; i < 2000; i++) {
          await a.publish("t", `m${i}`);
          if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      let kills = 0;
      while (sinkB.received.length < 2000 && kills < 5) {
        await until(() => sinkB.received.length > kills * 300, "progress between kills");
        await admin.client("KILL", "TYPE", "normal", "SKIPME", "yes");
        kills++;
      }
      await publishing;
      await until(() => sinkB.received.length >= 2000, "all 2000 messages");
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(sinkB.texts("t"), Array.from({ length: 2000 }, (_, i) => `m${i}`));
      assert.ok(kills >= 1);
      assert.equal(b.stats.missed, 0);
    } finally {
      admin.disconnect();
    }
  });

  it("holds publishes while redis-server is down and delivers them after a restart, in order", async () => {
    const { a, b, sinkA, sinkB } = await pair();
    for (let i = 0; i < 100; i++) await a.publish("t", `before${i}`);
    await a.flush();
    await until(() => sinkB.received.length === 100, "the first 100");
    await redis.kill();
    for (let i = 0; i < 100; i++) await a.publish("t", `during${i}`);
    await b.publish("t", "from-b");
    assert.equal(a.stats.held, 100);
    await redis.restart();
    for (let i = 0; i < 100; i++) await a.publish("t", `after${i}`);
    await a.flush();
    await until(() => sinkB.received.length === 301 && sinkA.received.length === 301, "301 messages on both");
    const expected = ["before", "during", "after"].flatMap((phase) => Array.from({ length: 100 }, (_, i) => `${phase}${i}`));
    for (const sink of [sinkA, sinkB]) assert.deepEqual(sink.texts("t").filter((t) => t !== "from-b"), expected);
    assert.ok(sinkB.texts("t").includes("from-b"));
  });

  it("catches up on what was published while its reader was away (Redis with persistence)", async () => {
    const { a, sinkB, keyPrefix } = await pair();
    const late = new RedisBroker({ url: redis.url, keyPrefix, logger: quiet });
    brokers.push(late);
    await late.ready();
    const sinkLate = new RecordingSink();
    late.attach(sinkLate);
    await a.publish("t", "x1");
    await until(() => sinkLate.received.length === 1, "x1");
    await redis.kill();
    await a.publish("t", "x2");
    await redis.restart();
    await a.publish("t", "x3");
    await until(() => sinkLate.received.length === 3 && sinkB.received.length === 3, "x2 and x3");
    assert.deepEqual(sinkLate.texts("t"), ["x1", "x2", "x3"]);
  });

  it("says once when Redis goes away and once when it is back", async () => {
    const lines: string[] = [];
    const logger = { error: (message: string) => void lines.push(message), warn: (message: string) => void lines.push(message) };
    const { a } = await pair({ logger });
    await redis.kill();
    try {
      await a.publish("t", "held");
      await until(() => lines.some((l) => /writer connection lost; holding publishes/.test(l)), "the outage line");
    } finally {
      await redis.restart();
    }
    await a.flush();
    await until(() => lines.some((l) => /writer connection back/.test(l)), "the recovery line");
    // The pair shares the logger: one line per broker, not one per reconnect attempt.
    assert.equal(lines.filter((l) => /writer connection lost/.test(l)).length, 2, lines.join("\n"));
  });

  it("rejects publishes past its bound while Redis is away, and drops nothing it held", async () => {
    const { a, sinkB } = await pair({ maxHeldMessages: 5 });
    await redis.kill();
    try {
      for (let i = 0; i < 5; i++) await a.publish("t", `h${i}`);
      await assert.rejects(a.publish("t", "too many"), (error: unknown) => {
        assert.ok(error instanceof BacklogFullError);
        assert.equal(error.code, "UPIE_ERR_BROKER_BACKLOG_FULL");
        assert.match(error.message, /5 messages/);
        return true;
      });
    } finally {
      await redis.restart();
    }
    await until(() => sinkB.received.length === 5, "the 5 held messages");
    assert.deepEqual(sinkB.texts("t"), ["h0", "h1", "h2", "h3", "h4"]);
  });

  it("bounds held bytes too", async () => {
    const { a } = await pair({ maxHeldBytes: 10 });
    await redis.kill();
    try {
      await a.publish("t", "12345678");
      await assert.rejects(a.publish("t", "abc"), BacklogFullError);
    } finally {
      await redis.restart();
    }
    await a.flush();
  });

  it("reports a gap when the stream was trimmed before it read", async () => {
    const errors: string[] = [];
    const { a, b, sinkB } = await pair({ logger: { error: (message: string) => void errors.push(message) } });
    await a.publish("t", "first");
    await until(() => sinkB.received.length === 1, "first");
    const admin = redis.client();
    try {
      // Entries 2..4 of publisher a, written and trimmed away before b could read them.
      await admin.xadd(a.streamKey, "*", "p", a.publisherId, "s", "5", "t", "t", "k", "t", "d", "fifth");
      await until(() => sinkB.received.length === 2, "fifth");
      assert.equal(b.stats.missed, 3);
      assert.ok(errors.some((e) => /3 messages/.test(e)), errors.join("\n"));
    } finally {
      admin.disconnect();
    }
  });

  it("closes within seconds while Redis is away, rejecting flush() for what it could not send", async () => {
    const lines: string[] = [];
    const { a } = await pair({ logger: { error: (message: string) => void lines.push(message) } });
    await redis.kill();
    try {
      await a.publish("t", "never sent");
      const flushed = a.flush().then(() => "sent", (error: Error) => error.message);
      const started = Date.now();
      await a.close();
      assert.ok(Date.now() - started < 9000, `close took ${Date.now() - started} ms`);
      assert.match(await flushed, /closed before Redis took/);
      assert.ok(lines.some((l) => /1 messages Redis never took/.test(l)), lines.join("\n"));
    } finally {
      await redis.restart();
    }
  });

  it("is rejected after close, and closes idempotently", async () => {
    const { a } = await pair();
    await a.publish("t", "x");
    await a.close();
    await a.close();
    await assert.rejects(a.publish("t", "y"), /closed/);
  });

  it("delivers what it held across a restart of a Redis without persistence (the stream starts empty)", async () => {
    const volatile = await RedisServer.start();
    const make = () => new RedisBroker({ url: volatile.url, keyPrefix: "volatile:", logger: quiet });
    const [a, b] = [make(), make()];
    brokers.push(a, b);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const sink = new RecordingSink();
      b.attach(sink);
      await a.publish("t", "before");
      await until(() => sink.received.length === 1, "before");
      await volatile.kill();
      await a.publish("t", "during");
      await volatile.restart();
      await a.publish("t", "after");
      await until(() => sink.received.length === 3, "during and after");
      assert.deepEqual(sink.texts("t"), ["before", "during", "after"]);
    } finally {
      await a.close();
      await b.close();
      await volatile.stop();
    }
  });

  it("validates its options", () => {
    assert.throws(() => new RedisBroker({}), InvalidOptionError);
    assert.throws(() => new RedisBroker({ url: "localhost:6379" }), InvalidOptionError);
    for (const retention of [0, -1, 1.5, Number.NaN]) {
      assert.throws(() => new RedisBroker({ url: redis.url, retention }), InvalidOptionError);
    }
    assert.throws(() => new RedisBroker({ url: redis.url, maxHeldMessages: 0 }), InvalidOptionError);
    assert.throws(() => new RedisBroker({ url: redis.url, keyPrefix: 5 as unknown as string }), InvalidOptionError);
  });
});
