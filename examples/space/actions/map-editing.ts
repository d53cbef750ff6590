/**
 * Map editing (builder and owner only): the map's size, collisions and
 * spawns, its settings (name, images, portals, walls, areas, chats,
 * script…), and its objects. Every change goes to the map as the event of
 * the same name, and newcomers get the map's state replayed.
 *
 * @module
 */
import { MAX_MAP_SIDE, SpaceMap } from "../space-map.js";
import { MAX_MAPS } from "../space.js";
import { CHAT_KINDS } from "./chat.js";
import { badString, badUrl, LIMITS, mapOf, refuse, type ActionDef, type Args } from "./define.js";
import { MAP_OBJECTS } from "./map-objects.js";

interface SettingSpec {
  /** The field with the value (the action's and the event's). */
  field: string;
  /** A problem with the value on this map, or undefined. */
  check?: (value: any, map: SpaceMap) => string | undefined;
  /** Keyed settings (walls, floors, areas) merge into what the map has, up to this many keys; `delete` removes those keys. */
  keyed?: number;
  /** What else the setting changes on the map (after the checks). */
  apply?: (map: SpaceMap, value: any, deleted: boolean) => void;
  does: string;
}

/** A map setting: checked, kept on the map (as its event), broadcast; `delete: true` clears it. */
function setting(name: string, spec: SettingSpec): ActionDef {
  return {
    role: "builder",
    event: `\`${name}\` to the map`,
    does: spec.does,
    handle(space, connection, args: Args) {
      const map = mapOf(space, connection, args.mapId);
      const value = args[spec.field];
      const deleted = args.delete === true;
      const problem = spec.check?.(value, map);
      if (problem !== undefined) refuse(problem);
      const fields = { mapId: map.id, [spec.field]: value, ...(deleted ? { delete: true } : {}) };
      if (spec.keyed) {
        const kept = { ...((map.state.get(name)?.[spec.field] as Record<string, unknown> | undefined) ?? {}) };
        for (const key of Object.keys(value ?? {})) {
          if (deleted) delete kept[key];
          else kept[key] = value[key];
        }
        if (Object.keys(kept).length > spec.keyed) refuse(`a map has at most ${spec.keyed} ${spec.field}`);
        map.state.set(name, { mapId: map.id, [spec.field]: kept });
      } else if (deleted) {
        map.state.delete(name);
      } else {
        map.state.set(name, fields);
      }
      spec.apply?.(map, value, deleted);
      space.toMap(map.id, { [name]: fields });
      if (spec.apply !== undefined) space.respawnStranded(map.id);
    },
  };
}

const text = (what: string, max: number) => (value: unknown) => badString(value, max, what);
const url = (what: string) => (value: unknown) => badString(value, LIMITS.url, what) ?? badUrl(value as string, what);
const inside = (what: string) => (points: Array<{ x: number; y: number }>, map: SpaceMap) =>
  Array.isArray(points) && points.every((p) => map.contains(p.x, p.y)) ? undefined : `every ${what} must be on the map`;
/** Keys "x:y" of tiles on the map. */
const tileKeys = (what: string) => (value: Record<string, unknown>, map: SpaceMap) => {
  for (const key of Object.keys(value ?? {})) {
    const [x, y] = key.split(":").map(Number);
    if (!map.contains(x!, y!)) return `${what} keys are "x:y" tiles on the map; '${key.slice(0, LIMITS.id)}' is not`;
  }
  return undefined;
};

function collisionRect(map: SpaceMap, x: number, y: number, w: number, h: number): string | undefined {
  return w >= 1 && h >= 1 && x + w <= map.width && y + h <= map.height ? undefined : "the rectangle is not inside the map";
}

export const MAP_EDITING: Record<string, ActionDef> = {
  mapSetDimensions: {
    role: "builder",
    event: "`mapSetDimensions` to the map; players left outside get `playerMoves` to a spawn",
    does: `Resizes a map (1..${MAX_MAP_SIDE} a side), or creates a new one (${MAX_MAPS} per space).`,
    handle(space, connection, { mapId, width, height }) {
      if (badString(mapId, LIMITS.id, "mapId") || mapId === "") refuse("mapId must be 1..64 characters");
      if (!(width >= 1 && width <= MAX_MAP_SIDE && height >= 1 && height <= MAX_MAP_SIDE)) refuse(`width and height must be 1..${MAX_MAP_SIDE}`);
      let map = space.maps.get(mapId);
      if (map === undefined) {
        if (space.maps.size >= MAX_MAPS) refuse(`a space has at most ${MAX_MAPS} maps`);
        space.maps.set(mapId, (map = new SpaceMap(mapId, width, height)));
      } else {
        map.setDimensions(width, height);
      }
      space.toMap(mapId, { mapSetDimensions: { mapId, width, height } });
      space.respawnStranded(mapId);
    },
  },

  mapSetCollisions: {
    role: "builder",
    event: "`mapSetCollisions` to the map",
    does: "Sets which tiles of a rectangle are blocked (mask: w·h bytes, non-zero = blocked); players now in a wall respawn.",
    handle(space, connection, { mapId, x, y, w, h, mask }) {
      const map = mapOf(space, connection, mapId);
      const problem = collisionRect(map, x, y, w, h) ?? (mask instanceof Uint8Array && mask.length === w * h ? undefined : `mask must have w*h = ${w * h} bytes`);
      if (problem !== undefined) refuse(problem);
      map.setCollisions(x, y, w, h, mask);
      space.toMap(map.id, { mapSetCollisions: { mapId: map.id, x, y, w, h, mask } });
      space.respawnStranded(map.id);
    },
  },

  setImpassable: {
    role: "builder",
    event: "`mapSetCollisions` (one tile) to the map",
    does: "Blocks or frees one tile.",
    handle(space, connection, { mapId, x, y, impassable }) {
      const map = mapOf(space, connection, mapId);
      if (!map.contains(x, y)) refuse("off the map");
      map.setImpassable(x, y, impassable === true);
      space.toMap(map.id, { mapSetCollisions: { mapId: map.id, x, y, w: 1, h: 1, mask: new Uint8Array([impassable ? 1 : 0]) } });
      space.respawnStranded(map.id);
    },
  },

  mapSetSpawns: {
    role: "builder",
    event: "`mapSetSpawns` to the map",
    does: "Replaces the map's spawn points (spawnId names one for spawn/enter).",
    handle(space, connection, { mapId, spawns }) {
      const map = mapOf(space, connection, mapId);
      const problem = inside("spawn")(spawns, map) ?? spawns.map((s: { spawnId: string }) => badString(s.spawnId, LIMITS.id, "spawnId")).find(Boolean);
      if (problem !== undefined) refuse(problem);
      map.spawns.splice(0, map.spawns.length, ...spawns.map((s: { x: number; y: number; spawnId: string }) => ({ x: s.x, y: s.y, spawnId: s.spawnId })));
      space.toMap(map.id, { mapSetSpawns: { mapId: map.id, spawns: map.spawns } });
    },
  },

  mapSetSpawn: {
    role: "builder",
    event: "`mapSetSpawn` to the map",
    does: "Adds one spawn point (delete: removes it).",
    handle(space, connection, args) {
      const map = mapOf(space, connection, args.mapId);
      const spawn = args.spawn ?? { x: -1, y: -1 };
      if (!map.contains(spawn.x, spawn.y)) refuse("spawn must be on the map");
      const at = map.spawns.findIndex((s) => s.x === spawn.x && s.y === spawn.y);
      if (args.delete === true) {
        if (at < 0) refuse("no spawn point there");
        map.spawns.splice(at, 1);
      } else if (at < 0) {
        if (map.spawns.length >= 1024) refuse("a map has at most 1024 spawn points");
        map.spawns.push({ x: spawn.x, y: spawn.y, spawnId: "" });
      }
      space.toMap(map.id, { mapSetSpawn: { mapId: map.id, spawn: { x: spawn.x, y: spawn.y }, delete: args.delete === true } });
    },
  },

  mapSetBackgroundImagePath: setting("mapSetBackgroundImagePath", { field: "backgroundImagePath", check: url("backgroundImagePath"), does: "Sets the map's background image." }),
  mapSetForegroundImagePath: setting("mapSetForegroundImagePath", { field: "foregroundImagePath", check: url("foregroundImagePath"), does: "Sets the image drawn over players." }),
  mapSetMiniMapImagePath: setting("mapSetMiniMapImagePath", { field: "miniMapImagePath", check: url("miniMapImagePath"), does: "Sets the mini-map image." }),
  mapSetSprites: setting("mapSetSprites", { field: "sprites", does: "Sets the map's sprite ids (the older sprite sheet)." }),
  mapSetSpaces: setting("mapSetSpaces", { field: "spaces", check: inside("space"), does: "Sets the map's private-space tiles (spaceId per tile)." }),
  mapSetPortals: setting("mapSetPortals", {
    field: "portals",
    check: (portals: Array<Record<string, any>>, map) => inside("portal")(portals as Array<{ x: number; y: number }>, map) ?? portals.map((p) => badString(p.targetMap, LIMITS.id, "targetMap") ?? badUrl(p.targetUrl, "targetUrl")).find(Boolean),
    apply: (map, portals) => (map.portals = portals.map((p: Record<string, any>) => ({ x: p.x, y: p.y, targetMap: p.targetMap, targetUrl: p.targetUrl, targetX: p.targetX, targetY: p.targetY }))),
    does: "Sets the map's portals: to a tile of another map, or a URL (enterPortal takes them).",
  }),
  mapSetAnnouncer: setting("mapSetAnnouncer", { field: "announcer", check: inside("announcer tile"), does: "Sets the tiles whose speaker is heard by the whole map." }),
  mapSetAssets: setting("mapSetAssets", { field: "assets", check: (assets: Array<{ src: string }>) => assets.map((a) => badUrl(a.src, "src")).find(Boolean), does: "Sets the map's image assets (src, position, size)." }),
  mapSetName: setting("mapSetName", { field: "name", check: text("name", LIMITS.text), does: "Names the map." }),
  mapSetMuteOnEntry: setting("mapSetMuteOnEntry", { field: "muteOnEntry", does: "Mutes players when they enter the map, or not." }),
  mapSetUseDrawnBG: setting("mapSetUseDrawnBG", { field: "useDrawnBG", does: "Draws the background from walls and floors instead of an image." }),
  mapSetWalls: setting("mapSetWalls", {
    field: "walls",
    keyed: MAX_MAP_SIDE * MAX_MAP_SIDE,
    check: tileKeys("walls"),
    apply: (map, walls: Record<string, string>, deleted) => {
      for (const key of Object.keys(walls)) {
        const [x, y] = key.split(":").map(Number);
        map.setImpassable(x!, y!, !deleted);
      }
    },
    does: "Adds walls (\"x:y\" → style; delete: removes them); a wall tile is blocked.",
  }),
  mapSetFloors: setting("mapSetFloors", { field: "floors", keyed: MAX_MAP_SIDE * MAX_MAP_SIDE, check: tileKeys("floors"), does: "Sets floor styles (\"x:y\" → style; delete: removes them)." }),
  mapSetAreas: setting("mapSetAreas", { field: "areas", keyed: 256, does: "Names areas (id → category and rectangles; delete: removes them); setCurrentArea names one." }),
  mapSetEnabledChats: setting("mapSetEnabledChats", {
    field: "enabledChats",
    check: (chats: string[]) => chats.find((c) => !(CHAT_KINDS as readonly string[]).includes(c)) === undefined ? undefined : `enabledChats are among ${CHAT_KINDS.join(", ")}`,
    apply: (map, chats: string[], deleted) => (map.enabledChats = deleted ? undefined : new Set(chats)),
    does: "Says which chats may be sent from the map (delete: all again); chat refuses the others.",
  }),
  mapSetDescription: setting("mapSetDescription", { field: "description", check: text("description", LIMITS.long), does: "Describes the map." }),
  mapSetDecoration: setting("mapSetDecoration", { field: "decoration", check: text("decoration", LIMITS.long), does: "Sets the map's decoration theme." }),
  mapSetTutorialTasks: setting("mapSetTutorialTasks", { field: "tutorialTasks", does: "Sets the map's tutorial tasks (areas to visit)." }),
  mapSetScript: setting("mapSetScript", { field: "script", check: text("script", LIMITS.script), does: `Sets the map's script (up to ${LIMITS.script} characters; clients run it, the server keeps it).` }),

  ...MAP_OBJECTS,
};
