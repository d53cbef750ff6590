/**
 * The behaviour every {@link Broker} must have, as one suite run against
 * each implementation (in process here, Redis in tests/redis):
 * `runBrokerContract("redis", async () => ({ publisher, subscriber, close }))`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type { Broker, BrokerSink, PublishedMessage } from "../../lib/pubsub/broker.js";

/** Two brokers that share a transport (one broker twice for an in-process one). */
export interface BrokerFixture {
  /** Where messages are published (process 1). */
  publisher: Broker;
  /** Where sinks are attached (process 2). */
  subscriber: Broker;
  close(): Promise<void>;
}

class RecordingSink implements BrokerSink {
  readonly received: { topic: string; message: PublishedMessage }[] = [];
  deliver(topic: string, message: PublishedMessage): void {
    this.received.push({ topic, message });
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Lets in-flight deliveries land, so that a missing or extra one would show. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 150));

/**
 * Registers the contract suite for one implementation.
 *
 * @param name - shown in the suite title.
 * @param makeFixture - called once per test.
 */
export function runBrokerContract(name: string, makeFixture: () => Promise<BrokerFixture>): void {
  describe(`Broker contract: ${name}`, { timeout: 120_000 }, () => {
    it("delivers to every attached sink, text as text and bytes as bytes", async () => {
      const { publisher, subscriber, close } = await makeFixture();
      try {
        const [first, second] = [new RecordingSink(), new RecordingSink()];
        subscriber.attach(first);
        subscriber.attach(second);
        await publisher.publish("news", "héllo");
        await publisher.publish("bytes", new Uint8Array([0, 1, 255]));
        await until(() => first.received.length === 2 && second.received.length === 2, "two deliveries to each sink");
        for (const sink of [first, second]) {
          assert.deepEqual(sink.received[0], { topic: "news", message: "héllo" });
          const bytes = sink.received[1]!.message;
          assert.ok(bytes instanceof Uint8Array, "bytes stay bytes");
          assert.deepEqual([...bytes], [0, 1, 255]);
        }
      } finally {
        await close();
      }
    });

    it("keeps publish order, with no duplicates", async () => {
      const { publisher, subscriber, close } = await makeFixture();
      try {
        const sink = new RecordingSink();
        subscriber.attach(sink);
        for (let i = 0; i < 300; i++) await publisher.publish("t", `m${i}`);
        await until(() => sink.received.length >= 300, "300 deliveries");
        await settle();
        assert.deepEqual(sink.received.map((r) => r.message), Array.from({ length: 300 }, (_, i) => `m${i}`));
      } finally {
        await close();
      }
    });

    it("stops delivering to a detached sink", async () => {
      const { publisher, subscriber, close } = await makeFixture();
      try {
        const [kept, dropped] = [new RecordingSink(), new RecordingSink()];
        subscriber.attach(kept);
        const detach = subscriber.attach(dropped);
        await publisher.publish("t", "one");
        await until(() => dropped.received.length === 1, "the first message");
        detach();
        await publisher.publish("t", "two");
        await until(() => kept.received.length === 2, "the second message");
        await settle();
        assert.deepEqual(dropped.received.map((r) => r.message), ["one"]);
      } finally {
        await close();
      }
    });
  });
}
