/**
 * The channels store's bounds: nothing it holds grows without limit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ChannelStore, StoreFullError } from "../../../examples/channels/channel-store.js";

const message = (channelId: string, n: number) => ({
  message_id: `m${n}`,
  subtype: "text" as const,
  channel_id: channelId,
  content: { text: String(n) },
  sender: "s",
  recipients: [],
  timestamp: n,
  context: {},
});

describe("ChannelStore", () => {
  it("keeps the newest history past the bound", () => {
    const store = new ChannelStore({ historyPerChannel: 3 });
    const { channel_id } = store.createChannel("c", "");
    for (let n = 1; n <= 5; n++) store.remember(message(channel_id, n));
    assert.deepEqual(store.channel(channel_id)!.history.map((m) => m.content.text), ["3", "4", "5"]);
  });

  it("drops the oldest group and the oldest token past their bounds", async () => {
    const store = new ChannelStore({ groups: 2, tokens: 2 });
    const first = store.createGroup(["a"]);
    store.createGroup(["b"]);
    store.createGroup(["c"]);
    assert.equal(store.group(first), undefined);
    const account = await store.signUp("tok", "password1", "user");
    const oldest = store.issueToken(account);
    store.issueToken(account);
    store.issueToken(account);
    assert.equal(store.accountForToken(oldest), undefined);
  });

  it("refuses channels, agents and files past their bounds", () => {
    const store = new ChannelStore({ channels: 1, agentsPerService: 1, files: 5, fileBytes: 10 });
    store.createChannel("one", "");
    assert.throws(() => store.createChannel("two", ""), StoreFullError);
    store.createAgent("s_1", "bot");
    assert.throws(() => store.createAgent("s_1", "bot 2"), StoreFullError);
    store.storeFile("a", "text/plain", new Uint8Array(8));
    assert.throws(() => store.storeFile("b", "text/plain", new Uint8Array(3)), StoreFullError);
  });

  it("binds a channel to one service only", () => {
    const store = new ChannelStore();
    const { channel_id } = store.createChannel("c", "", "s_1");
    assert.throws(() => store.bind(channel_id, "s_2"), /another service/);
    store.unbind(channel_id, "s_1");
    store.bind(channel_id, "s_2");
    assert.deepEqual(store.boundChannels("s_2"), [channel_id]);
  });
});
