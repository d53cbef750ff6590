/**
 * What one account can take from everyone else, bounded: history in bytes
 * (per channel and in all), a socket that does not read (its unread frames
 * in bytes, upie's maxSubscriberBackpressure), and per-account quotas that refuse the greedy account instead of
 * evicting another's channels, groups or files.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ChannelStore, QuotaError, StoreFullError } from "../../../examples/channels/channel-store.js";
import type { MessageBody } from "../../../examples/channels/protocol.js";
import { Platform, type Login, type Peer } from "./helpers.js";

const message = (channelId: string, n: number, pad = 0): MessageBody => ({
  message_id: `m${n}`,
  subtype: "text",
  channel_id: channelId,
  content: { text: String(n) },
  sender: "s",
  recipients: [],
  timestamp: n,
  context: pad > 0 ? { pad: "x".repeat(pad) } : {},
});

describe("history", () => {
  it("is bounded in bytes per channel, keeping the newest", () => {
    const store = new ChannelStore({ historyBytesPerChannel: 10_000 });
    const { channel_id } = store.createChannel("c", "");
    for (let n = 1; n <= 20; n++) store.remember(message(channel_id, n, 2_000));
    const channel = store.channel(channel_id)!;
    assert.ok(channel.historyBytes <= 10_000, `${channel.historyBytes}`);
    assert.equal(channel.history.at(-1)!.message_id, "m20");
    assert.ok(channel.history.length >= 3 && channel.history.length <= 5);
  });

  it("is bounded in bytes in all, trimming the biggest channel first", () => {
    const store = new ChannelStore({ historyBytesPerChannel: 50_000, historyBytes: 60_000 });
    const quiet = store.createChannel("quiet", "").channel_id;
    const loud = store.createChannel("loud", "").channel_id;
    for (let n = 1; n <= 5; n++) store.remember(message(quiet, n, 1_000));
    for (let n = 1; n <= 200; n++) store.remember(message(loud, n, 2_000));
    assert.ok(store.historyBytes <= 60_000, `${store.historyBytes}`);
    assert.equal(store.channel(quiet)!.history.length, 5); // the flood did not take the quiet channel's history
  });

  it("keeps a platform's memory in bounds under a flood of big message_downs", async () => {
    const platform = await Platform.start({ frameRate: false, storeLimits: { historyBytesPerChannel: 256 * 1024, historyBytes: 512 * 1024 } });
    try {
      const login = await platform.account("service");
      const service = await platform.service(login);
      const channels = [await platform.channel(login, "a"), await platform.channel(login, "b"), await platform.channel(login, "c")];
      const agent = (await platform.api("/api/agents/create", { token: login.token, body: { name: "bot" } })).body.character_id;
      const pad = "y".repeat(100 * 1024);
      let last = "";
      for (const channelId of channels) {
        for (let i = 0; i < 10; i++) {
          last = crypto.randomUUID();
          service.send({ type: "message_down", request_id: last, service_id: login.id, body: { subtype: "text", channel_id: channelId, content: { text: "x" }, recipients: [], sender: agent, context: { pad } } });
        }
      }
      assert.equal((await service.copy(last)).body.status, true);
      assert.ok(platform.app.store.historyBytes <= 512 * 1024, `${platform.app.store.historyBytes}`);
    } finally {
      await platform.close();
    }
  });
});

describe("a socket that does not read", () => {
  let platform: Platform;
  before(async () => {
    platform = await Platform.start({ frameRate: false, websocket: { maxPayloadLength: 128 * 1024, maxBackpressure: 128 * 1024, maxSubscriberBackpressure: 512 * 1024 } });
  });
  after(() => platform.close());

  it("is closed with 1013 once its unread frames pass maxSubscriberBackpressure; readers keep getting everything", async () => {
    const serviceLogin = await platform.account("service");
    const channelId = await platform.channel(serviceLogin);
    const service = await platform.service(serviceLogin);
    const agent = (await platform.api("/api/agents/create", { token: serviceLogin.token, body: { name: "bot" } })).body.character_id;
    const join = async (login: Login): Promise<Peer> => {
      const peer = await platform.user(login);
      await peer.request({ type: "action", body: { subtype: "join_channel", channel_id: channelId } });
      return peer;
    };
    const slowLogin = await platform.account("user");
    const fastLogin = await platform.account("user");
    const slow = await join(slowLogin);
    const fast = await join(fastLogin);
    let received = 0;
    slow.ws.on("message", (data) => (received += (data as Buffer).length));
    (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const pad = "z".repeat(100 * 1024);
    const frames = 120; // 12 MB: more than loopback's socket buffers take in
    for (let i = 0; i < frames; i++) {
      const copy = await service.request({ type: "message_down", service_id: serviceLogin.id, body: { subtype: "text", channel_id: channelId, content: { text: String(i) }, recipients: [slowLogin.id, fastLogin.id], sender: agent, context: { pad } } });
      assert.equal(copy.body.status, true);
      await fast.next("message_down");
    }
    assert.equal(platform.app.platform.userSockets(slowLogin.id), 0); // closed while it still was not reading
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    const closed = await slow.closed;
    assert.deepEqual(closed, { code: 1013, reason: "Peer too slow: unawaited sends piled up" });
    // What reached it is what the kernel's buffers took, plus maxSubscriberBackpressure: far from all 12 MB.
    assert.ok(received < (frames * 100 * 1024) / 2, `${received}`);
  });
});

describe("per-account quotas", () => {
  let platform: Platform;
  before(async () => {
    platform = await Platform.start({ storeLimits: { channelsPerAccount: 2, channels: 3, groupsPerService: 2, groups: 3, filesPerAccount: 2, fileBytesPerAccount: 1000 } });
  });
  after(() => platform.close());

  it("refuses an account past its channels, and never takes another's", async () => {
    const greedy = await platform.account("service");
    const other = await platform.account("service");
    await platform.channel(greedy, "one");
    await platform.channel(greedy, "two");
    const third = await platform.api("/api/channels/create", { token: greedy.token, body: { channel_name: "three" } });
    assert.equal(third.status, 403);
    assert.match(String(third.body), /quota/);
    assert.ok(await platform.channel(other, "theirs"));
  });

  it("refuses groups past the quota instead of dropping another service's", async () => {
    const greedy = await platform.account("service");
    const other = await platform.account("service");
    const theirs = (await platform.api("/api/groups/create", { token: other.token, body: { characters: [other.id] } })).body.group_id;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await platform.api("/api/groups/create", { token: greedy.token, body: { characters: [greedy.id] } })).status);
    assert.deepEqual(statuses, [201, 201, 403, 403]);
    assert.equal((await platform.api(`/api/groups/${theirs}`, { token: other.token })).status, 200);
    // The platform's groups are full (3): a third service is refused with 507, nothing is evicted.
    const third = await platform.account("service");
    assert.equal((await platform.api("/api/groups/create", { token: third.token, body: { characters: [third.id] } })).status, 507);
    assert.equal((await platform.api(`/api/groups/${theirs}`, { token: other.token })).status, 200);
  });

  it("refuses files past an account's count and bytes", async () => {
    const user = await platform.account("user");
    const upload = async (size: number) => {
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(size)], { type: "text/plain" }), "a.txt");
      return (await fetch(`${platform.base}/api/upload`, { method: "POST", body: form, headers: { authorization: `Bearer ${user.token}` } })).status;
    };
    assert.equal(await upload(2000), 403); // over its bytes
    assert.equal(await upload(100), 201);
    assert.equal(await upload(100), 201);
    assert.equal(await upload(100), 403); // over its count
  });

  it("has store errors for both kinds of refusal", () => {
    const store = new ChannelStore({ channelsPerAccount: 1, channels: 2 });
    store.createChannel("a", "", undefined, "u1");
    assert.throws(() => store.createChannel("b", "", undefined, "u1"), QuotaError);
    store.createChannel("c", "", undefined, "u2");
    assert.throws(() => store.createChannel("d", "", undefined, "u3"), StoreFullError);
  });
});
