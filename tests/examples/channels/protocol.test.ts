/**
 * The channels WebSocket with raw JSON frames over real sockets: logins,
 * routing between users and the bound service, recipients, and every kind
 * of bad input getting a clear `copy` or close code.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { Platform, type Login, type Peer } from "./helpers.js";

let platform: Platform;
before(async () => {
  platform = await Platform.start();
});
after(() => platform.close());

/** A service with a channel, and two users who joined it. */
async function channelWithTwoUsers() {
  const serviceLogin = await platform.account("service");
  const channelId = await platform.channel(serviceLogin);
  const service = await platform.service(serviceLogin);
  const aliceLogin = await platform.account("user", "alice");
  const bobLogin = await platform.account("user", "bob");
  const alice = await platform.user(aliceLogin);
  const bob = await platform.user(bobLogin);
  for (const [peer, login] of [[alice, aliceLogin], [bob, bobLogin]] as [Peer, Login][]) {
    const copy = await peer.request({ type: "action", user_id: login.id, body: { subtype: "join_channel", channel_id: channelId, context: {} } });
    assert.equal(copy.body.status, true);
    const join = await service.next("action");
    assert.equal(join.body.subtype, "join");
    assert.equal(join.body.sender, login.id);
  }
  return { serviceLogin, channelId, service, aliceLogin, bobLogin, alice, bob };
}

describe("login", () => {
  it("refuses any frame before a login with a copy saying so", async () => {
    const peer = await platform.connect();
    const copy = await peer.request({ type: "heartbeat", body: {} });
    assert.equal(copy.body.status, false);
    assert.match(copy.body.context.error, /log in first/);
    assert.equal(copy.body.origin_type, "heartbeat");
  });

  it("refuses a wrong token, and closes with 4003 after five failures", async () => {
    const peer = await platform.connect();
    for (let i = 0; i < 5; i++) {
      const copy = await peer.request({ type: "user_login", access_token: "forged" });
      assert.equal(copy.body.status, false);
      assert.match(copy.body.context.error, /invalid access token/);
    }
    assert.equal((await peer.closed).code, 4003);
  });

  it("refuses a service that names another service's id", async () => {
    const mine = await platform.account("service");
    const theirs = await platform.account("service");
    const peer = await platform.connect();
    const copy = await peer.request({ type: "service_login", access_token: mine.token, service_id: theirs.id });
    assert.equal(copy.body.status, false);
    assert.match(copy.body.context.error, /service_id does not belong/);
  });

  it("refuses a user token as a service login", async () => {
    const user = await platform.account("user");
    const peer = await platform.connect();
    const copy = await peer.request({ type: "service_login", access_token: user.token, service_id: user.id });
    assert.equal(copy.body.status, false);
  });

  it("acknowledges a heartbeat after login", async () => {
    const peer = await platform.user(await platform.account());
    const copy = await peer.request({ type: "heartbeat", body: {} });
    assert.equal(copy.body.status, true);
  });

  it("replaces an older connection of the same service with close code 4000", async () => {
    const login = await platform.account("service");
    const first = await platform.service(login);
    await platform.service(login);
    assert.equal((await first.closed).code, 4000);
  });
});

describe("bad input", () => {
  it("answers malformed JSON, a non-object and an unknown type with a copy, and stays up", async () => {
    const peer = await platform.user(await platform.account());
    peer.sendRaw("{not json");
    assert.match((await peer.next("copy")).body.context.error, /malformed JSON/);
    peer.sendRaw("[1,2]");
    assert.match((await peer.next("copy")).body.context.error, /must be an object/);
    const copy = await peer.request({ type: "teleport", body: {} });
    assert.match(copy.body.context.error, /unknown type "teleport"/);
    assert.equal((await peer.request({ type: "heartbeat" })).body.status, true);
  });

  it("refuses a message to a channel the user has not joined", async () => {
    const { channelId } = await channelWithTwoUsers();
    const outsider = await platform.user(await platform.account());
    const copy = await outsider.request({ type: "message_up", body: { subtype: "text", channel_id: channelId, content: { text: "hi" }, recipients: "service" } });
    assert.equal(copy.body.status, false);
    assert.match(copy.body.context.error, /not a member/);
  });

  it("refuses a message_down to a channel bound to another service", async () => {
    const { channelId } = await channelWithTwoUsers();
    const intruderLogin = await platform.account("service");
    const intruder = await platform.service(intruderLogin);
    const copy = await intruder.request({ type: "message_down", service_id: intruderLogin.id, body: { subtype: "text", channel_id: channelId, content: { text: "boo" }, recipients: [], sender: intruderLogin.id } });
    assert.equal(copy.body.status, false);
    assert.match(copy.body.context.error, /not bound to this service/);
  });

  it("refuses a user sending message_down, bad field types and unknown subtypes", async () => {
    const { alice, channelId } = await channelWithTwoUsers();
    assert.match((await alice.request({ type: "message_down", body: { channel_id: channelId } })).body.context.error, /for services/);
    assert.match((await alice.request({ type: "message_up", body: { channel_id: 7 } })).body.context.error, /channel_id must be an id/);
    assert.match((await alice.request({ type: "message_up", body: { channel_id: channelId, subtype: "hologram", content: {} } })).body.context.error, /unknown message subtype/);
    assert.match((await alice.request({ type: "action", body: { subtype: "dance", channel_id: channelId } })).body.context.error, /unknown action subtype/);
  });

  it("closes a socket over its frame budget with 1008, after answering the frames within it", async () => {
    const limited = await Platform.start({ frameRate: { perSecond: 5, burst: 3 } });
    try {
      const peer = await limited.user(await limited.account()); // the login takes one frame
      for (const id of ["a", "b", "c", "d"]) peer.send({ type: "heartbeat", request_id: id, body: {} });
      const copies = [await peer.copy("a"), await peer.copy("b")];
      assert.deepEqual(copies.map((c) => c.body.status), [true, true]);
      assert.deepEqual(await peer.closed, { code: 1008, reason: "Message rate exceeded" });
      assert.deepEqual(await peer.drain((f) => f.type === "copy" && (f.request_id === "c" || f.request_id === "d")), [], "nothing past the budget is answered");
      const again = await limited.user(await limited.account());
      assert.equal((await again.request({ type: "heartbeat" })).body.status, true, "each socket has a budget of its own");
    } finally {
      await limited.close();
    }
  });

  it("has no per-socket budget with frameRate: false", async () => {
    const unlimited = await Platform.start({ frameRate: false });
    try {
      const peer = await unlimited.user(await unlimited.account());
      for (let i = 0; i < 1000; i++) peer.send({ type: "heartbeat", request_id: `h${i}`, body: {} });
      const copies = await Promise.all([0, 499, 999].map((i) => peer.copy(`h${i}`)));
      assert.deepEqual(copies.map((c) => c.body.status), [true, true, true]);
      assert.deepEqual(await peer.drain((f) => f.type === "copy" && f.body.status === false), []);
    } finally {
      await unlimited.close();
    }
  });

  it("drops a connection that sends a frame over the payload limit and keeps serving others", async () => {
    const peer = await platform.user(await platform.account());
    peer.sendRaw(JSON.stringify({ type: "heartbeat", body: { pad: "x".repeat(200 * 1024) } }));
    // uWS cuts the socket (the handler sees 1009); the peer sees 1009 or an abrupt 1006.
    assert.ok([1006, 1009].includes((await peer.closed).code));
    const other = await platform.user(await platform.account());
    assert.equal((await other.request({ type: "heartbeat" })).body.status, true);
  });
});

describe("routing", () => {
  it("delivers message_up to the service and message_down to a group, and keeps history", async () => {
    const { serviceLogin, channelId, service, alice, bob, aliceLogin, bobLogin } = await channelWithTwoUsers();
    const up = await alice.request({ type: "message_up", body: { subtype: "text", channel_id: channelId, content: { text: "hello <b>" }, recipients: "service", context: {} } });
    assert.equal(up.body.status, true);
    const received = await service.next("message_up");
    assert.equal(received.body.sender, aliceLogin.id);
    assert.equal(received.body.content.text, "hello <b>");
    assert.equal(received.user_id, aliceLogin.id);

    const agent = await platform.api("/api/agents/create", { token: serviceLogin.token, body: { name: "Bot" } });
    assert.equal(agent.status, 201);
    const group = await platform.api("/api/groups/create", { token: serviceLogin.token, body: { characters: [aliceLogin.id, bobLogin.id] } });
    const down = await service.request({
      type: "message_down",
      service_id: serviceLogin.id,
      body: { subtype: "text", channel_id: channelId, content: { text: "hi all" }, recipients: group.body.group_id, sender: agent.body.character_id },
    });
    assert.equal(down.body.status, true);
    for (const peer of [alice, bob]) {
      const message = await peer.next("message_down");
      assert.equal(message.body.content.text, "hi all");
      assert.equal(message.body.sender, agent.body.character_id);
    }
    const history = await platform.api(`/api/channels/${channelId}/history`, { token: bobLogin.token });
    assert.deepEqual(history.body.messages.map((m: any) => m.content.text), ["hi all"]); // bob never sees alice's message_up
    const serviceHistory = await platform.api(`/api/channels/${channelId}/history`, { token: serviceLogin.token });
    assert.deepEqual(serviceHistory.body.messages.map((m: any) => m.content.text), ["hello <b>", "hi all"]);
  });

  it("sends an update to the listed recipients only, so two members can see different buttons", async () => {
    const { serviceLogin, channelId, service, alice, bob, aliceLogin, bobLogin } = await channelWithTwoUsers();
    const send = (recipients: string[], buttons: object[]) =>
      service.request({ type: "update", service_id: serviceLogin.id, body: { subtype: "buttons", channel_id: channelId, content: buttons, recipients } });
    assert.equal((await send([aliceLogin.id], [{ button_id: "a", button_text: "Admin" }])).body.status, true);
    assert.equal((await send([bobLogin.id], [{ button_id: "b", button_text: "Guest" }])).body.status, true);
    assert.equal((await alice.next("update")).body.content[0].button_text, "Admin");
    assert.equal((await bob.next("update")).body.content[0].button_text, "Guest");
    assert.deepEqual(await alice.drain((f) => f.type === "update"), []);
  });

  it("resolves a characters update to Character objects, agents included", async () => {
    const { serviceLogin, channelId, service, alice, aliceLogin } = await channelWithTwoUsers();
    const agent = await platform.api("/api/agents/create", { token: serviceLogin.token, body: { name: "Helper", description: "a bot" } });
    const copy = await service.request({
      type: "update",
      service_id: serviceLogin.id,
      body: { subtype: "characters", channel_id: channelId, content: { characters: [aliceLogin.id, agent.body.character_id] }, recipients: [aliceLogin.id] },
    });
    assert.equal(copy.body.status, true);
    const update = await alice.next("update");
    assert.deepEqual(update.body.content.character_list.map((c: any) => c.name), [aliceLogin.username, "Helper"]);
  });

  it("forwards button_click and menu_item_click with their arguments to the service", async () => {
    const { channelId, service, alice, aliceLogin } = await channelWithTwoUsers();
    await alice.request({
      type: "action",
      body: { subtype: "button_click", channel_id: channelId, button_id: "survey", bottom_button_id: "ok", arguments: [{ label: "Name", value: "Ada" }] },
    });
    const click = await service.next("action");
    assert.equal(click.body.subtype, "button_click");
    assert.equal(click.body.sender, aliceLogin.id);
    assert.deepEqual(click.body.arguments, [{ label: "Name", value: "Ada" }]);
    await alice.request({
      type: "action",
      body: { subtype: "menu_item_click", channel_id: channelId, menu_item_id: "quote", message_id: "m1", message_subtype: "text", message_content: { text: "hey" } },
    });
    const menu = await service.next("action");
    assert.equal(menu.body.menu_item_id, "quote");
    assert.equal(menu.body.message_content.text, "hey");
  });

  it("tells the service about leave and refresh", async () => {
    const { channelId, service, bob, bobLogin } = await channelWithTwoUsers();
    await bob.request({ type: "action", body: { subtype: "refresh", channel_id: channelId } });
    assert.equal((await service.next("action")).body.subtype, "refresh");
    await bob.request({ type: "action", body: { subtype: "leave_channel", channel_id: channelId } });
    const leave = await service.next("action");
    assert.equal(leave.body.subtype, "leave");
    assert.equal(leave.body.sender, bobLogin.id);
  });

  it("forwards a member's second join_channel (a reload, a reconnect) as a refresh, not a join", async () => {
    const { channelId, service, alice, aliceLogin } = await channelWithTwoUsers();
    const copy = await alice.request({ type: "action", body: { subtype: "join_channel", channel_id: channelId } });
    assert.equal(copy.body.status, true);
    const again = await service.next("action");
    assert.equal(again.body.subtype, "refresh");
    assert.equal(again.body.sender, aliceLogin.id);
  });

  it("updates channel_info for every member", async () => {
    const { serviceLogin, channelId, service, alice } = await channelWithTwoUsers();
    const copy = await service.request({ type: "update", subtype: "channel_info", channel_id: channelId, service_id: serviceLogin.id, body: { channel_id: channelId, channel_name: "Renamed", channel_description: "new" } });
    assert.equal(copy.body.status, true);
    const update = await alice.next("update");
    assert.equal(update.subtype, "channel_info");
    assert.equal(update.body.channel_name, "Renamed");
  });

  it("leaves users connected and told when the service goes away, and tells them when it is back", async () => {
    const { serviceLogin, channelId, service, alice } = await channelWithTwoUsers();
    service.ws.terminate();
    const offline = await alice.next((f) => f.type === "update" && f.body.subtype === "service_status");
    assert.deepEqual(offline.body.content, { online: false });
    const up = await alice.request({ type: "message_up", body: { subtype: "text", channel_id: channelId, content: { text: "anyone?" }, recipients: "service" } });
    assert.match(up.body.context.error, /service is offline/);
    await platform.service(serviceLogin);
    const online = await alice.next((f) => f.type === "update" && f.body.subtype === "service_status");
    assert.deepEqual(online.body.content, { online: true });
    assert.equal((await alice.request({ type: "heartbeat" })).body.status, true);
  });
});
