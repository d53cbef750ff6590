import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LocalBroker, type BrokerSink, type PublishedMessage } from "../../lib/index.js";
import { isBroker } from "../../lib/pubsub/broker.js";
import { publish } from "../../lib/pubsub/publish.js";
import { runBrokerContract } from "../../lib/testing/index.js";

function recorder(): BrokerSink & { got: Array<[string, PublishedMessage]> } {
  const got: Array<[string, PublishedMessage]> = [];
  return { got, deliver: (topic, message) => void got.push([topic, message]) };
}

describe("LocalBroker", () => {
  it("delivers every message to every attached sink, in order", () => {
    const broker = new LocalBroker();
    const a = recorder();
    const b = recorder();
    broker.attach(a);
    broker.attach(b);
    broker.publish("t", "one");
    broker.publish("u", new Uint8Array([2]));
    assert.deepEqual(a.got, [["t", "one"], ["u", new Uint8Array([2])]]);
    assert.deepEqual(b.got, a.got);
  });

  it("stops delivering to a detached sink", () => {
    const broker = new LocalBroker();
    const a = recorder();
    const detach = broker.attach(a);
    detach();
    broker.publish("t", "x");
    assert.deepEqual(a.got, []);
  });

  it("is recognised as a broker", () => {
    assert.equal(isBroker(new LocalBroker()), true);
    assert.equal(isBroker({ publish() {} }), false);
  });
});

describe("publish", () => {
  it("normalises ArrayBuffers and views to Uint8Array", async () => {
    const broker = new LocalBroker();
    const sink = recorder();
    broker.attach(sink);
    await publish(broker, "t", new Uint8Array([1, 2]).buffer);
    await publish(broker, "t", new Uint16Array([0x0101]));
    assert.deepEqual(sink.got, [["t", new Uint8Array([1, 2])], ["t", new Uint8Array([1, 1])]]);
  });

  it("rejects an empty topic and data that is not text or bytes", async () => {
    const broker = new LocalBroker();
    await assert.rejects(publish(broker, "", "x"), TypeError);
    await assert.rejects(publish(broker, "t", 42 as never), TypeError);
  });

  it("passes a broker's failure on to the caller", async () => {
    const failing = { publish: async () => { throw new Error("redis down"); }, attach: () => () => {} };
    await assert.rejects(publish(failing, "t", "x"), /redis down/);
  });
});

// The same contract every broker (Redis, yours) proves with upie/testing.
runBrokerContract("LocalBroker", () => {
  const broker = new LocalBroker();
  return { broker: () => broker };
});
