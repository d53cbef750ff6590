/**
 * Every action of seed 002, driven through `GatherClient`'s generated
 * methods against a real server over real sockets: for each, a key with a
 * role below the one it needs is refused (naming that role), a key with the
 * role succeeds, and another player receives the event it causes. Then a
 * newcomer's first batch carries the state the actions left.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { ACTIONS } from "../../../examples/space/actions/index.js";
import { ROLES, type Role } from "../../../examples/space/roles.js";
import type { SpaceEvent } from "../../../examples/space/schema.js";
import { GatherActor, SpaceServer, type EventQueue, type RawClient } from "./helpers.js";
import { SEED_ACTIONS } from "./seed-actions.js";

const SPACE = "acts/Office";
const KEY_OF: Record<Role, string> = { owner: "key-alice", builder: "key-bob", member: "key-carol", guest: "key-dave" };

interface World {
  actors: Record<Role, GatherActor>;
  observer: RawClient;
  space: SpaceServer;
  /** Someone to kick or ban (key-fred). */
  victim?: RawClient;
}

/** One action's case: its arguments, and the event someone else gets. */
interface Case {
  /** camelCase, as GatherClient names it. */
  action: string;
  args: (w: World) => unknown[];
  /** The event another player receives. */
  event: string;
  match?: (fields: Record<string, any>, w: World) => boolean;
  /** Who receives it: the observer (default) or one of the actors. */
  receiver?: (w: World) => EventQueue;
  /** Runs before (the state the action needs). */
  setup?: (w: World) => Promise<void>;
  /** Runs after (undoes what would disturb the next cases). */
  teardown?: (w: World) => Promise<void>;
}

const encOf = (w: World, role: Role) => w.space.app.hub.spaces.get(SPACE)!.connections.get(w.actors[role].id)!.player.encId;
const mine = (role: Role) => (f: Record<string, any>, w: World) => f.encId === encOf(w, role);
const ok = async (actor: GatherActor, action: string, ...args: unknown[]) => {
  const status = await actor.act(action, ...args);
  assert.equal(status.reason, "", `${action}(${JSON.stringify(args)})`);
};
const near = (w: World, dx: number) => {
  const p = w.space.app.hub.spaces.get(SPACE)!.connections.get(w.observer.id)!.player;
  return [p.x + dx, p.y] as const;
};

/** A profile or presence setter: one value, seen by the observer in `event.field`. */
function setter(action: string, event: string, field: string, value: unknown, withTarget = true): Case {
  return { action, args: () => (withTarget ? [value, ""] : [value]), event, match: (f, w) => f.encId === encOf(w, "guest") && JSON.stringify(f[field]) === JSON.stringify(value) };
}

const CASES: Case[] = [
  { action: "clientHeartbeat", args: () => [], event: "serverHeartbeat", receiver: (w) => w.actors.guest },
  { action: "clientBackupHeartbeat", args: () => [], event: "serverHeartbeat", receiver: (w) => w.actors.guest },
  { action: "updateSubscriptions", args: () => [{ playerSetsSubtitle: false }, {}], event: "subscriptionsUpdated", receiver: (w) => w.actors.guest, match: (f) => !f.subscriptions.includes("playerSetsSubtitle") && f.subscriptions.includes("playerMoves") },
  { action: "move", args: () => [2, false, 7, ""], event: "playerMoves", match: (f, w) => mine("guest")(f, w) && f.direction === 2 && f.lastInputId === 7 },
  setter("setAffiliation", "playerSetsAffiliation", "affiliation", "upie"),
  { action: "setStatus", args: () => [true, ""], event: "playerSetsStatus", match: (f, w) => mine("guest")(f, w) && f.busy === true },
  { action: "spotlight", args: (w) => [w.observer.id, true], event: "playerSpotlights", match: (f, w) => f.encId === w.observer.encId && f.spotlighted && f.spotlightedBy === encOf(w, "member") },
  { action: "ring", args: (w) => [w.observer.id], event: "playerRings", match: (f, w) => f.id === w.actors.guest.id },
  {
    action: "ban",
    setup: async (w) => void (w.victim = await w.space.join("key-fred", SPACE)),
    args: (w) => [w.victim!.id, false],
    event: "spaceBansPlayer",
    match: (f, w) => f.id === w.victim!.id && f.banned && f.name === "Fred",
    teardown: async (w) => {
      assert.equal((await w.victim!.closed).code, 4403);
      const again = await w.space.connect();
      again.send({ init: { spaceId: SPACE, apiKey: "key-fred" } });
      assert.equal((await again.next("error")).error.code, 403);
      assert.equal((await again.closed).code, 4403, "the key stays out");
      await ok(w.actors.owner, "ban", w.victim!.id, true);
      await w.observer.next("spaceBansPlayer", (e) => e.spaceBansPlayer.id === w.victim!.id && !e.spaceBansPlayer.banned);
      (await w.space.join("key-fred", SPACE)).close(); // lifted: back in
    },
  },
  {
    action: "kick",
    setup: async (w) => void (w.victim = await w.space.join("key-fred", SPACE)),
    args: (w) => [w.victim!.id],
    event: "playerExits",
    match: (f, w) => f.id === w.victim!.id,
    teardown: async (w) => assert.equal((await w.victim!.closed).code, 4001),
  },
  { action: "setImpassable", args: () => ["", 3, 20, true], event: "mapSetCollisions", match: (f) => f.x === 3 && f.y === 20 && f.mask[0] === 1 },
  { action: "chat", args: () => ["LOCAL_CHAT", "hello map", [], "", "line-1", ""], event: "playerChats", match: (f) => f.contents === "hello map" && f.id === "line-1" },
  { action: "interact", setup: (w) => ok(w.actors.guest, "teleport", "", 5, 6), args: () => ["table-1", '{"lamp":"on"}'], event: "playerInteracts", match: (f) => f.objId === "table-1" && f.dataJson === '{"lamp":"on"}' },
  { action: "enterWhisper", setup: (w) => ok(w.actors.guest, "teleport", "", ...near(w, 1)), args: (w) => [w.observer.id, 0], event: "playerEntersWhisperV2", match: (f, w) => mine("guest")(f, w) && f.encIdTarget === w.observer.encId },
  { action: "leaveWhisper", args: () => [], event: "playerLeavesWhisper", match: mine("guest") },
  setter("setEmojiStatus", "playerSetsEmojiStatus", "emojiStatus", "🚀"),
  setter("activelySpeaking", "playerActivelySpeaks", "activelySpeaking", true, false),
  setter("setName", "playerSetsName", "name", "Dave D."),
  setter("setTextStatus", "playerSetsTextStatus", "textStatus", "testing every action"),
  { action: "teleport", args: () => ["", 5, 3, "", 1], event: "playerMoves", match: (f, w) => mine("guest")(f, w) && f.x === 5 && f.y === 3 && f.direction === 1 },
  { action: "exit", args: () => [], event: "playerExits", match: (f, w) => f.id === w.actors.guest.id },
  { action: "enter", args: () => [{ map: "", x: 4, y: 4, name: "Dave" }, "", ""], event: "playerJoins", match: (f, w) => f.id === w.actors.guest.id && f.x === 4 && f.y === 4 },
  setter("setWorkCondition", "playerSetsWorkCondition", "workCondition", true),
  { action: "respawn", args: () => [], event: "playerMoves", match: (f, w) => mine("guest")(f, w) && (f.y === 12 || f.spawnId !== undefined) },
  { action: "spawn", setup: (w) => ok(w.actors.builder, "mapSetSpawns", "", [{ x: 18, y: 12, spawnId: "" }, { x: 2, y: 2, spawnId: "door" }]), args: () => ["door"], event: "playerMoves", match: (f, w) => mine("guest")(f, w) && f.x === 2 && f.y === 2 },
  { action: "ghost", args: () => [1, ""], event: "playerGhosts", match: (f, w) => mine("guest")(f, w) && f.ghost === 1 },
  { action: "init", args: () => [SPACE, "", "key-dave"], event: "playerJoins" },
  setter("setOutfitString", "playerSetsOutfitString", "outfitString", '{"hat":"red"}'),
  { action: "shootConfetti", args: () => [""], event: "playerShootsConfetti", match: mine("guest") },
  setter("setEventStatus", "playerSetsEventStatus", "eventStatus", "in standup"),
  setter("setInConversation", "playerSetsInConversation", "inConversation", true),
  setter("setCurrentDesk", "playerSetsCurrentDesk", "currentDesk", "desk-7"),
  { action: "setCurrentArea", setup: (w) => ok(w.actors.builder, "mapSetAreas", "", { lounge: { category: "social", coords: [{ x1: 1, y1: 1, x2: 5, y2: 5 }] } }, false), args: () => ["lounge", ""], event: "playerSetsCurrentArea", match: (f, w) => mine("guest")(f, w) && f.currentArea === "lounge" },
  { action: "setImagePointer", args: () => ["table-1", 0.25, 0.75], event: "playerSetsImagePointer", match: (f, w) => mine("guest")(f, w) && f.objectId === "table-1" && f.x === 0.25 },
  setter("setGoKartId", "playerSetsGoKartId", "goKartId", "kart-3"),
  { action: "mapSetDimensions", args: () => ["main", 40, 25], event: "mapSetDimensions", match: (f) => f.mapId === "main" && f.width === 40 },
  { action: "mapSetCollisions", args: () => ["main", 2, 21, 2, 1, new Uint8Array([1, 0])], event: "mapSetCollisions", match: (f) => f.x === 2 && f.y === 21 && f.w === 2 },
  { action: "mapSetBackgroundImagePath", args: () => ["", "/static/bg.png"], event: "mapSetBackgroundImagePath", match: (f) => f.backgroundImagePath === "/static/bg.png" },
  { action: "mapSetForegroundImagePath", args: () => ["", "/static/fg.png", false], event: "mapSetForegroundImagePath", match: (f) => f.foregroundImagePath === "/static/fg.png" },
  { action: "mapSetSprites", args: () => ["", [1, 2, 3], false], event: "mapSetSprites", match: (f) => f.sprites.join() === "1,2,3" },
  { action: "mapSetSpawns", args: () => ["", [16, 18, 20, 22, 24].map((x) => ({ x, y: 12, spawnId: "" })).concat([{ x: 2, y: 2, spawnId: "door" }])], event: "mapSetSpawns", match: (f) => f.spawns.some((s: { spawnId: string }) => s.spawnId === "door") },
  { action: "mapSetSpaces", args: () => ["", [{ spaceId: "quiet", x: 3, y: 3, colored: true }]], event: "mapSetSpaces", match: (f) => f.spaces[0].spaceId === "quiet" },
  { action: "mapSetPortals", args: () => ["", [{ x: 3, y: 15, targetMap: "main", targetUrl: "", targetX: 10, targetY: 10 }]], event: "mapSetPortals", match: (f) => f.portals[0].targetX === 10 },
  { action: "mapSetAnnouncer", args: () => ["", [{ x: 1, y: 1 }]], event: "mapSetAnnouncer", match: (f) => f.announcer.length === 1 },
  { action: "mapSetAssets", args: () => ["", [{ x: 1, y: 1, src: "/static/rug.png", width: 2, height: 2, inFront: false }], false], event: "mapSetAssets", match: (f) => f.assets[0].src === "/static/rug.png" },
  { action: "mapSetObjects", args: () => ["", { 40: { id: "lamp-40", x: 10, y: 20, _name: "Lamp", color: "#fc0" } }, false], event: "mapSetObjects", match: (f) => f.objects[40]?.id === "lamp-40" },
  { action: "mapSetName", args: () => ["", "The Office", false], event: "mapSetName", match: (f) => f.name === "The Office" },
  { action: "mapSetMuteOnEntry", args: () => ["", true, false], event: "mapSetMuteOnEntry", match: (f) => f.muteOnEntry === true },
  { action: "mapSetUseDrawnBG", args: () => ["", true, false], event: "mapSetUseDrawnBG", match: (f) => f.useDrawnBG === true },
  { action: "mapSetWalls", args: () => ["", { "35:20": "brick" }, false], event: "mapSetWalls", match: (f) => f.walls["35:20"] === "brick" },
  { action: "mapSetFloors", args: () => ["", { "35:21": "wood" }, false], event: "mapSetFloors", match: (f) => f.floors["35:21"] === "wood" },
  { action: "mapSetAreas", args: () => ["", { kitchen: { category: "food", coords: [] } }, false], event: "mapSetAreas", match: (f) => "kitchen" in f.areas },
  { action: "mapAddObject", args: () => ["", { id: "poster", x: 12, y: 2, width: 2, height: 1, _name: "Poster", color: "#c33" }], event: "mapAddObject", match: (f) => f.object.id === "poster" && f.object.key > 0 },
  { action: "mapDeleteObject", args: () => ["", 40], event: "mapDeleteObject", match: (f) => f.key === 40 && f.id === "lamp-40" },
  { action: "mapSetSpawn", args: () => ["", { x: 3, y: 22 }, false], event: "mapSetSpawn", match: (f) => f.spawn.x === 3 && f.spawn.y === 22 },
  setter("setIsAlone", "playerSetsIsAlone", "isAlone", true),
  { action: "mapSetMiniMapImagePath", args: () => ["", "/static/mini.png", false], event: "mapSetMiniMapImagePath", match: (f) => f.miniMapImagePath === "/static/mini.png" },
  { action: "mapSetEnabledChats", args: () => ["", ["LOCAL_CHAT", "GLOBAL_CHAT", "NOOK_CHAT", "DM"], false], event: "mapSetEnabledChats", match: (f) => f.enabledChats.length === 4 },
  { action: "mapSetDescription", args: () => ["", "Where we work", false], event: "mapSetDescription", match: (f) => f.description === "Where we work" },
  { action: "mapSetDecoration", args: () => ["", "winter", false], event: "mapSetDecoration", match: (f) => f.decoration === "winter" },
  { action: "mapSetTutorialTasks", args: () => ["", { groupSetId: "intro", areas: [{ areaId: "desk", x: 1, y: 1, width: 2, height: 2 }], autoStart: true }, false], event: "mapSetTutorialTasks", match: (f) => f.tutorialTasks.groupSetId === "intro" },
  { action: "playSound", args: () => ["/static/ding.mp3", 0.5, ""], event: "spacePlaysSound", match: (f) => f.src === "/static/ding.mp3" },
  { action: "mapSetScript", args: () => ["", "on('enter', () => notify('hi'))", false], event: "mapSetScript", match: (f) => f.script.startsWith("on('enter'") },
  { action: "setIsMobile", args: () => [true], event: "playerSetsIsMobile", match: (f, w) => mine("guest")(f, w) && f.isMobile },
  { action: "setScreenPointer", setup: async (w) => void (await w.observer.act({ setAllowScreenPointer: { allowScreenPointer: true } })), args: (w) => [w.observer.id, 0.5, 0.5], event: "setScreenPointerServer", match: (f, w) => mine("guest")(f, w) && f.screenId === w.observer.id },
  { action: "setEmoteV2", args: () => ["🎉", "", 3], event: "playerSetsEmoteV2", match: (f, w) => mine("guest")(f, w) && f.emote === "🎉" && f.count === 3 },
  setter("setFocusModeEndTime", "playerSetsFocusModeEndTime", "focusModeEndTime", "2026-12-04T18:00:00Z"),
  { action: "mapDeleteObjectById", args: () => ["", "poster"], event: "mapDeleteObject", match: (f) => f.id === "poster" },
  { action: "customAction", args: (w) => ["poke", '{"n":1}', [w.observer.id], false], event: "customEvent", match: (f, w) => f.name === "poke" && f.senderId === w.actors.member.id },
  {
    action: "block",
    args: (w) => [w.observer.id, true],
    event: "playerBlocks",
    match: (f, w) => f.blockedBy === w.actors.guest.id && f.blocked,
    teardown: async (w) => {
      await ok(w.actors.guest, "setTextStatus", "hidden from the observer", "");
      assert.equal(await w.observer.sees("playerSetsTextStatus", (e) => e.playerSetsTextStatus.textStatus === "hidden from the observer", 300), false, "blocked: not seen");
      await ok(w.actors.guest, "block", w.observer.id, false);
    },
  },
  setter("setItemString", "playerSetsItemString", "itemString", "🍵"),
  { action: "triggerItem", setup: (w) => ok(w.actors.guest, "teleport", "", 5, 6), args: () => ["table-1", "", ""], event: "playerTriggersItem", match: (f) => f.closestObject === "table-1" && f.closestObjectTemplate === "table" },
  { action: "notify", args: () => ["standup in 5"], event: "playerNotifies", match: (f) => f.notification === "standup in 5" },
  { action: "setFollowTarget", setup: (w) => ok(w.actors.guest, "teleport", "", ...near(w, 1)), args: (w) => [w.observer.id, ""], event: "playerSetsFollowTarget", match: (f, w) => mine("guest")(f, w) && f.followTarget === w.observer.id },
  { action: "requestToLead", args: (w) => [w.observer.id, "come see"], event: "playerRequestsToLead", match: (f, w) => mine("guest")(f, w) && f.snapshot === "come see" },
  { action: "enterPortal", setup: (w) => ok(w.actors.guest, "teleport", "", 3, 15), args: () => ["", false, ""], event: "playerMoves", match: (f, w) => mine("guest")(f, w) && f.x === 10 && f.y === 10 },
  setter("setManualVideoSrc", "playerSetsManualVideoSrc", "manualVideoSrc", "https://example.com/clip.mp4"),
  setter("setSubtitle", "playerSetsSubtitle", "subtitle", "hello, captions"),
  { action: "playerUpdatesSession", args: () => [true, true, false, false, "room-1"], event: "playerUpdatesSession", match: (f, w) => mine("guest")(f, w) && f.roomId === "room-1" && f.chatChecked },
  { action: "mapMoveObject", args: () => ["", "plant-1", 14, 20, 0, 0, 800, "easeInOut"], event: "mapMoveObject", match: (f) => f.objectId === "plant-1" && f.targetX === 14 && f.duration === 800 },
  { action: "chatMessageUpdated", args: () => ["line-1"], event: "playerEditsChatMessage", match: (f) => f.id === "line-1" && f.likes === 1 },
  { action: "fxShakeObject", args: () => ["", "table-2", 2, 600, 0], event: "fxShakeObject", match: (f) => f.targetId === "table-2" && f.durationMs === 600 },
  { action: "fxShakeCamera", args: () => [1, 300, "", ""], event: "fxShakeCamera", match: (f) => f.mapId === "main" && f.intensity === 1 },
  { action: "registerCommand", args: () => ["dice"], event: "spaceRegistersCommand", match: (f) => f.command === "dice" },
  { action: "sendCommand", args: () => ["dice 2d6", ""], event: "playerSendsCommand", receiver: (w) => w.actors.member, match: (f, w) => mine("guest")(f, w) && f.command === "dice 2d6" },
  { action: "speakerUpdatesSession", args: () => ["talk-1", true, true, true, false, false], event: "speakerUpdatesSession", match: (f) => f.sessionId === "talk-1" && f.qaEnabled },
  {
    action: "updateSpaceItems",
    args: () => [{ apple: { name: "Apple", previewUrl: "/static/apple.png" }, pie: { name: "Pie", previewUrl: "", meta: { recipe: "apple:2" }, abilities: { eat: { name: "Eat" } } } }],
    event: "spaceUpdatesItems",
    match: (f) => f.items.pie?.meta.recipe === "apple:2",
  },
  { action: "addInventoryItem", args: (w) => ["apple", 3, w.actors.guest.id], event: "playerUpdatesInventory", match: (f, w) => mine("guest")(f, w) && f.items.apple?.count === 3 },
  { action: "removeInventoryItem", args: () => ["apple", 1, ""], event: "playerUpdatesInventory", match: (f, w) => mine("guest")(f, w) && f.items.apple?.count === 2 },
  { action: "setVehicleId", args: () => ["bike-1", "", "enter"], event: "playerSetsVehicleId", match: (f, w) => mine("guest")(f, w) && f.vehicleId === "bike-1" },
  setter("setSpeedModifier", "playerSetsSpeedModifier", "speedModifier", 1.5),
  { action: "highFive", setup: (w) => ok(w.actors.guest, "teleport", "", ...near(w, 1)), args: (w) => [w.observer.id, "🙌"], event: "playerHighFives", match: (f, w) => mine("guest")(f, w) && f.encIdTarget === w.observer.encId && f.emote === "🙌" },
  { action: "stopSound", args: () => ["/static/ding.mp3", ""], event: "spaceStopsSound", match: (f) => f.src === "/static/ding.mp3" },
  { action: "hipToBeSquare", args: () => ["spin"], event: "hipToBeSquare", match: (f, w) => mine("guest")(f, w) && f.data === "spin" },
  { action: "craft", args: () => [{ apple: 2 }], event: "playerCrafts", match: (f, w) => mine("guest")(f, w) && f.output === "pie" && f.inputs.apple === 2 },
  { action: "triggerInventoryItem", args: () => ["pie", "eat"], event: "playerTriggersInventoryItem", match: (f, w) => mine("guest")(f, w) && f.itemId === "pie" },
  setter("setAllowScreenPointer", "playerSetsAllowScreenPointer", "allowScreenPointer", true, false),
  { action: "precomputeEnter", args: () => [{ map: "main", x: 1, y: 0 }, ""], event: "precomputedEnterLocation", receiver: (w) => w.actors.guest, match: (f) => f.enterLocation.map === "main" && f.enterLocation.x === 1 && f.enterLocation.y === 1 },
  { action: "requestMute", args: (w) => [w.observer.id, true], event: "gotRequestMute", match: (f, w) => f.muterId === w.actors.member.id && f.video },
  setter("setDeskInfo", "playerSetsDeskInfo", "deskInfo", { deskId: "d-1", description: "by the window", locked: false, mapId: "main" }),
  { action: "mapSetNooks", args: (w) => ["", { booth: { nookCoords: { coords: [{ x: 33, y: 3 }] }, name: "Booth", restricted: true, allowedUsers: { users: [w.actors.member.id] } } }, false], event: "mapSetNooks", match: (f) => f.nooks.booth?.restricted === true },
  { action: "requestToJoinNook", args: () => ["booth", "", "Dave"], event: "mapSetNooks", match: (f, w) => w.actors.guest.id in (f.nooks.booth?.requestedUsers?.users ?? {}) },
  { action: "updateNookPermission", args: (w) => [w.actors.guest.id, "booth", true], event: "mapSetNooks", match: (f, w) => f.nooks.booth?.allowedUsers.users.includes(w.actors.guest.id) },
  { action: "wave", args: (w) => [w.observer.id, false], event: "playerWaves", match: (f, w) => mine("guest")(f, w) && f.targetId === w.observer.id },
  setter("setPronouns", "playerSetsPronouns", "pronouns", "they/them"),
  setter("setTitle", "playerSetsTitle", "title", "Engineer"),
  setter("setTimezone", "playerSetsTimezone", "timezone", "Europe/Paris"),
  setter("setPhone", "playerSetsPhone", "phone", "+33 1 23 45 67 89"),
  setter("setDescription", "playerSetsDescription", "description", "Writes tests."),
  setter("setProfileImageUrl", "playerSetsProfileImageUrl", "profileImageUrl", "https://example.com/me.png"),
  setter("setPersonalImageUrl", "playerSetsPersonalImageUrl", "personalImageUrl", "/static/me.png"),
  setter("setAway", "playerSetsAway", "away", true),
  setter("setCity", "playerSetsCity", "city", "Lyon"),
  setter("setCountry", "playerSetsCountry", "country", "France"),
  setter("setStartDate", "playerSetsStartDate", "startDate", "2024-09-02"),
  { action: "startRecording", args: () => ["booth", false], event: "playerStartsRecording", match: (f, w) => mine("member")(f, w) && f.nookId === "booth" },
];

describe("examples/space: every action, through GatherClient", { timeout: 90_000 }, () => {
  let w: World;

  before(async () => {
    const space = await SpaceServer.start({ tickHz: 50, heartbeatIntervalMs: 100, actionRate: { perSecond: 1000, burst: 1000 } });
    const observer = await space.join("key-erin", SPACE);
    const actors = {} as Record<Role, GatherActor>;
    for (const role of ROLES) actors[role] = await GatherActor.start(space, KEY_OF[role], SPACE);
    w = { actors, observer, space };
  });

  after(async () => {
    for (const actor of Object.values(w?.actors ?? {})) await actor.stop();
    await w?.space.close();
  });

  it("has one case per seed action, in the seed's order", () => {
    const camel = SEED_ACTIONS.map((n) => n.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()));
    assert.deepEqual(CASES.map((c) => c.action).sort(), [...camel].sort());
  });

  for (const c of CASES) {
    it(`${c.action}: ${ACTIONS[c.action]!.role} and above; the other player gets ${c.event}`, async () => {
      const role = ACTIONS[c.action]!.role;
      await c.setup?.(w);
      const below = ROLES[ROLES.indexOf(role) - 1];
      if (below !== undefined) {
        const refused = await w.actors[below].act(c.action, ...c.args(w));
        assert.deepEqual(refused, { ...refused, succeeded: false });
        assert.match(refused.reason, new RegExp(`^${c.action} needs the ${role} role or above; this key is ${below}$`));
      }
      const receiver = c.receiver?.(w) ?? w.observer;
      const status = await w.actors[role].act(c.action, ...c.args(w));
      if (c.action === "init") {
        // After the first frame a second init is refused; the first one is what others see: a join.
        assert.deepEqual([status.succeeded, status.reason], [false, "already initialised"]);
        const newcomer = await GatherActor.start(w.space, "key-dave", SPACE);
        await w.observer.next("playerJoins", (e) => e.playerJoins.id === newcomer.id, 3000);
        await newcomer.stop();
        return;
      }
      assert.deepEqual([status.succeeded, status.reason], [true, ""], c.action);
      const got = await receiver.next(c.event, (e: SpaceEvent) => c.match?.(e[c.event], w) ?? true, 3000);
      assert.ok(got, c.event);
      await c.teardown?.(w);
    });
  }

  it("gives a newcomer the state the actions left, as the events that set it", async () => {
    const newcomer = await w.space.join("key-carol", SPACE);
    await newcomer.next("playerJoins", (e) => e.playerJoins.id === newcomer.id);
    const kinds = new Set(newcomer.events.map((e) => e.event));
    for (const kind of [
      "mapSetName", "mapSetBackgroundImagePath", "mapSetWalls", "mapSetAreas", "mapSetPortals", "mapSetEnabledChats", "mapSetScript", "mapSetNooks",
      "spaceUpdatesItems", "spaceRegistersCommand", "speakerUpdatesSession", "playerSpotlights", "playerSetsPronouns", "playerSetsTimezone",
      "playerUpdatesInventory", "playerSetsVehicleId", "playerStartsRecording", "playerChats", "playerEditsChatMessage",
    ]) assert.ok(kinds.has(kind), `${kind} in the newcomer's first batch`);
    const guestJoin = newcomer.events.find((e) => e.event === "playerJoins" && e.playerJoins.id === w.actors.guest.id)!;
    assert.equal(guestJoin.playerJoins.away, true);
    const moved = newcomer.events.find((e) => e.event === "mapAddObject" && e.mapAddObject.object.id === "plant-1")!;
    assert.deepEqual([moved.mapAddObject.object.x, moved.mapAddObject.object.y], [14, 20], "the moved object where it went");
    newcomer.close();
  });
});
