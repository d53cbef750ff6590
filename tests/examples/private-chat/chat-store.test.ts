import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

import { ChatStoreFullError, InMemoryChatStore, type ChatStore } from "../../../examples/private-chat/chat-store.js";
import { SqliteChatStore } from "../../../examples/private-chat/sqlite-chat-store.js";

/** The behaviour every ChatStore has, run against each implementation. */
function runChatStoreContract(name: string, open: (options?: { maxUsers?: number }) => Promise<ChatStore>): void {
  describe(`examples/private-chat: ChatStore contract: ${name}`, () => {
    it("registers a user once, keeping the first uuid", async () => {
      const store = await open();
      const first = await store.registerUser("alice");
      assert.deepEqual(await store.registerUser("alice"), first);
      assert.deepEqual(await store.getUser("alice"), first);
      assert.equal(await store.getUser("bob"), undefined);
    });

    it("refuses users past maxUsers", async () => {
      const store = await open({ maxUsers: 1 });
      await store.registerUser("alice");
      await assert.rejects(store.registerUser("bob"), ChatStoreFullError);
      assert.ok(await store.registerUser("alice"), "a known user still logs in");
    });

    it("gives messages increasing ids and pages history newest last", async () => {
      const store = await open();
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
      const store = await open();
      const a1 = await store.addMessage("alice", "bob", "a1");
      const b1 = await store.addMessage("bob", "alice", "b1");
      const a2 = await store.addMessage("alice", "bob", "a2");
      const a3 = await store.addMessage("alice", "bob", "a3");
      assert.equal((await store.dialogs("bob"))[0]!.unread, 3);
      assert.equal(await store.markRead("alice", a2.id), undefined, "only the recipient may");
      assert.equal((await store.markRead("bob", a2.id))?.id, a2.id);
      const flags = await Promise.all([a1, b1, a2, a3].map(async (m) => (await store.getMessage(m.id))!.read));
      assert.deepEqual(flags, [true, false, true, false]);
      assert.equal((await store.dialogs("bob"))[0]!.unread, 1);
      assert.equal((await store.dialogs("alice"))[0]!.unread, 1);
      await store.markRead("bob", a3.id);
      await store.markRead("bob", a1.id); // going back changes nothing
      assert.equal((await store.dialogs("bob"))[0]!.unread, 0);
    });

    it("lists dialogs most recently active first, with partners sorted", async () => {
      const store = await open();
      await store.openDialog("alice", "carol");
      await store.addMessage("bob", "alice", "hi");
      await store.openDialog("alice", "dave");
      assert.deepEqual((await store.dialogs("alice")).map((d) => d.partner), ["dave", "bob", "carol"]);
      assert.deepEqual(await store.partners("alice"), ["bob", "carol", "dave"]);
      assert.equal((await store.dialogs("alice"))[1]!.last?.text, "hi");
      assert.deepEqual(await store.partners("nobody"), []);
    });
  });
}

runChatStoreContract("InMemoryChatStore", async (options) => new InMemoryChatStore(options));
runChatStoreContract("SqliteChatStore", (options) => SqliteChatStore.open(":memory:", options));

describe("examples/private-chat: InMemoryChatStore", () => {
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

describe("examples/private-chat: SqliteChatStore", () => {
  it("keeps users, dialogs, messages and read marks across a reopen of its file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "upie-chat-"));
    try {
      const path = join(dir, "chat.db");
      const first = await SqliteChatStore.open(path);
      const alice = await first.registerUser("alice");
      await first.registerUser("bob");
      const m1 = await first.addMessage("alice", "bob", "persisted");
      await first.addMessage("bob", "alice", "reply");
      await first.markRead("bob", m1.id);
      first.close();
      const second = await SqliteChatStore.open(path);
      assert.deepEqual(await second.getUser("alice"), alice);
      assert.deepEqual((await second.history("alice", "bob", { limit: 10 })).messages.map((m) => [m.text, m.read]), [["persisted", true], ["reply", false]]);
      assert.equal((await second.addMessage("alice", "bob", "later")).id > m1.id, true);
      assert.deepEqual((await second.dialogs("alice")).map((d) => [d.partner, d.unread]), [["bob", 1]]);
      second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("lets two stores (two processes) share one file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "upie-chat-"));
    try {
      const path = join(dir, "chat.db");
      const [one, two] = [await SqliteChatStore.open(path), await SqliteChatStore.open(path)];
      await one.registerUser("alice");
      assert.ok(await two.getUser("alice"));
      const ids = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).addMessage("alice", "bob", `m${i}`)));
      assert.equal(new Set(ids.map((m) => m.id)).size, 20);
      assert.equal((await one.history("alice", "bob", { limit: 100 })).messages.length, 20);
      one.close();
      two.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("uses better-sqlite3 when it loads, node:sqlite otherwise, and says which", async () => {
    // better-sqlite3 is native: built for one Node ABI, it does not load on another (CI runs Node 20, 22 and 24).
    const loads = async (driver: "better-sqlite3" | "node:sqlite") =>
      SqliteChatStore.open(":memory:", { driver }).then((store) => (store.close(), true), () => false);
    const [better, builtIn] = [await loads("better-sqlite3"), await loads("node:sqlite")];
    assert.ok(better || builtIn, "no SQLite driver at all");
    const store = await SqliteChatStore.open(":memory:");
    assert.equal(store.driver, better ? "better-sqlite3" : "node:sqlite");
    store.close();
    for (const driver of ["better-sqlite3", "node:sqlite"] as const) {
      if (!(driver === "better-sqlite3" ? better : builtIn)) continue;
      const forced = await SqliteChatStore.open(":memory:", { driver });
      await forced.registerUser("alice");
      const message = await forced.addMessage("alice", "bob", "hi");
      assert.equal(message.id, 1);
      assert.deepEqual((await forced.history("alice", "bob", { limit: 5 })).messages.map((m) => m.text), ["hi"]);
      assert.equal((await forced.markRead("bob", message.id))?.read, true);
      assert.deepEqual((await forced.dialogs("bob")).map((d) => d.unread), [0]);
      forced.close();
    }
  });
});
