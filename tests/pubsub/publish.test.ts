import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERRORS, InvalidArgumentError } from "../../lib/protocol/errors.js";
import type { Broker, PublishedMessage } from "../../lib/pubsub/broker.js";
import { publish } from "../../lib/pubsub/publish.js";

function recordingBroker(publishImpl?: Broker["publish"]) {
  const published: Array<[string, PublishedMessage]> = [];
  const broker: Broker = {
    publish: publishImpl ?? ((topic, message) => void published.push([topic, message])),
    attach: () => () => {},
  };
  return { broker, published };
}

describe("publish", () => {
  it("passes strings and Uint8Arrays to the broker as they are", async () => {
    const { broker, published } = recordingBroker();
    const bytes = new Uint8Array([1, 2]);
    await publish(broker, "t", "hi");
    await publish(broker, "t", bytes);
    assert.equal(published[0]![1], "hi");
    assert.equal(published[1]![1], bytes, "the same view, not a copy");
  });

  it("turns an ArrayBuffer or any other view into a Uint8Array over the same bytes", async () => {
    const { broker, published } = recordingBroker();
    const buffer = new Uint8Array([9, 8, 7, 6]).buffer;
    await publish(broker, "t", buffer);
    await publish(broker, "t", new DataView(buffer, 1, 2));
    await publish(broker, "t", new Uint16Array([0x0201]));
    const [whole, middle, wide] = published.map(([, message]) => message as Uint8Array);
    assert.deepEqual([...whole!], [9, 8, 7, 6]);
    assert.deepEqual([...middle!], [8, 7], "only the view's window");
    assert.equal(middle!.buffer, buffer);
    assert.equal(wide!.byteLength, 2);
    assert.ok(published.every(([, message]) => message instanceof Uint8Array));
  });

  it("rejects an empty or non-string topic, and data that is neither text nor bytes, with UPIE_ERR_INVALID_ARGUMENT", async () => {
    const { broker, published } = recordingBroker();
    const invalid = (error: unknown) => error instanceof InvalidArgumentError && error.code === ERRORS.INVALID_ARGUMENT.code;
    await assert.rejects(publish(broker, "", "x"), invalid);
    await assert.rejects(publish(broker, 5 as never, "x"), invalid);
    for (const data of [undefined, null, 42, { text: "x" }, ["x"]]) await assert.rejects(publish(broker, "t", data as never), invalid);
    assert.deepEqual(published, [], "nothing reached the broker");
  });

  it("rejects, never throws synchronously, and passes on the broker's own rejection", async () => {
    const { broker } = recordingBroker();
    const pending = publish(broker, "", "x");
    assert.ok(pending instanceof Promise);
    await assert.rejects(pending);
    const failing = recordingBroker(() => Promise.reject(new Error("backlog full"))).broker;
    await assert.rejects(publish(failing, "t", "x"), /backlog full/);
  });

  it("resolves only once the broker has taken the message", async () => {
    let release!: () => void;
    const { broker } = recordingBroker(() => new Promise<void>((resolve) => (release = resolve)));
    let settled = false;
    const pending = publish(broker, "t", "x").then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false);
    release();
    await pending;
    assert.equal(settled, true);
  });
});
