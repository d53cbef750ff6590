/**
 * What a RedisBroker reads, against a real redis-server: no entry, forged,
 * malformed or oversized, stops the genuine ones (issue 22.7); signed
 * entries with the app's secret; and bounded reads (issue 22.8).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { Redis, type RedisOptions } from "ioredis";

import { App, InvalidOptionError } from "../../lib/index.js";
import type { BrokerSink, PublishedMessage } from "../../lib/pubsub/broker.js";
import { MessageTooLargeError, RedisBroker, type RedisBrokerOptions } from "../../lib/redis/index.js";
import { RedisServer } from "./redis-server.js";

class RecordingSink implements BrokerSink {
  readonly received: { topic: string; message: PublishedMessage }[] = [];
  deliver(topic: string, message: PublishedMessage): void {
    this.received.push({ topic, message });
  }
  texts(topic: string): string[] {
    return this.received.filter((r) => r.topic === topic).map((r) => String(r.message));
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const MiB = 1024 * 1024;
const quiet = { error: () => {}, warn: () => {} };
let prefixes = 0;

describe("RedisBroker reading the stream", { timeout: 180_000 }, () => {
  let redis: RedisServer;
  let admin: Redis;
  const brokers: RedisBroker[] = [];

  before(async () => {
    redis = await RedisServer.start();
    admin = redis.client();
  });

  after(async () => {
    for (const broker of brokers) await broker.close();
    admin.disconnect();
    await redis.stop();
  });

  /** A publisher and a reader on one fresh key prefix. */
  async function pair(options: Partial<RedisBrokerOptions> = {}, readerOptions: Partial<RedisBrokerOptions> = options) {
    const keyPrefix = `r${++prefixes}:`;
    const a = new RedisBroker({ url: redis.url, keyPrefix, logger: quiet, ...options } as RedisBrokerOptions);
    const b = new RedisBroker({ url: redis.url, keyPrefix, logger: quiet, ...readerOptions } as RedisBrokerOptions);
    brokers.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const sink = new RecordingSink();
    b.attach(sink);
    return { a, b, sink };
  }

  const publishAll = async (broker: RedisBroker, count: number, prefix = "m") => {
    for (let i = 0; i < count; i++) await broker.publish("t", `${prefix}${i}`);
    await broker.flush();
  };
  const numbered = (count: number, prefix = "m") => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

  it("keeps delivering a publisher after a forged entry claims its sequence 2^53 − 1 (unsigned)", async () => {
    const { a, b, sink } = await pair();
    await a.publish("t", "first");
    await a.flush();
    await until(() => sink.received.length === 1, "first");
    await admin.xadd(a.streamKey, "*", "p", a.publisherId, "s", String(Number.MAX_SAFE_INTEGER), "t", "t", "k", "t", "d", "forged");
    await publishAll(a, 100);
    await until(() => sink.texts("t").length === 102, "100 messages after the forged one");
    assert.deepEqual(sink.texts("t").filter((t) => t !== "forged"), ["first", ...numbered(100)]);
    assert.equal(b.stats.jumps, 1);
    assert.equal(b.stats.duplicates, 0);
  });

  it("keeps delivering after a forged entry a little ahead (unsigned): only the number it took is lost", async () => {
    const { a, b, sink } = await pair();
    await a.publish("t", "first");
    await a.flush();
    await until(() => sink.received.length === 1, "first");
    // a's next numbers are 2..101; the forger claims 51.
    await admin.xadd(a.streamKey, "*", "p", a.publisherId, "s", "51", "t", "t", "k", "t", "d", "forged");
    await publishAll(a, 100);
    await until(() => sink.received.length === 101, "everything but the one the forger took");
    const expected = numbered(100).filter((_, i) => i + 2 !== 51);
    assert.deepEqual(sink.texts("t"), ["first", "forged", ...expected]);
    assert.equal(b.stats.duplicates, 1);
    assert.equal(b.stats.missed, 0, "the numbers skipped over all came");
  });

  it("drops forged and unsigned entries when signed, and counts them", async () => {
    const { a, b, sink } = await pair({ secret: "s3cret" });
    assert.equal(b.signed, true);
    await admin.xadd(a.streamKey, "*", "p", a.publisherId, "s", String(Number.MAX_SAFE_INTEGER), "t", "t", "k", "t", "d", "forged");
    await admin.xadd(a.streamKey, "*", "p", a.publisherId, "s", "1", "t", "t", "k", "t", "d", "unsigned", "h", Buffer.alloc(32));
    await publishAll(a, 100);
    await until(() => sink.received.length === 100, "100 genuine messages");
    await a.publish("t", "last");
    await a.flush();
    await until(() => sink.received.length === 101, "the last one");
    assert.deepEqual(sink.texts("t"), [...numbered(100), "last"]);
    assert.equal(b.stats.unverified, 2);
    assert.equal(b.stats.delivered, 101);
  });

  it("skips a replayed signed entry as a duplicate", async () => {
    const { a, b, sink } = await pair({ secret: "s3cret" });
    await publishAll(a, 3);
    await until(() => sink.received.length === 3, "3 messages");
    const [[, fields]] = (await admin.xrangeBuffer(a.streamKey, "-", "+", "COUNT", 1)) as [Buffer, Buffer[]][];
    await admin.xadd(a.streamKey, "*", ...fields!);
    await publishAll(a, 1, "after");
    await until(() => sink.received.length === 4, "the message after the replay");
    assert.deepEqual(sink.texts("t"), [...numbered(3), "after0"]);
    assert.equal(b.stats.duplicates, 1);
  });

  it("refuses entries signed with another secret, and reads those of a rotated one", async () => {
    const keyPrefix = `r${++prefixes}:`;
    const make = (secret: string | string[]) => new RedisBroker({ url: redis.url, keyPrefix, logger: quiet, secret });
    const [old, other, reader] = [make("old"), make("other"), make(["new", "old"])];
    brokers.push(old, other, reader);
    await Promise.all([old.ready(), other.ready(), reader.ready()]);
    const sink = new RecordingSink();
    reader.attach(sink);
    await other.publish("t", "intruder");
    await old.publish("t", "from old");
    await Promise.all([other.flush(), old.flush()]);
    await until(() => sink.received.length === 1, "the message signed with the old secret");
    assert.deepEqual(sink.texts("t"), ["from old"]);
    await until(() => reader.stats.unverified === 1, "the intruder counted");
  });

  it("signs with the secret of the app it is given to", async () => {
    const keyPrefix = `r${++prefixes}:`;
    const broker = new RedisBroker({ url: redis.url, keyPrefix, logger: quiet });
    const unsigned = new RedisBroker({ url: redis.url, keyPrefix, logger: quiet });
    brokers.push(broker, unsigned);
    assert.equal(broker.signed, false);
    new App({ secret: "app secret", websocket: { broker } });
    assert.equal(broker.signed, true);
    await broker.ready();
    const sink = new RecordingSink();
    broker.attach(sink);
    await unsigned.publish("t", "no signature");
    await broker.publish("t", "signed");
    await Promise.all([unsigned.flush(), broker.flush()]);
    await until(() => sink.received.length === 1 && broker.stats.unverified === 1, "the signed message, the other dropped");
    assert.deepEqual(sink.texts("t"), ["signed"]);
    // The two publishes race: find the signed message's entry by its payload.
    const entries = (await admin.xrangeBuffer(broker.streamKey, "-", "+")).map(([, fields]) => fields.map(String));
    const signed = entries.find((fields) => fields[fields.indexOf("d") + 1] === "signed")!;
    assert.ok(signed.includes("h"), "the entry carries its signature");
  });

  it("keeps its own secret over the app's", async () => {
    const keyPrefix = `r${++prefixes}:`;
    const broker = new RedisBroker({ url: redis.url, keyPrefix, logger: quiet, secret: "mine" });
    const peer = new RedisBroker({ url: redis.url, keyPrefix, logger: quiet, secret: "mine" });
    brokers.push(broker, peer);
    new App({ secret: "app secret", websocket: { broker } });
    await Promise.all([broker.ready(), peer.ready()]);
    const sink = new RecordingSink();
    broker.attach(sink);
    await peer.publish("t", "same secret");
    await peer.flush();
    await until(() => sink.received.length === 1, "the peer's message");
  });

  it("stays unsigned with secret: false, whatever the app's secret", async () => {
    const broker = new RedisBroker({ url: redis.url, keyPrefix: `r${++prefixes}:`, logger: quiet, secret: false });
    brokers.push(broker);
    new App({ secret: "app secret", websocket: { broker } });
    assert.equal(broker.signed, false);
  });

  it("validates the new options", () => {
    for (const options of [{ secret: "" }, { secret: [] as string[] }, { maxMessageBytes: 0 }, { maxReadBytes: 1.5 }, { maxMessageBytes: 1000, maxReadBytes: 1000 }]) {
      assert.throws(() => new RedisBroker({ url: redis.url, ...options }), InvalidOptionError, JSON.stringify(options));
    }
  });

  it("skips malformed entries of every kind and never stops reading", async () => {
    const lines: string[] = [];
    const logger = { error: (line: string) => void lines.push(line), warn: (line: string) => void lines.push(line) };
    const { a, b, sink } = await pair({}, { logger });
    const id = a.publisherId;
    const bad: string[][] = [
      ["hello", "world"],
      ["p", id, "s", "1", "t", "t", "k", "t"],
      ["p", id, "s", "abc", "t", "t", "k", "t", "d", "x"],
      ["p", id, "s", "1e3", "t", "t", "k", "t", "d", "x"],
      ["p", id, "s", "0", "t", "t", "k", "t", "d", "x"],
      ["p", id, "s", "-5", "t", "t", "k", "t", "d", "x"],
      ["p", id, "s", "99999999999999999999", "t", "t", "k", "t", "d", "x"],
      ["p", id, "s", "1", "t", "", "k", "t", "d", "x"],
      ["p", id, "s", "1", "t", "t", "k", "z", "d", "x"],
      ["p", id, "s", "1", "s", "2", "t", "t", "k", "t", "d", "x"],
      ["p", id, "s", "1", "t", "t", "k", "t", "d", "x", "h", "short"],
    ];
    for (const fields of bad) await admin.xadd(a.streamKey, "*", ...fields);
    await publishAll(a, 50);
    await until(() => sink.received.length === 50, "50 genuine messages");
    assert.deepEqual(sink.texts("t"), numbered(50));
    assert.equal(b.stats.malformed, bad.length);
    assert.equal(lines.filter((line) => /malformed/.test(line)).length, 1, "said once, not once per entry");
  });

  it("goes on after a sink throws", async () => {
    const { a, b } = await pair();
    const got: string[] = [];
    b.attach({
      deliver(_topic, message) {
        if (message === "boom") throw new Error("sink bug");
        got.push(String(message));
      },
    });
    await a.publish("t", "boom");
    await publishAll(a, 5);
    await until(() => got.length === 5, "the messages after the throw");
    assert.deepEqual(got, numbered(5));
  });

  it("refuses to publish a message over maxMessageBytes, and takes one of exactly that size", async () => {
    const { a, sink } = await pair({ maxMessageBytes: 1000 });
    await assert.rejects(a.publish("t", "x".repeat(1000)), (error: unknown) => {
      assert.ok(error instanceof MessageTooLargeError);
      assert.equal(error.code, "UPIE_ERR_BROKER_MESSAGE_TOO_LARGE");
      assert.equal(error.status, 413);
      assert.match(error.message, /1001 bytes, at most 1000/);
      return true;
    });
    await assert.rejects(a.publish("t", new Uint8Array(1000)), MessageTooLargeError, "the topic counts too");
    assert.equal(a.stats.held, 0);
    await a.publish("t", "x".repeat(999));
    await a.flush();
    await until(() => sink.received.length === 1, "the message that fits");
  });

  it("skips an entry over its maxMessageBytes without delivering it", async () => {
    const { a, b, sink } = await pair({ maxMessageBytes: 64 * 1024 });
    await admin.xadd(a.streamKey, "*", "p", "someone", "s", "1", "t", "t", "k", "t", "d", "y".repeat(128 * 1024));
    await publishAll(a, 3);
    await until(() => sink.received.length === 3, "the 3 messages after it");
    assert.deepEqual(sink.texts("t"), numbered(3));
    assert.equal(b.stats.oversized, 1);
  });

  it("brings in at most maxReadBytes per read, and delivers everything in order (issue 22.8)", async () => {
    const keyPrefix = `r${++prefixes}:`;
    const replies: number[] = [];
    const measured = spyingClient(redis.url, replies);
    const options = { keyPrefix, logger: quiet, maxMessageBytes: MiB, maxReadBytes: 4 * MiB };
    const a = new RedisBroker({ url: redis.url, ...options });
    const b = new RedisBroker({ client: measured, ...options });
    brokers.push(a, b);
    await Promise.all([a.ready(), b.ready()]);
    const got: number[] = [];
    b.attach({ deliver: (_topic, message) => void got.push((message as Uint8Array)[0]!) });
    const payload = (i: number) => new Uint8Array(MiB - 100).fill(i);
    for (let i = 0; i < 40; i++) {
      await a.publish("t", payload(i));
      if (i % 8 === 7) await a.flush(); // within maxHeldBytes
    }
    await until(() => got.length === 40, "40 messages of 1 MiB", 60_000);
    assert.deepEqual(got, Array.from({ length: 40 }, (_, i) => i));
    assert.ok(Math.max(...replies) <= 4 * MiB, `largest read ${Math.max(...replies)} bytes`);
    assert.ok(replies.length >= 10, `${replies.length} reads`);
  });
});

/** An ioredis client whose duplicates record the bytes each stream read (`XRANGE`, `XREAD`) brings in. */
function spyingClient(url: string, replies: number[]): Redis {
  const size = (value: unknown): number => (Buffer.isBuffer(value) ? value.length : Array.isArray(value) ? value.reduce((sum: number, v) => sum + size(v), 0) : 0);
  return {
    duplicate(overrides: RedisOptions) {
      const connection = new Redis(url, overrides);
      const xrangeBuffer = connection.xrangeBuffer.bind(connection) as (...args: unknown[]) => Promise<unknown>;
      const xreadBuffer = connection.xreadBuffer.bind(connection) as (...args: unknown[]) => Promise<unknown>;
      const measure = async (reply: Promise<unknown>) => {
        const value = await reply;
        replies.push(size(value));
        return value;
      };
      Object.assign(connection, {
        xrangeBuffer: (...args: unknown[]) => measure(xrangeBuffer(...args)),
        xreadBuffer: (...args: unknown[]) => measure(xreadBuffer(...args)),
      });
      return connection;
    },
  } as unknown as Redis;
}
