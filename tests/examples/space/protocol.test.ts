/**
 * The space protocol with raw protobuf frames over real sockets (`ws`):
 * the handshake, actions and the events they cause, and bad input.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { encodeAction } from "../../../examples/space/schema.js";
import { schema, SpaceServer, type RawClient } from "./helpers.js";

describe("examples/space protocol", { timeout: 60_000 }, () => {
  let space: SpaceServer;
  before(async () => {
    space = await SpaceServer.start({ heartbeatIntervalMs: 200 });
  });
  after(async () => space.close());

  /** Alice and Bob on one map of a fresh space. */
  async function pair(spaceId: string): Promise<[RawClient, RawClient]> {
    const alice = await space.join("key-alice", spaceId);
    const bob = await space.join("key-bob", spaceId);
    await alice.next("playerJoins", (e) => e.playerJoins.id === bob.id);
    return [alice, bob];
  }

  describe("handshake", () => {
    it("answers init with ready first, then the map and the players on it", async () => {
      const client = await space.connect();
      client.send({ init: { spaceId: "hs/One", apiKey: "key-alice" } });
      await client.next("playerJoins"); // the snapshot's last part: everything before it has arrived
      const ready = firstEvent(client).ready;
      assert.match(ready.id, /^[A-Za-z0-9_-]{12}$/);
      client.close();
    });

    it("sends the map's dimensions, collisions, objects and its own join", async () => {
      const client = await space.join("key-alice", "hs/Two");
      const dims = await client.next("mapSetDimensions");
      assert.deepEqual({ w: dims.mapSetDimensions.width, h: dims.mapSetDimensions.height }, { w: 40, h: 25 });
      const collisions = await client.next("mapSetCollisions");
      assert.equal(collisions.mapSetCollisions.mask.length, 40 * 25);
      assert.equal(collisions.mapSetCollisions.mask[0], 1, "the corner is a wall");
      await client.next("mapAddObject", (e) => e.mapAddObject.object.id === "table-1");
      const me = await client.next("playerJoins", (e) => e.playerJoins.id === client.id);
      assert.equal(me.playerJoins.name, "Alice");
      assert.equal(me.playerJoins.mapId, "main");
      client.close();
    });

    it("refuses a wrong API key with an error event and close code 4401", async () => {
      const client = await space.connect();
      client.send({ init: { spaceId: "hs/Three", apiKey: "nope" } });
      const error = await client.next("error");
      assert.equal(error.error.code, 401);
      assert.equal((await client.closed).code, 4401);
    });

    it("refuses an action before init with an error event and 1008", async () => {
      const client = await space.connect();
      const txnId = client.send({ move: { dir: 1 } });
      const status = await client.next("transactionStatus");
      assert.deepEqual([status.transactionStatus.txnId, status.transactionStatus.succeeded], [txnId, false]);
      assert.equal((await client.next("error")).error.code, 401);
      assert.equal((await client.closed).code, 1008);
    });

    it("takes a spaceId with a backslash, as Gather's clients send it, for the same space", async () => {
      const alice = await space.join("key-alice", "hs/Slash");
      const bob = await space.join("key-bob", "hs\\Slash");
      await alice.next("playerJoins", (e) => e.playerJoins.id === bob.id);
      alice.close();
      bob.close();
    });

    it("offers the gather-v2 subprotocol back when asked", async () => {
      const { default: WebSocket } = await import("ws");
      const ws = new WebSocket(space.wsUrl, "gather-v2");
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      assert.equal(ws.protocol, "gather-v2");
      ws.close();
    });
  });

  describe("bad input", () => {
    it("answers a frame that is not protobuf with an error event and keeps the connection", async () => {
      const client = await space.join("key-alice", "bad/One");
      client.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xff]));
      const error = await client.next("error");
      assert.equal(error.error.code, 400);
      assert.match(error.error.message, /not a ClientServerAction/);
      assert.equal((await client.act({ setTextStatus: { textStatus: "still here" } })).succeeded, true);
      client.close();
    });

    it("closes with 1003 on a text frame", async () => {
      const client = await space.join("key-alice", "bad/Two");
      client.sendRaw("{\"move\":1}");
      assert.equal((await client.closed).code, 1003);
    });

    it("closes with 1007 after ten malformed frames", async () => {
      const client = await space.join("key-alice", "bad/Three");
      for (let i = 0; i < 10; i++) client.sendRaw(Buffer.from([0x0a, 0xff]));
      assert.equal((await client.closed).code, 1007);
    });

    it("fails an action whose arguments are too big, before it runs", async () => {
      const client = await space.join("key-alice", "bad/Four");
      const status = await client.act({ customAction: { name: "big", payload: "", recipients: Array.from({ length: 1100 }, (_, i) => `p${i}`) } });
      assert.equal(status.succeeded, false);
      assert.match(status.reason, /customAction\.recipients has more than 1024 entries/);
      client.close();
    });

    it("fails a reused txnId", async () => {
      const client = await space.join("key-alice", "bad/Five");
      assert.equal((await client.act({ setAway: { away: true } }, 777)).succeeded, true);
      const again = await client.act({ setAway: { away: false } }, 777);
      assert.deepEqual(again, { txnId: 777, succeeded: false, reason: "txnId 777 reused" });
      client.close();
    });

    it("fails a frame without an action, and a second init", async () => {
      const client = await space.join("key-alice", "bad/Six");
      assert.equal((await client.act({})).reason, "no action in the frame");
      assert.equal((await client.act({ init: { spaceId: "x", apiKey: "key-alice" } })).reason, "already initialised");
      client.close();
    });

    it("fails arguments that are too long or act for someone else", async () => {
      const client = await space.join("key-alice", "bad/Seven");
      assert.match((await client.act({ setTextStatus: { textStatus: "x".repeat(65) } })).reason, /longer than 64/);
      assert.match((await client.act({ setName: { name: "Mallory", targetId: "someone-else" } })).reason, /only name yourself/);
      assert.match((await client.act({ chat: { chatRecipient: "nobody", contents: "hi" } })).reason, /no player 'nobody'/);
      client.close();
    });

    it("fails the actions over the rate and keeps the connection", async () => {
      const client = await space.join("key-alice", "bad/Limited");
      for (let i = 0; i < 60; i++) client.send({ clientHeartbeat: {} });
      const limited = await client.next("transactionStatus", (e) => e.transactionStatus.reason === "rate limited: too many actions");
      assert.equal(limited.transactionStatus.succeeded, false);
      await new Promise((resolve) => setTimeout(resolve, 200)); // 4 actions' worth of budget again
      assert.equal((await client.act({ setAway: { away: true } })).succeeded, true);
      client.close();
    });

    it("closes a flood (twice the rate, or far past the burst) with 1008", async () => {
      const client = await space.join("key-alice", "bad/Flood");
      for (let i = 0; i < 400; i++) client.send({ clientHeartbeat: {} });
      assert.deepEqual(await client.closed, { code: 1008, reason: "Message rate exceeded" });
    });
  });

  describe("players", () => {
    it("moves a player and shows it to everyone on the map, itself included", async () => {
      const [alice, bob] = await pair("players/Move");
      const start = (await alice.next("playerJoins", (e) => e.playerJoins.id === alice.id)).playerJoins;
      assert.equal((await alice.act({ move: { dir: 2 } })).succeeded, true); // up
      for (const viewer of [alice, bob]) {
        const move = await viewer.next("playerMoves", (e) => e.playerMoves.encId === alice.encId);
        assert.deepEqual([move.playerMoves.x, move.playerMoves.y, move.playerMoves.direction], [start.x, start.y - 1, 2]);
      }
      alice.close();
      assert.equal((await bob.next("playerExits", (e) => e.playerExits.id === alice.id)).playerExits.encId, alice.encId);
      bob.close();
    });

    it("refuses moves into walls and off the map", async () => {
      const client = await space.join("key-alice", "players/Walls");
      assert.equal((await client.act({ teleport: { x: 1, y: 1 } })).succeeded, true);
      assert.match((await client.act({ move: { dir: 0 } })).reason, /blocked/);
      assert.match((await client.act({ move: { dir: 9 } })).reason, /dir must be 0..4/);
      assert.match((await client.act({ teleport: { x: 0, y: 0 } })).reason, /blocked/);
      assert.match((await client.act({ teleport: { x: 99, y: 1 } })).reason, /off the map/);
      assert.equal((await client.act({ ghost: { ghost: 1 } })).succeeded, true); // ghosts walk through walls…
      assert.equal((await client.act({ move: { dir: 0 } })).succeeded, true);
      assert.match((await client.act({ move: { dir: 0 } })).reason, /off the map/); // …not off the map
      client.close();
    });

    it("exits, enters, respawns and teleports", async () => {
      const [alice, bob] = await pair("players/Enter");
      assert.equal((await alice.act({ exit: {} })).succeeded, true);
      await bob.next("playerExits", (e) => e.playerExits.id === alice.id);
      assert.match((await alice.act({ move: { dir: 1 } })).reason, /not in a map/);
      assert.match((await alice.act({ enter: { info: { map: "nowhere" } } })).reason, /no map 'nowhere'/);
      assert.equal((await alice.act({ enter: {} })).succeeded, true);
      await bob.next("playerJoins", (e) => e.playerJoins.id === alice.id);
      assert.match((await alice.act({ enter: {} })).reason, /already in a map/);
      assert.equal((await alice.act({ teleport: { x: 5, y: 3, direction: 1 } })).succeeded, true);
      const moved = await bob.next("playerMoves", (e) => e.playerMoves.encId === alice.encId && e.playerMoves.x === 5);
      assert.deepEqual([moved.playerMoves.y, moved.playerMoves.direction], [3, 1]);
      assert.equal((await alice.act({ respawn: {} })).succeeded, true);
      const respawned = await bob.next("playerMoves", (e) => e.playerMoves.encId === alice.encId && e.playerMoves.y === 12);
      assert.ok([16, 18, 20, 22, 24].includes(respawned.playerMoves.x));
      alice.close();
      bob.close();
    });

    it("teleports to another map: leaves the old one's events, gets the new map", async () => {
      const [alice, bob] = await pair("players/Maps");
      assert.equal((await alice.act({ mapSetDimensions: { mapId: "garden", width: 10, height: 8 } })).succeeded, true);
      assert.equal((await alice.act({ teleport: { mapId: "garden", x: 2, y: 2 } })).succeeded, true);
      await bob.next("playerExits", (e) => e.playerExits.id === alice.id);
      const dims = await alice.next("mapSetDimensions", (e) => e.mapSetDimensions.mapId === "garden");
      assert.equal(dims.mapSetDimensions.width, 10);
      await alice.next("playerJoins", (e) => e.playerJoins.id === alice.id && e.playerJoins.mapId === "garden");
      await bob.act({ setTextStatus: { textStatus: "in main" } });
      assert.equal(await alice.sees("playerSetsTextStatus", (e) => e.playerSetsTextStatus.encId === bob.encId), false);
      alice.close();
      bob.close();
    });

    it("sets name, text status, emoji status, away and ghost, seen by the others", async () => {
      const [alice, bob] = await pair("players/Status");
      await alice.act({ setName: { name: "Alice B." } });
      await alice.act({ setTextStatus: { textStatus: "writing tests" } });
      await alice.act({ setEmojiStatus: { emojiStatus: "😁" } });
      await alice.act({ setAway: { away: true } });
      await alice.act({ ghost: { ghost: 1 } });
      assert.equal((await bob.next("playerSetsName")).playerSetsName.name, "Alice B.");
      assert.equal((await bob.next("playerSetsTextStatus")).playerSetsTextStatus.textStatus, "writing tests");
      assert.equal((await bob.next("playerSetsEmojiStatus")).playerSetsEmojiStatus.emojiStatus, "😁");
      assert.equal((await bob.next("playerSetsAway")).playerSetsAway.away, true);
      assert.equal((await bob.next("playerGhosts")).playerGhosts.ghost, 1);
      const carol = await space.join("key-carol", "players/Status");
      const seen = await carol.next("playerJoins", (e) => e.playerJoins.id === alice.id);
      assert.deepEqual([seen.playerJoins.name, seen.playerJoins.textStatus, seen.playerJoins.emojiStatus, seen.playerJoins.away], ["Alice B.", "writing tests", "😁", true]);
      for (const c of [alice, bob, carol]) c.close();
    });

    it("waves, shoots confetti, emotes, plays sounds and notifies", async () => {
      const [alice, bob] = await pair("players/Social");
      await alice.act({ wave: { user: bob.id } });
      await alice.act({ shootConfetti: {} });
      await alice.act({ setEmoteV2: { emote: "🎉", count: 3 } });
      await alice.act({ playSound: { src: "/static/ding.mp3", volume: 0.5, targetId: bob.id } });
      await alice.act({ notify: { notification: "standup in 5" } });
      assert.equal((await bob.next("playerWaves")).playerWaves.targetId, bob.id);
      assert.equal((await bob.next("playerShootsConfetti")).playerShootsConfetti.encId, alice.encId);
      assert.deepEqual({ ...(await bob.next("playerSetsEmoteV2")).playerSetsEmoteV2 }, { encId: alice.encId, emote: "🎉", count: 3 });
      assert.equal((await bob.next("spacePlaysSound")).spacePlaysSound.src, "/static/ding.mp3");
      assert.equal((await bob.next("playerNotifies")).playerNotifies.notification, "standup in 5");
      assert.match((await alice.act({ playSound: { src: "javascript:alert(1)", volume: 1 } })).reason, /http\(s\) URL or a path/);
      alice.close();
      bob.close();
    });

    it("sends custom actions to the named recipients only", async () => {
      const [alice, bob] = await pair("players/Custom");
      const carol = await space.join("key-carol", "players/Custom");
      assert.equal((await alice.act({ customAction: { name: "poke", payload: "{\"n\":1}", recipients: [bob.id] } })).succeeded, true);
      const got = await bob.next("customEvent");
      assert.deepEqual({ ...got.customEvent }, { name: "poke", payload: "{\"n\":1}", senderId: alice.id });
      assert.equal(await carol.sees("customEvent", () => true), false);
      for (const c of [alice, bob, carol]) c.close();
    });
  });

  describe("chat", () => {
    it("sends map chat to everyone on the map and a whisper to its two ends only", async () => {
      const [alice, bob] = await pair("chat/One");
      const carol = await space.join("key-carol", "chat/One");
      await alice.act({ chat: { chatRecipient: "LOCAL_CHAT", contents: "hello all" } });
      for (const c of [alice, bob, carol]) {
        const chat = await c.next("playerChats", (e) => e.playerChats.contents === "hello all");
        assert.deepEqual([chat.playerChats.senderId, chat.playerChats.senderName, chat.playerChats.recipient], [alice.id, "Alice", "LOCAL_CHAT"]);
      }
      await alice.act({ chat: { chatRecipient: bob.id, contents: "psst" } });
      assert.equal((await bob.next("playerChats", (e) => e.playerChats.contents === "psst")).playerChats.messageType, "DM");
      await alice.next("playerChats", (e) => e.playerChats.contents === "psst");
      assert.equal(await carol.sees("playerChats", (e) => e.playerChats.contents === "psst"), false);
      assert.match((await alice.act({ chat: { chatRecipient: "LOCAL_CHAT", contents: "   " } })).reason, /must not be empty/);
      for (const c of [alice, bob, carol]) c.close();
    });
  });

  describe("the map", () => {
    it("edits collisions and impassable tiles, and moves obey them", async () => {
      const [alice, bob] = await pair("map/Edit");
      await alice.act({ teleport: { x: 5, y: 10 } });
      const wall = await alice.act({ mapSetCollisions: { x: 6, y: 10, w: 1, h: 1, mask: new Uint8Array([1]) } });
      assert.equal(wall.succeeded, true);
      const seen = await bob.next("mapSetCollisions", (e) => e.mapSetCollisions.x === 6);
      assert.deepEqual([...seen.mapSetCollisions.mask], [1]);
      assert.match((await alice.act({ move: { dir: 1 } })).reason, /blocked/);
      await alice.act({ setImpassable: { x: 6, y: 10, impassable: false } });
      assert.equal((await alice.act({ move: { dir: 1 } })).succeeded, true);
      assert.match((await alice.act({ mapSetCollisions: { x: 0, y: 0, w: 2, h: 2, mask: new Uint8Array([1]) } })).reason, /mask must have w\*h = 4 bytes/);
      assert.match((await alice.act({ mapSetCollisions: { x: 39, y: 0, w: 2, h: 1, mask: new Uint8Array([1, 1]) } })).reason, /not inside the map/);
      alice.close();
      bob.close();
    });

    it("adds and deletes objects", async () => {
      const [alice, bob] = await pair("map/Objects");
      const object = { id: "lamp", x: 3, y: 3, width: 1, height: 1, templateId: "lamp", color: "#ff0", _name: "Lamp" };
      assert.equal((await alice.act({ mapAddObject: { mapId: "main", object } })).succeeded, true);
      const added = (await bob.next("mapAddObject", (e) => e.mapAddObject.object.id === "lamp")).mapAddObject.object;
      assert.deepEqual([added.id, added.x, added.y, added.templateId, added.color, added._name], ["lamp", 3, 3, "lamp", "#ff0", "Lamp"]);
      assert.ok(added.key > 0, "objects get a key for the keyed actions");
      assert.equal((await alice.act({ mapDeleteObjectById: { mapId: "main", id: "lamp" } })).succeeded, true);
      assert.equal((await bob.next("mapDeleteObject")).mapDeleteObject.id, "lamp");
      assert.match((await alice.act({ mapDeleteObjectById: { mapId: "main", id: "lamp" } })).reason, /no object 'lamp'/);
      alice.close();
      bob.close();
    });

    it("resizes a map and brings players left outside back to a spawn point", async () => {
      const [alice, bob] = await pair("map/Resize");
      await alice.act({ teleport: { x: 35, y: 20 } });
      assert.equal((await bob.act({ mapSetDimensions: { mapId: "main", width: 30, height: 20 } })).succeeded, true);
      const back = await bob.next("playerMoves", (e) => e.playerMoves.encId === alice.encId && e.playerMoves.y === 12);
      assert.ok(back.playerMoves.x < 30);
      assert.match((await bob.act({ mapSetDimensions: { mapId: "main", width: 0, height: 20 } })).reason, /1\.\.256/);
      alice.close();
      bob.close();
    });
  });

  describe("heartbeats and batches", () => {
    it("sends server heartbeats with the last round trip", async () => {
      const client = await space.join("key-alice", "hb/One");
      await client.next("serverHeartbeat");
      assert.equal((await client.act({ clientHeartbeat: {} })).succeeded, true);
      assert.equal((await client.act({ clientBackupHeartbeat: {} })).succeeded, true);
      const beat = await client.next("serverHeartbeat", (e) => e.serverHeartbeat.lastRTT > 0, 3000);
      assert.ok(beat.serverHeartbeat.lastRTT < 3000);
      client.close();
    });

    it("delivers one batch per tick: a map's events in one frame, a player's own answers in another", async () => {
      const slow = await SpaceServer.start({ tickHz: 0.01 }); // ticks only when the test says
      const ticking = setInterval(() => slow.app.hub.tick(), 10);
      try {
        const alice = await slow.join("key-alice", "batch/One");
        const bob = await slow.join("key-bob", "batch/One");
        await alice.next("playerJoins", (e) => e.playerJoins.id === bob.id);
        await bob.next("playerJoins", (e) => e.playerJoins.id === bob.id);
        clearInterval(ticking);
        await new Promise((resolve) => setTimeout(resolve, 50));
        let frames = 0;
        bob.ws.on("message", () => frames++);
        const before = slow.app.hub.stats.actions;
        alice.send({ setTextStatus: { textStatus: "a" } });
        alice.send({ setEmojiStatus: { emojiStatus: "🙂" } });
        alice.send({ move: { dir: 2 } });
        bob.send({ setTextStatus: { textStatus: "b" } });
        bob.send({ setAway: { away: true } });
        for (let i = 0; i < 200 && slow.app.hub.stats.actions < before + 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        bob.events.length = 0;
        slow.app.hub.tick();
        await bob.next("playerSetsAway");
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(frames, 2, "bob's own batch (his two statuses) and the map's batch");
        const kinds = bob.events.map((e) => e.event).sort();
        assert.deepEqual(kinds, ["playerMoves", "playerSetsEmojiStatus", "playerSetsTextStatus", "playerSetsTextStatus", "transactionStatus", "transactionStatus"].sort());
      } finally {
        clearInterval(ticking);
        await slow.close();
      }
    });
  });

  it("encodes every event it sends with the schema (sanity of encodeAction)", () => {
    assert.throws(() => encodeAction(schema, { txnId: 1, move: { dir: "up" } }), /bad action/);
  });
});

/** The first event the client received, which must be ready. */
function firstEvent(client: RawClient) {
  const first = client.events[0]!;
  assert.equal(first.event, "ready", `the first event is ready, got ${first.event}`);
  return first;
}
