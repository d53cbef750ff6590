import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ChatStoreFullError, InMemoryChatStore } from "../../../examples/private-chat/chat-store.js";

describe("examples/private-chat: InMemoryChatStore", () => {
  it("registers a user once, keeping the first uuid", async () => {
    const store = new InMemoryChatStore();
    const first = await store.registerUser("alice");
    assert.deepEqual(await store.registerUser("alice"), first);
    assert.deepEqual(await store.getUser("alice"), first);
    assert.equal(await store.getUser("bob"), undefined);
  });

  it("refuses users past maxUsers", async () => {
    const store = new InMemoryChatStore({ maxUsers: 1 });
    await store.registerUser("alice");
    await assert.rejects(store.registerUser("bob"), ChatStoreFullError);
    assert.ok(await store.registerUser("alice"), "a known user still logs in");
  });

  it("gives messages increasing ids and pages history newest last", async () => {
    const store = new InMemoryChatStore();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await store.addMessage("alice", "bob", `m${i}`)).id);
    await store.addMessage("alice", "carol", "elsewhere");
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    const last = await store.history("bob", "alice", { limit: 2 });
    assert.deepEqual(last.messages.map((m) => m.text), ["m3", "m4"]);
    assert.equal(last.hasMore, true);
    const earlier = await store.history("alice", "bob", { limit: 10, before: last.messages[0]!.id });
    assert.deepEqual(earlier.messages.map((m) => m.text), ["m0", "m1", "m2"]);
    assert.equal(earlier.hasMore, false);
  });

  it("marks a message and the earlier ones to the same reader read", async () => {
    const store = new InMemoryChatStore();
    const a1 = await store.addMessage("alice", "bob", "a1");
    const b1 = await store.addMessage("bob", "alice", "b1");
    const a2 = await store.addMessage("alice", "bob", "a2");
    const a3 = await store.addMessage("alice", "bob", "a3");
    assert.equal((await store.dialogs("bob"))[0]!.unread, 3);
    assert.equal(await store.markRead("alice", a2.id), undefined, "only the recipient may");
    assert.equal((await store.markRead("bob", a2.id))?.id, a2.id);
    assert.deepEqual([a1, b1, a2, a3].map((m) => m.read), [true, false, true, false]);
    assert.equal((await store.dialogs("bob"))[0]!.unread, 1);
    assert.equal((await store.dialogs("alice"))[0]!.unread, 1);
    await store.markRead("bob", a3.id);
    await store.markRead("bob", a1.id); // going back changes nothing
    assert.equal((await store.dialogs("bob"))[0]!.unread, 0);
  });

  it("lists dialogs most recently active first, with partners sorted", async () => {
    const store = new InMemoryChatStore();
    await store.openDialog("alice", "carol");
    await store.addMessage("bob", "alice", "hi");
    await store.openDialog("alice", "dave");
    assert.deepEqual((await store.dialogs("alice")).map((d) => d.partner), ["dave", "bob", "carol"]);
    assert.deepEqual(await store.partners("alice"), ["bob", "carol", "dave"]);
    assert.equal((await store.dialogs("alice"))[1]!.last?.text, "hi");
    assert.deepEqual(await store.partners("nobody"), []);
  });

  it("forgets the oldest messages past maxMessagesPerDialog, keeping unread counts right", async () => {
    const store = new InMemoryChatStore({ maxMessagesPerDialog: 10 });
    const sent = [];
    for (let i = 0; i < 25; i++) sent.push(await store.addMessage("alice", "bob", `m${i}`));
    const { messages } = await store.history("alice", "bob", { limit: 100 });
    assert.ok(messages.length <= 10 && messages.length >= 9, `${messages.length} kept`);
    assert.equal(messages.at(-1)!.text, "m24");
    assert.equal(await store.getMessage(sent[0]!.id), undefined);
    assert.equal((await store.dialogs("bob"))[0]!.unread, messages.length);
    await store.markRead("bob", sent[24]!.id);
    assert.equal((await store.dialogs("bob"))[0]!.unread, 0);
  });
});
