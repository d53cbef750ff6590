/**
 * What each implemented action does: a table from the action's name (the
 * field of `ClientServerAction.action`) to a handler that checks its
 * arguments, changes the space and queues the events. Names missing from
 * the table are in the schema but not implemented: they fail.
 *
 * @module
 */
import { randomUUID } from "node:crypto";

import { MAX_MAP_SIDE, MAX_OBJECTS, SpaceMap } from "./space-map.js";
import { fail, MAX_MAPS, moveEvent, OK, type ActionResult, type Space } from "./space.js";
import type { SpaceConnection } from "./space-connection.js";

type Args = Record<string, any>;
type Handler = (space: Space, connection: SpaceConnection, args: Args) => ActionResult;

/** Direction numbers of `move`: Left, Right, Up, Down, Dance. */
export const DIRECTIONS = { Left: 0, Right: 1, Up: 2, Down: 3, Dance: 4 } as const;
const STEP: Record<number, [number, number]> = { 0: [-1, 0], 1: [1, 0], 2: [0, -1], 3: [0, 1] };

/** Longest accepted strings, in UTF-16 units. */
const LIMITS = { name: 32, textStatus: 64, emojiStatus: 16, chat: 500, id: 64, sound: 256, notification: 200, payload: 4096, emote: 16 };

/** A problem with a string argument, or undefined. */
function tooLong(value: unknown, max: number, what: string): string | undefined {
  if (typeof value !== "string") return `${what} must be a string`;
  if (value.length > max) return `${what} is longer than ${max} characters`;
  return undefined;
}

/** `targetId` may be empty or name the sender: a client acts for itself only. */
function notSelf(connection: SpaceConnection, targetId: unknown): boolean {
  return typeof targetId === "string" && targetId !== "" && targetId !== connection.player.id;
}

/** The map an action names ("" = the sender's), or a failure. */
function mapOf(space: Space, connection: SpaceConnection, mapId: string): SpaceMap | ActionResult {
  const id = mapId === "" ? connection.player.mapId : mapId;
  if (id === undefined) return fail("not in a map: enter first");
  return space.maps.get(id) ?? fail(`no map '${id}'`);
}

const isMap = (value: SpaceMap | ActionResult): value is SpaceMap => value instanceof SpaceMap;

function onMap(connection: SpaceConnection): ActionResult | undefined {
  return connection.player.mapId === undefined ? fail("not in a map: enter first") : undefined;
}

/** Sets a player property and tells the map (or no one, off a map). */
function setProperty(space: Space, connection: SpaceConnection, args: Args, field: string, limit: number, event: string, apply: (value: string) => object): ActionResult {
  if (notSelf(connection, args.targetId)) return fail("targetId may only name yourself");
  const problem = tooLong(args[field], limit, field);
  if (problem !== undefined) return fail(problem);
  const player = connection.player as unknown as Record<string, unknown>;
  player[field] = args[field];
  if (connection.player.mapId !== undefined) space.toMap(connection.player.mapId, { [event]: { encId: connection.player.encId, ...apply(args[field]) } });
  return OK;
}

export const ACTIONS: Readonly<Record<string, Handler>> = {
  clientHeartbeat: (_space, connection) => heartbeat(connection),
  clientBackupHeartbeat: (_space, connection) => heartbeat(connection),

  move(space, connection, { dir, stopped, targetId }) {
    if (notSelf(connection, targetId)) return fail("targetId may only name yourself");
    const off = onMap(connection);
    if (off !== undefined) return off;
    const player = connection.player;
    if (!Number.isInteger(dir) || dir < 0 || dir > 4) return fail(`dir must be 0..4 (Left, Right, Up, Down, Dance), got ${dir}`);
    player.direction = dir;
    const step = STEP[dir];
    if (step !== undefined && stopped !== true) {
      const map = space.maps.get(player.mapId!)!;
      const x = player.x + step[0];
      const y = player.y + step[1];
      if (!map.contains(x, y)) return fail("off the map");
      if (!map.isWalkable(x, y) && player.ghost === 0) return fail("blocked: a wall or an object is there");
      player.x = x;
      player.y = y;
    }
    space.toMap(player.mapId!, { playerMoves: moveEvent(player) });
    return OK;
  },

  teleport(space, connection, { mapId, x, y, targetId, direction }) {
    if (notSelf(connection, targetId)) return fail("targetId may only name yourself");
    if (tooLong(mapId, LIMITS.id, "mapId")) return fail("bad mapId");
    const id = mapId === "" ? (connection.player.mapId ?? space.defaultMapId) : mapId;
    const map = space.maps.get(id);
    if (map === undefined) return fail(`no map '${id}'`);
    if (!map.contains(x, y)) return fail("off the map");
    if (!map.isWalkable(x, y) && connection.player.ghost === 0) return fail("blocked: a wall or an object is there");
    if (Number.isInteger(direction) && direction >= 0 && direction <= 4) connection.player.direction = direction;
    space.place(connection, id, x, y);
    return OK;
  },

  enter(space, connection, { mapId }) {
    if (connection.player.mapId !== undefined) return fail("already in a map: exit or teleport");
    if (tooLong(mapId, LIMITS.id, "mapId")) return fail("bad mapId");
    const map = space.maps.get(mapId === "" ? space.defaultMapId : mapId);
    if (map === undefined) return fail(`no map '${mapId}'`);
    const spawn = map.spawnPoint();
    if (spawn === undefined) return fail("the map has no free tile");
    space.place(connection, map.id, spawn.x, spawn.y);
    return OK;
  },

  exit(space, connection) {
    const off = onMap(connection);
    if (off !== undefined) return off;
    space.remove(connection);
    return OK;
  },

  respawn(space, connection) {
    const off = onMap(connection);
    if (off !== undefined) return off;
    const spawn = space.maps.get(connection.player.mapId!)!.spawnPoint();
    if (spawn === undefined) return fail("the map has no free tile");
    space.place(connection, connection.player.mapId!, spawn.x, spawn.y);
    return OK;
  },

  ghost(space, connection, { ghost, targetId }) {
    if (notSelf(connection, targetId)) return fail("targetId may only name yourself");
    if (ghost !== 0 && ghost !== 1) return fail("ghost must be 0 or 1");
    connection.player.ghost = ghost;
    if (connection.player.mapId !== undefined) space.toMap(connection.player.mapId, { playerGhosts: { encId: connection.player.encId, ghost } });
    if (ghost === 0 && connection.player.mapId !== undefined) space.respawnStranded(connection.player.mapId);
    return OK;
  },

  setName: (space, connection, args) =>
    args.name === "" ? fail("name must not be empty") : setProperty(space, connection, args, "name", LIMITS.name, "playerSetsName", (name) => ({ name })),
  setTextStatus: (space, connection, args) => setProperty(space, connection, args, "textStatus", LIMITS.textStatus, "playerSetsTextStatus", (textStatus) => ({ textStatus })),
  setEmojiStatus: (space, connection, args) => setProperty(space, connection, args, "emojiStatus", LIMITS.emojiStatus, "playerSetsEmojiStatus", (emojiStatus) => ({ emojiStatus })),

  setAway(space, connection, { isAway, targetId }) {
    if (notSelf(connection, targetId)) return fail("targetId may only name yourself");
    connection.player.isAway = isAway === true;
    if (connection.player.mapId !== undefined) space.toMap(connection.player.mapId, { playerSetsIsAway: { encId: connection.player.encId, isAway: isAway === true } });
    return OK;
  },

  chat(space, connection, { chatRecipient, contents, mapId }) {
    const problem = tooLong(contents, LIMITS.chat, "contents") ?? tooLong(chatRecipient, LIMITS.id, "chatRecipient");
    if (problem !== undefined) return fail(problem);
    if (contents.trim() === "") return fail("contents must not be empty");
    const player = connection.player;
    const message = {
      messageId: randomUUID(),
      senderId: player.id,
      senderName: player.name,
      recipient: chatRecipient,
      contents,
      timestamp: Date.now(),
      encId: player.encId,
      mapId: player.mapId ?? "",
      messageType: "DM",
    };
    if (chatRecipient === "GLOBAL_CHAT") {
      space.toSpace({ playerChats: { ...message, messageType: "GLOBAL" } });
    } else if (chatRecipient === "LOCAL_CHAT" || chatRecipient === "ROOM_CHAT" || chatRecipient === "") {
      const where = player.mapId;
      if (where === undefined) return fail("not in a map: enter first, or chat to GLOBAL_CHAT");
      if (mapId !== "" && mapId !== where) return fail("map chat goes to your own map only");
      space.toMap(where, { playerChats: { ...message, recipient: "LOCAL_CHAT", messageType: "LOCAL", mapId: where } });
    } else {
      const recipient = space.byId(chatRecipient);
      if (recipient === undefined) return fail(`no player '${chatRecipient}' here`);
      recipient.push({ playerChats: message });
      if (recipient !== connection) connection.push({ playerChats: message });
    }
    return OK;
  },

  wave(space, connection, { user, isReply }) {
    const off = onMap(connection);
    if (off !== undefined) return off;
    if (user !== "" && space.byId(user) === undefined) return fail(`no player '${String(user).slice(0, LIMITS.id)}' here`);
    space.toMap(connection.player.mapId!, { playerWaves: { encId: connection.player.encId, targetId: user, isReply } });
    return OK;
  },

  shootConfetti(space, connection, { targetId }) {
    if (notSelf(connection, targetId)) return fail("targetId may only name yourself");
    const off = onMap(connection);
    if (off !== undefined) return off;
    space.toMap(connection.player.mapId!, { playerShootsConfetti: { encId: connection.player.encId } });
    return OK;
  },

  setEmoteV2(space, connection, { emote, targetId, count }) {
    if (notSelf(connection, targetId)) return fail("targetId may only name yourself");
    const problem = tooLong(emote, LIMITS.emote, "emote");
    if (problem !== undefined) return fail(problem);
    const off = onMap(connection);
    if (off !== undefined) return off;
    space.toMap(connection.player.mapId!, { playerSetsEmoteV2: { encId: connection.player.encId, emote, count: Math.min(count, 100) } });
    return OK;
  },

  mapSetDimensions(space, connection, { mapId, width, height }) {
    if (tooLong(mapId, LIMITS.id, "mapId") || mapId === "") return fail("mapId must be 1..64 characters");
    if (!(width >= 1 && width <= MAX_MAP_SIDE && height >= 1 && height <= MAX_MAP_SIDE)) return fail(`width and height must be 1..${MAX_MAP_SIDE}`);
    let map = space.maps.get(mapId);
    if (map === undefined) {
      if (space.maps.size >= MAX_MAPS) return fail(`a space has at most ${MAX_MAPS} maps`);
      space.maps.set(mapId, (map = new SpaceMap(mapId, width, height)));
    } else {
      map.setDimensions(width, height); // players now off the map are respawned below
    }
    space.toMap(mapId, { mapSetDimensions: { mapId, width, height } });
    space.respawnStranded(mapId);
    return OK;
  },

  mapSetCollisions(space, connection, { mapId, x, y, w, h, mask }) {
    const map = mapOf(space, connection, mapId);
    if (!isMap(map)) return map;
    if (!(w >= 1 && h >= 1 && x + w <= map.width && y + h <= map.height)) return fail("the rectangle is not inside the map");
    if (!(mask instanceof Uint8Array) || mask.length !== w * h) return fail(`mask must have w*h = ${w * h} bytes`);
    map.setCollisions(x, y, w, h, mask);
    space.toMap(map.id, { mapSetCollisions: { mapId: map.id, x, y, w, h, mask } });
    space.respawnStranded(map.id);
    return OK;
  },

  mapAddObject(space, connection, { mapId, object }) {
    const map = mapOf(space, connection, mapId);
    if (!isMap(map)) return map;
    if (object === null || typeof object !== "object") return fail("object is required");
    const problem = tooLong(object.id, LIMITS.id, "object.id") ?? tooLong(object.type, LIMITS.id, "object.type") ?? tooLong(object.color, LIMITS.id, "object.color") ?? tooLong(object._name, LIMITS.name, "object._name");
    if (problem !== undefined) return fail(problem);
    const width = object.width || 1;
    const height = object.height || 1;
    if (!(object.x + width <= map.width && object.y + height <= map.height)) return fail("the object is not inside the map");
    if (!map.objects.has(object.id) && map.objects.size >= MAX_OBJECTS) return fail(`a map has at most ${MAX_OBJECTS} objects`);
    const id = object.id === "" ? randomUUID() : object.id;
    space.addObject(map.id, { id, x: object.x, y: object.y, width, height, type: object.type, color: object.color, _name: object._name });
    return OK;
  },

  mapDeleteObjectById(space, connection, { mapId, id }) {
    const map = mapOf(space, connection, mapId);
    if (!isMap(map)) return map;
    if (!map.objects.delete(id)) return fail(`no object '${String(id).slice(0, LIMITS.id)}' on map '${map.id}'`);
    space.toMap(map.id, { mapDeleteObject: { mapId: map.id, id } });
    return OK;
  },

  setImpassable(space, connection, { mapId, x, y, impassable }) {
    const map = mapOf(space, connection, mapId);
    if (!isMap(map)) return map;
    if (!map.contains(x, y)) return fail("off the map");
    map.setImpassable(x, y, impassable === true);
    space.toMap(map.id, { mapSetCollisions: { mapId: map.id, x, y, w: 1, h: 1, mask: new Uint8Array([impassable ? 1 : 0]) } });
    space.respawnStranded(map.id);
    return OK;
  },

  playSound(space, connection, { src, volume, targetId }) {
    const problem = tooLong(src, LIMITS.sound, "src");
    if (problem !== undefined) return fail(problem);
    if (!/^(https?:\/\/|\/)/.test(src)) return fail("src must be an http(s) URL or a path");
    if (!(volume >= 0 && volume <= 1)) return fail("volume must be 0..1");
    const event = { playerPlaysSound: { src, volume, encId: connection.player.encId } };
    if (targetId !== "") {
      const target = space.byId(targetId);
      if (target === undefined) return fail(`no player '${String(targetId).slice(0, LIMITS.id)}' here`);
      target.push(event);
      return OK;
    }
    const off = onMap(connection);
    if (off !== undefined) return off;
    space.toMap(connection.player.mapId!, event);
    return OK;
  },

  notify(space, connection, { notification }) {
    const problem = tooLong(notification, LIMITS.notification, "notification");
    if (problem !== undefined) return fail(problem);
    space.toSpace({ playerNotifies: { encId: connection.player.encId, notification } });
    return OK;
  },

  customAction(space, connection, { name, payload, recipients, sendToAll }) {
    const problem = tooLong(name, LIMITS.id, "name") ?? tooLong(payload, LIMITS.payload, "payload");
    if (problem !== undefined) return fail(problem);
    const event = { customEvent: { name, payload, senderId: connection.player.id } };
    if (sendToAll === true) {
      space.toSpace(event);
      return OK;
    }
    if (!Array.isArray(recipients) || recipients.length === 0 || recipients.length > 100) return fail("recipients: 1..100 player ids, or sendToAll");
    const targets = recipients.map((id: string) => space.byId(id));
    if (targets.some((t) => t === undefined)) return fail("a recipient is not here");
    for (const target of new Set(targets)) target!.push(event);
    return OK;
  },
};

/** A client heartbeat answers the last server heartbeat: that gap is the round trip. */
function heartbeat(connection: SpaceConnection): ActionResult {
  if (connection.heartbeatSentAt !== undefined) {
    connection.lastRTT = Math.round(performance.now() - connection.heartbeatSentAt);
    connection.heartbeatSentAt = undefined;
  }
  return OK;
}
