import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ChatConnection, ChatHub, EVERYONE_TOPIC, userTopic, type PacketSocket } from "../../../examples/private-chat/chat-hub.js";

/** A socket that records what it is sent; `stall` makes sends wait until released. */
function fakeSocket() {
  const sent: string[] = [];
  const closes: Array<[number | undefined, string | undefined]> = [];
  const topics: string[] = [];
  let release: (() => void) | undefined;
  let stalled = false;
  const socket: PacketSocket = {
    sendText: (text) => {
      sent.push(text);
      return stalled ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
    },
    close: async (code, reason) => void closes.push([code, reason]),
    subscribe: async (topic) => void topics.push(topic),
  };
  return {
    socket,
    sent,
    closes,
    topics,
    stall: () => (stalled = true),
    release: () => {
      stalled = false;
      release?.();
    },
  };
}

describe("examples/private-chat: ChatHub and ChatConnection", () => {
  it("reports a user's first and last socket", () => {
    const hub = new ChatHub();
    const tab1 = new ChatConnection(fakeSocket().socket, "alice", "k");
    const tab2 = new ChatConnection(fakeSocket().socket, "alice", "k");
    assert.equal(hub.add(tab1), true);
    assert.equal(hub.add(tab2), false);
    assert.equal(hub.isOnline("alice"), true);
    assert.equal(hub.remove(tab1), false);
    assert.equal(hub.remove(tab1), false, "removing twice is harmless");
    assert.equal(hub.remove(tab2), true);
    assert.equal(hub.isOnline("alice"), false);
  });

  it("subscribes a socket to its user's topic and to everyone's", () => {
    const s = fakeSocket();
    new ChatConnection(s.socket, "alice", "k").subscribe();
    assert.deepEqual(s.topics, [userTopic("alice"), EVERYONE_TOPIC]);
    assert.notEqual(userTopic("alice"), userTopic("bob"));
  });

  it("hands every packet to the socket at once, in order, without waiting for a drain", () => {
    const s = fakeSocket();
    const connection = new ChatConnection(s.socket, "alice", "k");
    s.stall();
    connection.send({ n: 1 });
    connection.send({ n: 2 });
    connection.sendRaw('{"n":3}');
    assert.deepEqual(s.sent, ['{"n":1}', '{"n":2}', '{"n":3}'], "upie orders and bounds unawaited sends");
  });

  it("closes only the sockets of the session that logs out", () => {
    const hub = new ChatHub();
    const mine = fakeSocket();
    const other = fakeSocket();
    hub.add(new ChatConnection(mine.socket, "alice", "session-1"));
    hub.add(new ChatConnection(other.socket, "alice", "session-2"));
    hub.closeSession("session-1", 4001, "logged out");
    assert.deepEqual(mine.closes, [[4001, "logged out"]]);
    assert.deepEqual(other.closes, []);
  });
});
