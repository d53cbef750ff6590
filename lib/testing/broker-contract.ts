/**
 * The broker contract suite: what every {@link Broker} must do, for the
 * in-process one, the Redis one, or yours (NATS, Postgres LISTEN…).
 *
 * @module
 */
import { TimedOutError } from "../protocol/errors.js";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Broker, BrokerSink, PublishedMessage } from "../pubsub/broker.js";

/** Brokers for one test: one per "server", all sharing the same backend. */
export interface BrokerFixture {
  /** A broker as one more server would create it (the in-process broker may return itself). */
  broker(): Broker | Promise<Broker>;
  /** Releases everything the fixture made. */
  close?(): void | Promise<void>;
}

/** A sink that records what it is handed. */
class RecordingSink implements BrokerSink {
  readonly got: Array<[string, PublishedMessage]> = [];
  deliver(topic: string, message: PublishedMessage): void {
    // Brokers may reuse buffers: keep a copy, as a real sink does.
    this.got.push([topic, typeof message === "string" ? message : message.slice()]);
  }
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new TimedOutError(`${what} not seen within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Attaches a sink and announces its interest in `topics`, as a server with subscribers does. */
async function subscribed(broker: Broker, topics: string[]): Promise<{ sink: RecordingSink; detach: () => void }> {
  const sink = new RecordingSink();
  const detach = broker.attach(sink);
  for (const topic of topics) await broker.topicAdded?.(topic);
  return { sink, detach };
}

let unique = 0;
/** A topic no other test uses (a shared backend outlives one test). */
function topicName(label: string): string {
  return `contract:${process.pid}:${Date.now()}:${++unique}:${label}`;
}

/**
 * Registers the contract suite for one broker implementation.
 *
 * @param name - shown in the suite's title.
 * @param makeFixture - called once per test.
 * @example
 * ```ts
 * runBrokerContract("LocalBroker", () => { const broker = new LocalBroker(); return { broker: () => broker }; });
 * ```
 */
export function runBrokerContract(name: string, makeFixture: () => BrokerFixture | Promise<BrokerFixture>): void {
  describe(`Broker contract: ${name}`, { timeout: 120_000 }, () => {
    async function withFixture(test: (fixture: BrokerFixture) => Promise<void>): Promise<void> {
      const fixture = await makeFixture();
      try {
        await test(fixture);
      } finally {
        await fixture.close?.();
      }
    }

    it("delivers text as text and bytes as bytes to every attached sink", () =>
      withFixture(async (fixture) => {
        const broker = await fixture.broker();
        const topic = topicName("kinds");
        const first = await subscribed(broker, [topic]);
        const second = await subscribed(broker, [topic]);
        await broker.publish(topic, "héllo");
        await broker.publish(topic, new Uint8Array([0, 255, 7]));
        for (const { sink, detach } of [first, second]) {
          await until(() => sink.got.filter(([t]) => t === topic).length === 2, "both messages");
          const got = sink.got.filter(([t]) => t === topic).map(([, message]) => message);
          assert.equal(got[0], "héllo");
          assert.ok(got[1] instanceof Uint8Array, "bytes stay bytes");
          assert.deepEqual([...(got[1] as Uint8Array)], [0, 255, 7]);
          detach();
        }
      }));

    it("keeps one publisher's order, with no duplicates", () =>
      withFixture(async (fixture) => {
        const broker = await fixture.broker();
        const topic = topicName("order");
        const { sink, detach } = await subscribed(broker, [topic]);
        const count = 500;
        for (let i = 0; i < count; i++) await broker.publish(topic, `m${i}`);
        await until(() => sink.got.length >= count, `${count} messages`);
        await new Promise((resolve) => setTimeout(resolve, 100)); // room for a late duplicate to show
        assert.deepEqual(sink.got.map(([, message]) => message), Array.from({ length: count }, (_, i) => `m${i}`));
        detach();
      }));

    it("reaches every server's sink once, from any server", () =>
      withFixture(async (fixture) => {
        const [a, b] = [await fixture.broker(), await fixture.broker()];
        const topic = topicName("fanout");
        const first = await subscribed(a, [topic]);
        const second = await subscribed(b, [topic]);
        await a.publish(topic, "from a");
        await b.publish(topic, "from b");
        for (const { sink } of [first, second]) await until(() => sink.got.length >= 2, "both publishers' messages");
        await new Promise((resolve) => setTimeout(resolve, 100));
        for (const { sink } of [first, second]) assert.deepEqual(sink.got.map(([, message]) => message).sort(), ["from a", "from b"]);
        first.detach();
        second.detach();
      }));

    it("keeps topics apart", () =>
      withFixture(async (fixture) => {
        const broker = await fixture.broker();
        const [news, sport] = [topicName("news"), topicName("sport")];
        const { sink, detach } = await subscribed(broker, [news, sport]);
        await broker.publish(news, "n1");
        await broker.publish(sport, "s1");
        await until(() => sink.got.length >= 2, "two messages");
        assert.deepEqual(sink.got.filter(([t]) => t === news).map(([, m]) => m), ["n1"]);
        assert.deepEqual(sink.got.filter(([t]) => t === sport).map(([, m]) => m), ["s1"]);
        detach();
      }));

    it("stops delivering to a detached sink", () =>
      withFixture(async (fixture) => {
        const broker = await fixture.broker();
        const topic = topicName("detach");
        const kept = await subscribed(broker, [topic]);
        const gone = await subscribed(broker, [topic]);
        gone.detach();
        await broker.publish(topic, "after");
        await until(() => kept.sink.got.length === 1, "the message at the attached sink");
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(gone.sink.got, []);
        kept.detach();
      }));
  });
}
