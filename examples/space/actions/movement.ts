/**
 * Movement: walking, teleports, entering and leaving maps, spawn points,
 * portals, following another player, vehicles and areas.
 *
 * @module
 */
import type { SpaceConnection } from "../space-connection.js";
import type { SpaceMap } from "../space-map.js";
import { moveEvent, type Space } from "../space.js";
import { badString, badUrl, checkString, forSelf, LIMITS, mapEvent, myMap, otherOnMyMap, refuse, remember, type ActionDef } from "./define.js";
import { property } from "./presence.js";

const STEP: Record<number, [number, number]> = { 0: [-1, 0], 1: [1, 0], 2: [0, -1], 3: [0, 1] };

/** Why (x, y) on `map` is closed to the player, or undefined when it may stand there. */
function closed(map: SpaceMap, connection: SpaceConnection, x: number, y: number): string | undefined {
  if (!map.contains(x, y)) return "off the map";
  const ghost = connection.player.ghost !== 0;
  if (!map.isWalkable(x, y) && !ghost) return "blocked: a wall or an object is there";
  const nook = map.closedNookAt(x, y, connection.player.id);
  if (nook !== undefined && !ghost) return `blocked: nook '${nook.name}' is restricted (requestToJoinNook)`;
  return undefined;
}

/** Stops following: the old leader forgets the follower; the map hears followTarget "". */
export function unfollow(space: Space, connection: SpaceConnection): void {
  const player = connection.player;
  const leaderId = player.state.get("playerSetsFollowTarget")?.followTarget as string | undefined;
  if (leaderId === undefined) return;
  space.byId(leaderId)?.player.followers.delete(player.id);
  remember(space, player, "playerSetsFollowTarget", { followTarget: "" }, false);
}

/** After the leader stepped from (fromX, fromY): its followers on the same map step into the tile it left. */
function lead(space: Space, leader: SpaceConnection, fromX: number, fromY: number): void {
  for (const id of leader.player.followers) {
    const follower = space.byId(id)?.player;
    if (follower === undefined || follower.mapId !== leader.player.mapId || (follower.x === fromX && follower.y === fromY)) continue;
    follower.direction = leader.player.direction;
    follower.x = fromX;
    follower.y = fromY;
    space.toMap(follower.mapId!, { playerMoves: moveEvent(follower) });
  }
}

function teleportTo(space: Space, connection: SpaceConnection, mapId: string, x: number, y: number): void {
  const map = space.maps.get(mapId);
  if (map === undefined) refuse(`no map '${mapId}'`);
  const problem = closed(map, connection, x, y);
  if (problem !== undefined) refuse(problem);
  const { x: fromX, y: fromY, mapId: fromMap } = connection.player;
  space.place(connection, mapId, x, y);
  if (fromMap === mapId) lead(space, connection, fromX, fromY);
}

/** Teleports the sender to a free spawn point of its map: the one named `spawnToken` (its spawnId), or ("") any. */
function goToSpawn(space: Space, connection: SpaceConnection, spawnToken: unknown): void {
  const map = myMap(space, connection);
  if (typeof spawnToken !== "string" || spawnToken.length > LIMITS.id) refuse("bad spawnToken");
  const spawn = map.spawnPoint(Math.random, spawnToken);
  if (spawn === undefined) refuse(spawnToken === "" ? "the map has no free tile" : `no free spawn point '${spawnToken}' on this map`);
  teleportTo(space, connection, map.id, spawn.x, spawn.y);
}

export const MOVEMENT: Record<string, ActionDef> = {
  move: {
    role: "guest",
    event: "`playerMoves` to the map",
    does: "Steps one tile (dir Left 0, Right 1, Up 2, Down 3; Dance 4), or turns (stopped); walls, restricted nooks and edges refuse; followers step after you; stops your own following.",
    handle(space, connection, { dir, stopped, inputId, targetId }) {
      forSelf(connection, targetId);
      const map = myMap(space, connection);
      if (!Number.isInteger(dir) || dir < 0 || dir > 4) refuse(`dir must be 0..4 (Left, Right, Up, Down, Dance), got ${dir}`);
      const player = connection.player;
      const step = STEP[dir];
      const { x: fromX, y: fromY } = player;
      if (step !== undefined && stopped !== true) {
        const why = closed(map, connection, player.x + step[0], player.y + step[1]);
        if (why !== undefined) refuse(why);
        player.x += step[0];
        player.y += step[1];
        if (player.state.has("playerSetsFollowTarget")) unfollow(space, connection);
      }
      player.direction = dir;
      space.toMap(map.id, { playerMoves: { ...moveEvent(player), lastInputId: inputId } });
      if (player.followers.size > 0 && (player.x !== fromX || player.y !== fromY)) lead(space, connection, fromX, fromY);
    },
  },

  teleport: {
    role: "guest",
    event: "`playerMoves`; to another map: `playerExits` there, `playerJoins` + the map's snapshot here",
    does: "Jumps to (x, y) on a map (\"\" = yours); a wall, a restricted nook or the edge refuses.",
    handle(space, connection, { mapId, x, y, targetId, direction }) {
      forSelf(connection, targetId);
      checkString(mapId, LIMITS.id, "mapId");
      if (Number.isInteger(direction) && direction >= 0 && direction <= 4) connection.player.direction = direction;
      return teleportTo(space, connection, mapId === "" ? (connection.player.mapId ?? space.defaultMapId) : mapId, x, y);
    },
  },

  exit: {
    role: "guest",
    event: "`playerExits` to the map",
    does: "Leaves the map (you stay connected, on no map, until enter).",
    handle(space, connection) {
      myMap(space, connection);
      unfollow(space, connection);
      space.remove(connection);
    },
  },

  enter: {
    role: "guest",
    event: "`playerJoins` (and your info's events) to the map; you get its snapshot",
    does: "Enters a map after exit: info.map (\"\" = the first map) at info.x/y if free, else at spawnToken's spawn point or any; info's name and statuses apply.",
    handle(space, connection, { info, spawnToken, targetId }) {
      forSelf(connection, targetId);
      if (connection.player.mapId !== undefined) refuse("already in a map: exit or teleport");
      const wanted = info ?? {};
      const bad = badString(wanted.map ?? "", LIMITS.id, "info.map") ?? badString(wanted.name ?? "", LIMITS.name, "info.name") ?? badString(wanted.textStatus ?? "", LIMITS.text, "info.textStatus") ?? badString(wanted.emojiStatus ?? "", LIMITS.emoji, "info.emojiStatus");
      if (bad !== undefined) refuse(bad);
      const map = space.maps.get(wanted.map || space.defaultMapId);
      if (map === undefined) refuse(`no map '${wanted.map}'`);
      const spot = (wanted.x || wanted.y) && closed(map, connection, wanted.x, wanted.y) === undefined ? { x: wanted.x, y: wanted.y } : map.spawnPoint(Math.random, spawnToken ?? "");
      if (spot === undefined) refuse(spawnToken ? `no free spawn point '${spawnToken}'` : "the map has no free tile");
      const player = connection.player;
      if (wanted.name) player.name = wanted.name;
      if (wanted.textStatus) player.textStatus = wanted.textStatus;
      if (wanted.emojiStatus) player.emojiStatus = wanted.emojiStatus;
      if (wanted.affiliation) player.state.set("playerSetsAffiliation", { affiliation: String(wanted.affiliation).slice(0, LIMITS.text) });
      if (wanted.busy) player.state.set("playerSetsStatus", { busy: true });
      space.place(connection, map.id, spot.x, spot.y);
    },
  },

  respawn: {
    role: "guest",
    event: "`playerMoves` to the map",
    does: "Goes back to a spawn point of your map.",
    handle: (space, connection) => goToSpawn(space, connection, ""),
  },

  spawn: {
    role: "guest",
    event: "`playerMoves` to the map",
    does: "Goes to the spawn point named spawnToken (its spawnId) on your map; \"\" = any.",
    handle: (space, connection, { spawnToken }) => goToSpawn(space, connection, spawnToken),
  },

  ghost: {
    role: "guest",
    event: "`playerGhosts` to the map",
    does: "Ghost mode (1): walk through walls and nooks, drawn faded; 0 ends it (and sends you out of any wall).",
    handle(space, connection, { ghost, targetId }) {
      forSelf(connection, targetId);
      if (ghost !== 0 && ghost !== 1) refuse("ghost must be 0 or 1");
      const player = connection.player;
      player.ghost = ghost;
      space.toPlayersMap(player, { playerGhosts: { encId: player.encId, ghost } });
      if (ghost === 0 && player.mapId !== undefined) space.respawnStranded(player.mapId);
    },
  },

  enterPortal: {
    role: "guest",
    event: "`playerMoves` or `playerExits`/`playerJoins` (a map portal); `playerEntersPortal` to you (a URL portal)",
    does: "Takes the portal you stand on (mapSetPortals): to its map and tile, or tells your client to open its URL; without one, opens targetUrl.",
    handle(space, connection, { targetUrl, bypassPrompt, targetId }) {
      forSelf(connection, targetId);
      const player = connection.player;
      const portal = myMap(space, connection).portalAt(player.x, player.y);
      if (portal !== undefined && portal.targetMap !== "") return teleportTo(space, connection, portal.targetMap, portal.targetX, portal.targetY);
      const url = portal?.targetUrl || targetUrl;
      const bad = badUrl(url ?? "", "targetUrl");
      if (bad !== undefined) refuse(bad);
      if (!url) refuse("no portal here, and no targetUrl");
      connection.push({ playerEntersPortal: { targetUrl: url, bypassPrompt: bypassPrompt === true, encId: player.encId } });
    },
  },

  setFollowTarget: {
    role: "guest",
    event: "`playerSetsFollowTarget` to the map",
    does: "Follows a player on your map (you step into each tile they leave; moving yourself stops it); \"\" stops.",
    handle(space, connection, { followTarget, targetId }) {
      forSelf(connection, targetId);
      myMap(space, connection);
      unfollow(space, connection);
      if (followTarget === "") return;
      const leader = otherOnMyMap(space, connection, followTarget, "followTarget", "follow", "followTarget is on another map");
      leader.player.followers.add(connection.player.id);
      remember(space, connection.player, "playerSetsFollowTarget", { followTarget });
    },
  },

  setVehicleId: mapEvent("playerSetsVehicleId", {
    does: "Gets into a vehicle (action \"enter\") or out of it (\"exit\", or vehicleId \"\"); the event names the previous one.",
    handle(_space, connection, { vehicleId, targetId, action }) {
      forSelf(connection, targetId);
      checkString(vehicleId, LIMITS.id, "vehicleId");
      checkString(action, LIMITS.id, "action");
      const previousVehicleId = (connection.player.state.get("playerSetsVehicleId")?.vehicleId as string | undefined) ?? "";
      return { vehicleId: action === "exit" ? "" : vehicleId, action, previousVehicleId };
    },
    keep: ({ vehicleId }) => vehicleId !== "",
  }),

  setCurrentArea: property({
    field: "currentArea",
    event: "playerSetsCurrentArea",
    kind: "string",
    limit: LIMITS.id,
    does: "Says which named area of the map you are in (one of mapSetAreas', or \"\").",
    check: (area: string, _args, space, connection) => {
      if (area === "") return undefined;
      const map = connection.player.mapId === undefined ? undefined : space.maps.get(connection.player.mapId);
      const areas = (map?.state.get("mapSetAreas")?.areas ?? {}) as Record<string, unknown>;
      return Object.hasOwn(areas, area) ? undefined : `no area '${area.slice(0, LIMITS.id)}' on your map (mapSetAreas)`;
    },
  }),

  precomputeEnter: {
    role: "guest",
    event: "`precomputedEnterLocation` to you",
    does: "Asks where enter would put you: the free tile nearest enterLocation, or a spawn point (spawnToken).",
    handle(space, connection, { enterLocation, spawnToken }) {
      const where = enterLocation ?? { map: "", x: 0, y: 0 };
      const map = space.maps.get(where.map || space.defaultMapId);
      if (map === undefined) refuse(`no map '${String(where.map).slice(0, LIMITS.id)}'`);
      const spot = where.x || where.y ? map.nearestWalkable(where.x, where.y) : map.spawnPoint(Math.random, spawnToken ?? "");
      if (spot === undefined) refuse("no free tile there");
      connection.push({ precomputedEnterLocation: { enterLocation: { map: map.id, x: spot.x, y: spot.y } } });
    },
  },
};
