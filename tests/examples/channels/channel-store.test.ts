/**
 * The channels store's bounds: nothing it holds grows without limit.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ChannelStore, QuotaError, StoreFullError } from "../../../examples/channels/channel-store.js";

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
  it("keeps the newest history past the count bound", () => {
    const store = new ChannelStore({ historyPerChannel: 3 });
    const { channel_id } = store.createChannel("c", "");
    for (let n = 1; n <= 5; n++) store.remember(message(channel_id, n));
    assert.deepEqual(store.channel(channel_id)!.history.map((m) => m.content.text), ["3", "4", "5"]);
  });

  it("refuses groups past a service's quota, and ends only an account's own oldest session", async () => {
    const store = new ChannelStore({ groupsPerService: 2, sessionsPerAccount: 2 });
    const first = store.createGroup("s_1", ["a"]);
    store.createGroup("s_1", ["b"]);
    assert.throws(() => store.createGroup("s_1", ["c"]), QuotaError);
    assert.deepEqual(store.group(first)?.characters, ["a"]);
    const account = await store.signUp("tok", "password1", "user");
    const other = await store.signUp("other", "password1", "user");
    const theirs = store.accounts.openSession(other);
    const oldest = store.accounts.openSession(account);
    store.accounts.openSession(account);
    store.accounts.openSession(account);
    assert.equal(store.accountForToken(oldest.accessToken), undefined);
    assert.equal(store.accountForToken(theirs.accessToken)?.id, other.id);
  });

  it("refuses channels, agents and files past their bounds", () => {
    const store = new ChannelStore({ channels: 1, agentsPerService: 1, files: 5, fileBytes: 10 });
    store.createChannel("one", "");
    assert.throws(() => store.createChannel("two", ""), StoreFullError);
    store.createAgent("s_1", "bot");
    assert.throws(() => store.createAgent("s_1", "bot 2"), QuotaError);
    store.storeFile("u_1", "a", "text/plain", new Uint8Array(8));
    assert.throws(() => store.storeFile("u_2", "b", "text/plain", new Uint8Array(3)), StoreFullError);
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
