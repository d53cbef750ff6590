import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TopicRegistry } from "../../lib/pubsub/topic-registry.js";

describe("TopicRegistry", () => {
  it("reports a topic's first subscriber and its last one leaving", () => {
    const topics = new TopicRegistry<string>();
    assert.equal(topics.add("room", "al"), true);
    assert.equal(topics.add("room", "bo"), false);
    assert.equal(topics.add("room", "al"), false);
    assert.deepEqual([...topics.subscribers("room")], ["al", "bo"]);
    assert.equal(topics.remove("room", "al"), false);
    assert.equal(topics.remove("room", "bo"), true);
    assert.equal(topics.subscribers("room").size, 0);
  });

  it("ignores removing what was never subscribed", () => {
    const topics = new TopicRegistry<string>();
    assert.equal(topics.remove("room", "al"), false);
    topics.add("a", "al");
    assert.equal(topics.remove("b", "al"), false);
    assert.equal(topics.has("a", "al"), true);
  });

  it("removes a subscriber from every topic and lists the emptied ones", () => {
    const topics = new TopicRegistry<string>();
    topics.add("a", "al");
    topics.add("b", "al");
    topics.add("b", "bo");
    assert.deepEqual(topics.removeAll("al"), ["a"]);
    assert.equal(topics.has("b", "al"), false);
    assert.deepEqual([...topics.subscribers("b")], ["bo"]);
    assert.deepEqual(topics.removeAll("nobody"), []);
  });
});
