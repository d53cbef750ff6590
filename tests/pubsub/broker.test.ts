import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isBroker, type Broker, type BrokerSink, type PublishedMessage } from "../../lib/pubsub/broker.js";
import { LocalBroker } from "../../lib/pubsub/local-broker.js";

/** The smallest broker: publish and attach, no optional hooks. */
const minimal = { publish() {}, attach: () => () => {} } satisfies Broker;
/** Every optional hook, asynchronous where the interface allows it. */
const full = {
  publish: async (_topic: string, _message: PublishedMessage) => {},
  attach: (_sink: BrokerSink) => () => {},
  topicAdded: async (_topic: string) => {},
  topicRemoved: (_topic: string) => {},
  useSecrets: (_secrets: readonly string[]) => {},
} satisfies Broker;

// @ts-expect-error a broker must be able to attach a server's sink
const cannotAttach: Broker = { publish() {} };
// @ts-expect-error messages are text or bytes, never arbitrary values
const sink: BrokerSink = { deliver(_topic: string, _message: object) {} };
// @ts-expect-error attach returns the function that detaches
const noDetach: Broker = { publish() {}, attach() {} };
void [cannotAttach, sink, noDetach];

describe("isBroker", () => {
  it("accepts anything with publish and attach methods", () => {
    assert.equal(isBroker(new LocalBroker()), true);
    assert.equal(isBroker(minimal), true);
    assert.equal(isBroker(full), true);
    class Subclassed extends LocalBroker {}
    assert.equal(isBroker(new Subclassed()), true, "methods on the prototype count");
  });

  it("refuses values without both methods, or with other things under their names", () => {
    const values: unknown[] = [
      undefined, null, "broker", 1, () => {}, {}, { publish() {} }, { attach() {} },
      { publish: "x", attach() {} }, { publish() {}, attach: true },
    ];
    for (const [i, value] of values.entries()) assert.equal(isBroker(value), false, `values[${i}]`);
  });
});
