import assert from "node:assert/strict";
import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, it } from "node:test";
import type { Broker, PublishedMessage } from "../../lib/pubsub/broker.js";
import { LocalFanout, type FanoutTransport, type Subscriber } from "../../lib/pubsub/local-fanout.js";
import type { Logger } from "../../lib/protocol/logger.js";

/** A socket that counts how often it was asked to check its backlog. */
class Socket implements Subscriber {
  checks = 0;
  readonly endpoint = { deliver() {}, shutdown() {}, checkSubscriber: () => void this.checks++ };
  constructor(readonly name: string) {}
}

function setup(limit = 1000, brokerHooks: Partial<Broker> = {}) {
  const calls: string[] = [];
  const published: Array<{ topic: string; message: PublishedMessage; to: string[] }> = [];
  const transport: FanoutTransport<Socket> = {
    publish: (topic, message, subscribers) => void published.push({ topic, message, to: [...subscribers].map((s) => s.name) }),
    subscribe: (socket, topic) => void calls.push(`subscribe ${socket.name} ${topic}`),
    unsubscribe: (socket, topic) => void calls.push(`unsubscribe ${socket.name} ${topic}`),
  };
  const broker: Broker = {
    publish() {},
    attach: () => () => {},
    topicAdded: (topic) => void calls.push(`added ${topic}`),
    topicRemoved: (topic) => void calls.push(`removed ${topic}`),
    ...brokerHooks,
  };
  const logged: string[] = [];
  const logger: Logger = { error: (message) => void logged.push(message) };
  return { fanout: new LocalFanout(transport, broker, limit, logger), calls, published, logged };
}

describe("LocalFanout", () => {
  it("tells the broker about a topic's first subscriber and its last one leaving", () => {
    const { fanout, calls } = setup();
    const [al, bo] = [new Socket("al"), new Socket("bo")];
    fanout.subscribe(al, "room");
    fanout.subscribe(bo, "room");
    fanout.subscribe(al, "room");
    fanout.unsubscribe(al, "room");
    fanout.unsubscribe(bo, "room");
    assert.deepEqual(calls, [
      "subscribe al room", "added room", "subscribe bo room", "subscribe al room",
      "unsubscribe al room", "unsubscribe bo room", "removed room",
    ]);
    assert.equal(fanout.has("room", al), false);
  });

  it("forgets a closed socket's topics without asking the transport (they died with it)", () => {
    const { fanout, calls } = setup();
    const [al, bo] = [new Socket("al"), new Socket("bo")];
    fanout.subscribe(al, "a");
    fanout.subscribe(al, "b");
    fanout.subscribe(bo, "b");
    calls.length = 0;
    fanout.removeAll(al);
    assert.deepEqual(calls, ["removed a"], "b keeps bo");
    assert.deepEqual([fanout.has("a", al), fanout.has("b", al), fanout.has("b", bo)], [false, false, true]);
  });

  it("hands a message to the transport with the topic's subscribers only, and skips a topic nobody follows", () => {
    const { fanout, published } = setup();
    const [al, bo] = [new Socket("al"), new Socket("bo")];
    fanout.subscribe(al, "room");
    fanout.subscribe(bo, "other");
    fanout.deliver("room", "hi");
    fanout.deliver("nobody", "lost on purpose");
    assert.deepEqual(published, [{ topic: "room", message: "hi", to: ["al"] }]);
  });

  it("asks the subscribers of topics just published to check themselves, once per turn", async () => {
    const { fanout } = setup();
    const [al, bo, cy] = [new Socket("al"), new Socket("bo"), new Socket("cy")];
    fanout.subscribe(al, "room");
    fanout.subscribe(bo, "room");
    fanout.subscribe(cy, "quiet");
    for (let i = 0; i < 5; i++) fanout.deliver("room", "x");
    assert.deepEqual([al.checks, bo.checks], [0, 0], "not while the burst runs");
    await nextTurn();
    assert.deepEqual([al.checks, bo.checks, cy.checks], [1, 1, 0]);
    await nextTurn();
    assert.equal(al.checks, 1, "nothing new published: no check");
  });

  it("checks at once when a burst alone passes the limit", () => {
    const { fanout } = setup(10);
    const al = new Socket("al");
    fanout.subscribe(al, "room");
    fanout.deliver("room", "12345");
    fanout.deliver("room", new Uint8Array(5));
    assert.equal(al.checks, 0, "10 bytes: at the limit, not over it");
    fanout.deliver("room", "1");
    assert.equal(al.checks, 1, "11 bytes: checked before the turn ends");
  });

  it("counts a burst of text in UTF-8 bytes, the unit of maxSubscriberBackpressure", () => {
    const { fanout } = setup(10);
    const al = new Socket("al");
    fanout.subscribe(al, "room");
    fanout.deliver("room", "€€€"); // 3 UTF-16 units, 9 bytes
    assert.equal(al.checks, 0, "9 bytes: under the limit");
    fanout.deliver("room", "é"); // 1 unit, 2 bytes
    assert.equal(al.checks, 1, "11 bytes: over the limit, checked before the turn ends (4 units would not be)");
  });

  it("logs a broker hook that returns a rejecting thenable instead of leaving it unhandled", async () => {
    const { fanout, logged } = setup(1000, {
      // A thenable that is not a Promise (another promise library, a lazy client command).
      topicAdded: () => ({ then: (_resolve: unknown, reject: (error: Error) => void) => reject(new Error("down")) }) as unknown as Promise<void>,
    });
    fanout.subscribe(new Socket("al"), "room");
    await nextTurn();
    assert.deepEqual(logged, ['broker.topicAdded("room") failed']);
  });

  it("logs a broker hook that throws or rejects, and keeps the subscription", async () => {
    const { fanout, logged } = setup(1000, {
      topicAdded: () => { throw new Error("down"); },
      topicRemoved: () => Promise.reject(new Error("down")),
    });
    const al = new Socket("al");
    fanout.subscribe(al, "room");
    assert.equal(fanout.has("room", al), true);
    fanout.unsubscribe(al, "room");
    await nextTurn();
    assert.deepEqual(logged, ['broker.topicAdded("room") failed', 'broker.topicRemoved("room") failed']);
  });

  it("works with a transport that has no subscriptions of its own, and a broker without hooks", () => {
    const sent: string[] = [];
    const fanout = new LocalFanout<Socket>({ publish: (_t, message) => void sent.push(String(message)) }, { publish() {}, attach: () => () => {} }, 1000, { error() {} });
    const al = new Socket("al");
    fanout.subscribe(al, "room");
    fanout.deliver("room", "hi");
    fanout.unsubscribe(al, "room");
    fanout.deliver("room", "gone");
    assert.deepEqual(sent, ["hi"]);
  });
});
