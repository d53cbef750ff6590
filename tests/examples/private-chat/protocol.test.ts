import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";

import { ChatServer } from "./helpers.js";

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("examples/private-chat: the WebSocket protocol", { timeout: 30_000 }, () => {
  let chat: ChatServer;
  beforeEach(async () => {
    chat = await ChatServer.start();
  });
  afterEach(async () => {
    await chat.close();
  });

  describe("handshake", () => {
    it("refuses a handshake without a session with 403", async () => {
      await assert.rejects(chat.connect(undefined), { status: 403 });
    });

    it("refuses a forged or logged-out session with 403", async () => {
      await assert.rejects(chat.connect("session_id=forged"), { status: 403 });
      const cookie = await chat.login("alice");
      await fetch(`${chat.base}/logout`, { method: "POST", headers: { cookie }, redirect: "manual" });
      await assert.rejects(chat.connect(cookie), { status: 403 });
    });

    it("refuses a handshake from another origin with 403", async () => {
      const cookie = await chat.login("alice");
      await assert.rejects(chat.connect(cookie, { origin: "http://evil.example" }), { status: 403 });
      const same = await chat.connect(cookie, { origin: chat.base });
      assert.equal(same.ws.readyState, same.ws.OPEN);
    });

    it("closes the session's sockets with 4001 on logout", async () => {
      const cookie = await chat.login("alice");
      const alice = await chat.connect(cookie);
      await fetch(`${chat.base}/logout`, { method: "POST", headers: { cookie }, redirect: "manual" });
      assert.deepEqual(await alice.closed, { code: 4001, reason: "logged out" });
    });
  });

  describe("new-message", () => {
    it("stores the message and sends it to every socket of both users", async () => {
      const aliceCookie = await chat.login("alice");
      const alice1 = await chat.connect(aliceCookie);
      const alice2 = await chat.connect(aliceCookie);
      const bob = await chat.join("bob");
      alice1.send({ type: "new-message", username: "bob", message: "hi <b>bob</b>" });
      const packets = [await alice1.next("new-message"), await alice2.next("new-message"), await bob.next("new-message")];
      const [first] = packets;
      assert.deepEqual(Object.keys(first!).sort(), ["created", "message", "message_id", "sender_name", "type", "username"]);
      assert.equal(first!.username, "bob");
      assert.equal(first!.message, "hi <b>bob</b>");
      assert.equal(first!.sender_name, "alice");
      assert.equal(typeof first!.message_id, "number");
      assert.match(first!.created, ISO_8601);
      for (const p of packets) assert.deepEqual(p, first);
    });

    it("never forwards session_key, and accepts the socket's own", async () => {
      const cookie = await chat.login("alice");
      const alice = await chat.connect(cookie);
      const bob = await chat.join("bob");
      alice.send({ type: "new-message", session_key: cookie.slice("session_id=".length), username: "bob", message: "hi" });
      const received = await bob.next("new-message");
      assert.equal(received.message, "hi");
      assert.equal("session_key" in received, false);
    });

    it("keeps history across reconnects", async () => {
      const cookie = await chat.login("alice");
      const alice = await chat.connect(cookie);
      await chat.login("bob");
      alice.send({ type: "new-message", username: "bob", message: "remember me" });
      const sent = await alice.next("new-message");
      alice.close();
      await alice.closed;
      const again = await chat.connect(cookie);
      const { body } = await chat.history(cookie, "bob");
      assert.deepEqual(body.messages.map((m: any) => [m.message_id, m.message]), [[sent.message_id, "remember me"]]);
      assert.equal(again.ws.readyState, again.ws.OPEN);
    });
  });

  describe("new-user", () => {
    it("sends everyone connected the active users, sorted by username, with stable uuids", async () => {
      const carol = await chat.join("carol");
      const alice = await chat.join("alice");
      const bob = await chat.join("bob");
      await chat.login("dave"); // known but not connected: not listed
      bob.send({ type: "new-user", username: "bob" });
      const lists = [await alice.next("users-changed"), await bob.next("users-changed"), await carol.next("users-changed")];
      const value = lists[0]!.value as Array<{ username: string; uuid: string }>;
      assert.deepEqual(value.map((u) => u.username), ["alice", "bob", "carol"]);
      for (const u of value) assert.match(u.uuid, UUID);
      for (const list of lists) assert.deepEqual(list, lists[0]);

      await chat.login("alice"); // a second login keeps the uuid
      bob.send({ type: "new-user" });
      const later = await bob.next("users-changed");
      assert.equal(later.value.find((u: any) => u.username === "alice").uuid, value[0]!.uuid);
    });
  });

  describe("online / offline / check-online", () => {
    async function threeUsers() {
      const alice = await chat.join("alice");
      const bob = await chat.join("bob");
      const carol = await chat.join("carol"); // no dialog with alice
      await chat.app.chat.store.openDialog("alice", "bob");
      return { alice, bob, carol };
    }

    it("online tells the user's dialog partners only", async () => {
      const { alice, bob, carol } = await threeUsers();
      alice.send({ type: "online", username: "alice" });
      assert.deepEqual(await bob.next("gone-online"), { type: "gone-online", usernames: ["alice"] });
      assert.deepEqual(await carol.drain("gone-online"), []);
    });

    it("offline tells the user's dialog partners only", async () => {
      const { alice, bob, carol } = await threeUsers();
      alice.send({ type: "offline", username: "alice" });
      assert.deepEqual(await bob.next("gone-offline"), { type: "gone-offline", username: "alice" });
      assert.deepEqual(await carol.drain("gone-offline"), []);
    });

    it("sends gone-offline when the user's last socket closes, not before", async () => {
      const aliceCookie = await chat.login("alice");
      const tab1 = await chat.connect(aliceCookie);
      const tab2 = await chat.connect(aliceCookie);
      const bob = await chat.join("bob");
      await chat.app.chat.store.openDialog("alice", "bob");
      tab1.close();
      assert.deepEqual(await bob.drain("gone-offline", 200), []);
      tab2.close();
      assert.deepEqual(await bob.next("gone-offline"), { type: "gone-offline", username: "alice" });
    });

    it("check-online answers the asker with the partners online now", async () => {
      const alice = await chat.join("alice");
      await chat.join("bob");
      await chat.join("carol");
      await chat.login("dave");
      for (const partner of ["bob", "dave"]) await chat.app.chat.store.openDialog("alice", partner);
      alice.send({ type: "check-online", username: "alice" });
      assert.deepEqual(await alice.next("gone-online"), { type: "gone-online", usernames: ["bob"] });
    });
  });

  describe("is-typing", () => {
    it("sends the opponent opponent-typing with the typist's name", async () => {
      const alice = await chat.join("alice");
      const bob = await chat.join("bob");
      alice.send({ type: "is-typing", username: "bob", typing: true });
      assert.deepEqual(await bob.next("opponent-typing"), { type: "opponent-typing", username: "alice" });
      assert.deepEqual(await alice.drain("opponent-typing"), []);
    });

    it("sends nothing for typing: false", async () => {
      const alice = await chat.join("alice");
      const bob = await chat.join("bob");
      alice.send({ type: "is-typing", username: "bob", typing: false });
      assert.deepEqual(await bob.drain("opponent-typing"), []);
    });
  });

  describe("read_message", () => {
    it("marks the message read and tells its sender", async () => {
      const alice = await chat.join("alice");
      const bobCookie = await chat.login("bob");
      const bob = await chat.connect(bobCookie);
      alice.send({ type: "new-message", username: "bob", message: "one" });
      alice.send({ type: "new-message", username: "bob", message: "two" });
      await bob.next("new-message");
      const second = await bob.next("new-message");
      bob.send({ type: "read_message", username: "alice", message_id: second.message_id });
      assert.deepEqual(await alice.next("opponent-read-message"), { type: "opponent-read-message", username: "bob", message_id: second.message_id });
      const { body } = await chat.history(bobCookie, "alice");
      assert.deepEqual(body.messages.map((m: any) => m.read), [true, true], "reading the newest covers the earlier ones");
    });

    it("accepts a message_id given as a string of digits", async () => {
      const alice = await chat.join("alice");
      const bob = await chat.join("bob");
      alice.send({ type: "new-message", username: "bob", message: "hi" });
      const { message_id } = await bob.next("new-message");
      bob.send({ type: "read_message", username: "alice", message_id: String(message_id) });
      assert.equal((await alice.next("opponent-read-message")).message_id, message_id);
    });
  });

  describe("errors (the socket stays open)", () => {
    async function expectError(packet: object | string, forType: string | null, reason: RegExp) {
      const alice = await chat.join("alice");
      await chat.login("bob");
      if (typeof packet === "string") alice.sendRaw(packet);
      else alice.send(packet);
      const error = await alice.next("error");
      assert.deepEqual(Object.keys(error).sort(), ["for", "message", "type"]);
      assert.equal(error.for, forType);
      assert.match(error.message, reason);
      alice.send({ type: "check-online" });
      assert.equal((await alice.next("gone-online")).type, "gone-online", "the socket still answers");
    }

    it("answers text that is not JSON", () => expectError("hello?", null, /not valid JSON/));
    it("answers JSON that is not an object", () => expectError("[1,2]", null, /JSON object/));
    it("answers a packet without a type", () => expectError({ username: "bob" }, null, /no type/));
    it("answers an unknown type", () => expectError({ type: "delete-everything" }, "delete-everything", /unknown packet type/));
    it("answers a message to an unknown user", () => expectError({ type: "new-message", username: "ghost", message: "hi" }, "new-message", /unknown user/));
    it("answers a message to yourself", () => expectError({ type: "new-message", username: "alice", message: "hi" }, "new-message", /yourself/));
    it("answers a malformed username", () => expectError({ type: "new-message", username: "bob!", message: "hi" }, "new-message", /username/));
    it("answers an empty message", () => expectError({ type: "new-message", username: "bob", message: "  " }, "new-message", /empty/));
    it("answers a message that is not a string", () => expectError({ type: "new-message", username: "bob", message: 7 }, "new-message", /string/));
    it("answers a message over 4096 characters", () =>
      expectError({ type: "new-message", username: "bob", message: "x".repeat(4097) }, "new-message", /longer than 4096/));
    it("answers typing to an unknown user", () => expectError({ type: "is-typing", username: "ghost", typing: true }, "is-typing", /unknown user/));
    it("answers a non-boolean typing", () => expectError({ type: "is-typing", username: "bob", typing: "yes" }, "is-typing", /true or false/));
    it("answers a session_key that is not the socket's", () =>
      expectError({ type: "new-message", session_key: "someone-else", username: "bob", message: "hi" }, "new-message", /session_key/));
    it("answers online for someone else", () => expectError({ type: "online", username: "bob" }, "online", /not yours/));
    it("answers offline for someone else", () => expectError({ type: "offline", username: "bob" }, "offline", /not yours/));
    it("answers check-online for someone else", () => expectError({ type: "check-online", username: "bob" }, "check-online", /not yours/));
    it("answers new-user for someone else", () => expectError({ type: "new-user", username: "bob" }, "new-user", /not yours/));
    it("answers a message_id that is not a number", () =>
      expectError({ type: "read_message", username: "bob", message_id: "x1" }, "read_message", /positive integer/));
    it("answers a message_id that does not exist", () =>
      expectError({ type: "read_message", username: "bob", message_id: 999 }, "read_message", /not a message you received/));

    it("accepts exactly 4096 characters (astral ones counted once)", async () => {
      const alice = await chat.join("alice");
      const bob = await chat.join("bob");
      const text = "😀".repeat(4096);
      alice.send({ type: "new-message", username: "bob", message: text });
      assert.equal((await bob.next("new-message")).message, text);
    });

    it("answers reading a message you sent, or one from someone else", async () => {
      const alice = await chat.join("alice");
      const bob = await chat.join("bob");
      await chat.login("carol");
      alice.send({ type: "new-message", username: "bob", message: "mine" });
      const { message_id } = await alice.next("new-message");
      alice.send({ type: "read_message", username: "bob", message_id });
      assert.equal((await alice.next("error")).for, "read_message");
      bob.send({ type: "read_message", username: "carol", message_id });
      assert.match((await bob.next("error")).message, /not a message you received/);
      assert.deepEqual(await alice.drain("opponent-read-message"), []);
    });

    it("closes a socket over the packet budget with 1008, after answering what came within it", async () => {
      const alice = await chat.join("alice");
      for (let i = 0; i < 60; i++) alice.send({ type: "check-online" });
      assert.deepEqual(await alice.closed, { code: 1008, reason: "Message rate exceeded" });
      const answers = await alice.drain("gone-online", 0);
      assert.equal(answers.length, 40, "the burst of 40 is answered, in full");
      const again = await chat.join("alice");
      again.send({ type: "check-online" });
      assert.equal((await again.next("gone-online")).type, "gone-online", "a new socket has a budget of its own");
    });
  });
});
