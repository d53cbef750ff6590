/**
 * Fair limits and the rules around the actions: roles from SPACE_API_KEYS,
 * a cap of spaces per key, idle spaces evicted, blocks and subscriptions
 * enforced by the server, restricted nooks, enabled chats, the rate limit.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";

import { parseApiKeys } from "../../../examples/space/roles.js";
import { SpaceServer } from "./helpers.js";

describe("examples/space limits and rules", { timeout: 60_000 }, () => {
  let space: SpaceServer;
  before(async () => {
    space = await SpaceServer.start({ tickHz: 50, maxSpacesPerKey: 2, maxSpaces: 6, idleSpaceMs: 150 });
  });
  after(async () => space.close());

  it("reads roles from SPACE_API_KEYS (a missing role is member) and refuses an unknown one", () => {
    assert.deepEqual(parseApiKeys("k1=Ada:owner, k2=Bob:builder,k3=Cy"), {
      k1: { name: "Ada", role: "owner" },
      k2: { name: "Bob", role: "builder" },
      k3: { name: "Cy", role: "member" },
    });
    assert.throws(() => parseApiKeys("k1=Ada:admin"), /role 'admin'; roles are guest, member, builder, owner/);
    assert.throws(() => parseApiKeys("k1"), /'k1' is not key=Name\[:role\]/);
  });

  it("tells a client its role in ready", async () => {
    const client = await space.connect();
    client.send({ init: { spaceId: "lim/Role", apiKey: "key-bob" } });
    assert.equal((await client.next("ready")).ready.role, "builder");
    client.close();
  });

  it("lets one key open only its share of spaces; others still can", async () => {
    const first = await space.join("key-dave", "lim/A");
    const second = await space.join("key-dave", "lim/B");
    const third = await space.connect();
    third.send({ init: { spaceId: "lim/C", apiKey: "key-dave" } });
    assert.match((await third.next("error")).error.message, /this key has 2 spaces open: at most 2/);
    assert.equal((await third.closed).code, 1013);
    const joinsExisting = await space.join("key-dave", "lim/A"); // joining is not opening
    const other = await space.join("key-carol", "lim/C");
    for (const c of [first, second, joinsExisting, other]) c.close();
  });

  it("evicts a space nobody has been in for idleSpaceMs, and an empty one when the server is full", async () => {
    const client = await space.join("key-carol", "lim/Idle");
    client.close();
    for (let i = 0; i < 50 && space.app.hub.spaces.has("lim/Idle"); i++) await sleep(20);
    assert.equal(space.app.hub.spaces.has("lim/Idle"), false);
    const small = await SpaceServer.start({ maxSpaces: 2 });
    try {
      (await small.join("key-alice", "full/A")).close();
      for (let i = 0; i < 50 && small.app.hub.spaces.get("full/A")?.connections.size !== 0; i++) await sleep(10);
      const b = await small.join("key-bob", "full/B");
      const c = await small.join("key-carol", "full/C"); // the server is full: the empty space makes room
      assert.deepEqual([...small.app.hub.spaces.keys()].sort(), ["full/B", "full/C"]);
      const d = await small.connect();
      d.send({ init: { spaceId: "full/D", apiKey: "key-dave" } });
      assert.match((await d.next("error")).error.message, /too many spaces on this server/);
      b.close();
      c.close();
    } finally {
      await small.close();
    }
  });

  it("keeps blocked players apart: no events between them, direct actions refused", async () => {
    const alice = await space.join("key-alice", "lim/Block");
    const bob = await space.join("key-bob", "lim/Block");
    await alice.next("playerJoins", (e) => e.playerJoins.id === bob.id);
    assert.equal((await alice.act({ block: { blockedUserId: bob.id, blocked: true } })).succeeded, true);
    await bob.next("playerBlocks", (e) => e.playerBlocks.blockedBy === alice.id);
    assert.match((await bob.act({ chat: { chatRecipient: alice.id, contents: "hey" } })).reason, /is blocked/);
    assert.match((await bob.act({ ring: { user: alice.id } })).reason, /is blocked/);
    await bob.act({ setTextStatus: { textStatus: "can you see me" } });
    assert.equal(await alice.sees("playerSetsTextStatus", (e) => e.playerSetsTextStatus.textStatus === "can you see me"), false);
    await alice.act({ setTextStatus: { textStatus: "nor me" } });
    assert.equal(await bob.sees("playerSetsTextStatus", (e) => e.playerSetsTextStatus.textStatus === "nor me"), false);
    await alice.act({ block: { blockedUserId: bob.id, blocked: false } });
    await bob.act({ setTextStatus: { textStatus: "back" } });
    await alice.next("playerSetsTextStatus", (e) => e.playerSetsTextStatus.textStatus === "back");
    alice.close();
    bob.close();
  });

  it("stops sending the events a client turned off", async () => {
    const alice = await space.join("key-alice", "lim/Subs");
    const bob = await space.join("key-bob", "lim/Subs");
    await alice.next("playerJoins", (e) => e.playerJoins.id === bob.id);
    assert.equal((await alice.act({ updateSubscriptions: { subscriptions: { playerMoves: false } } })).succeeded, true);
    assert.match((await alice.act({ updateSubscriptions: { subscriptions: { transactionStatus: false } } })).reason, /always sent/);
    await bob.act({ move: { dir: 2 } });
    await bob.act({ setTextStatus: { textStatus: "moved" } });
    await alice.next("playerSetsTextStatus", (e) => e.playerSetsTextStatus.textStatus === "moved");
    assert.equal(alice.events.some((e) => e.event === "playerMoves"), false);
    alice.close();
    bob.close();
  });

  it("keeps others out of a restricted nook until someone allowed lets them in", async () => {
    const alice = await space.join("key-alice", "lim/Nook");
    const dave = await space.join("key-dave", "lim/Nook");
    const nooks = { booth: { nookCoords: { coords: [{ x: 5, y: 5 }] }, name: "Booth", restricted: true, allowedUsers: { users: [alice.id] } } };
    assert.equal((await alice.act({ mapSetNooks: { mapId: "main", nooks } })).succeeded, true);
    assert.equal((await dave.act({ teleport: { x: 5, y: 4 } })).succeeded, true);
    assert.match((await dave.act({ move: { dir: 3 } })).reason, /nook 'Booth' is restricted/);
    await dave.act({ requestToJoinNook: { nookId: "booth", name: "Dave" } });
    await alice.act({ updateNookPermission: { playerId: dave.id, nookId: "booth", granted: true } });
    assert.equal((await dave.act({ move: { dir: 3 } })).succeeded, true);
    alice.close();
    dave.close();
  });

  it("refuses the chats a map has not enabled", async () => {
    const bob = await space.join("key-bob", "lim/Chats");
    await bob.act({ mapSetEnabledChats: { mapId: "main", enabledChats: ["GLOBAL_CHAT"] } });
    assert.match((await bob.act({ chat: { chatRecipient: "LOCAL_CHAT", contents: "hi" } })).reason, /LOCAL_CHAT is not enabled on this map/);
    assert.equal((await bob.act({ chat: { chatRecipient: "GLOBAL_CHAT", contents: "hi all" } })).succeeded, true);
    bob.close();
  });

  it("puts the new actions under the per-connection rate limit", async () => {
    const client = await space.join("key-carol", "lim/Rate");
    for (let i = 0; i < 60; i++) client.send({ setPronouns: { pronouns: `p${i}` } });
    await client.next("transactionStatus", (e) => e.transactionStatus.reason === "rate limited: too many actions");
    client.close();
  });
});
