/**
 * Objects on a map (builder and owner only): add, update by key, move
 * (with an animation the page plays), delete by id or by key.
 *
 * @module
 */
import { randomUUID } from "node:crypto";

import { MAX_OBJECTS, type MapObject, type SpaceMap } from "../space-map.js";

import { badString, badUrl, inRange, LIMITS, mapOf, objectOn, refuse, type ActionDef, type Args } from "./define.js";

/** A checked object for `map` from its wire form, or a problem. */
function objectFrom(input: Record<string, any> | null | undefined, map: SpaceMap, old?: MapObject): MapObject | string {
  if (input === null || typeof input !== "object") return "object is required";
  const merged = { ...(old ?? {}), ...input };
  const problem =
    badString(merged.id ?? "", LIMITS.id, "object.id") ??
    badString(merged.templateId ?? "", LIMITS.id, "object.templateId") ??
    badString(merged._name ?? "", LIMITS.name, "object._name") ??
    badString(merged.color ?? "", LIMITS.id, "object.color") ??
    badString(merged.previewMessage ?? "", LIMITS.notification, "object.previewMessage") ??
    badString(merged.propertiesJson ?? "", LIMITS.payload, "object.propertiesJson") ??
    badString(merged.customState ?? "", LIMITS.payload, "object.customState") ??
    badUrl(merged.normal ?? "", "object.normal") ??
    badUrl(merged.highlighted ?? "", "object.highlighted");
  if (problem !== undefined) return problem;
  if ((merged._tags ?? []).length > 16) return "object._tags: at most 16";
  const width = merged.width || 1;
  const height = merged.height || 1;
  const x = merged.x ?? 0;
  const y = merged.y ?? 0;
  if (!(map.contains(x, y) && x + width <= map.width && y + height <= map.height)) return "the object is not inside the map";
  return { ...merged, id: merged.id || old?.id || randomUUID(), x, y, width, height } as MapObject;
}

/** True when every tile under the object is blocked. */
function solid(map: SpaceMap, object: MapObject): boolean {
  for (let y = object.y; y < object.y + object.height; y++) for (let x = object.x; x < object.x + object.width; x++) if (map.isWalkable(x, y)) return false;
  return true;
}

/** The action that deletes the object `find` names (or refuses) from the map the action names. */
function deleting(does: string, find: (map: SpaceMap, args: Args) => { key: number; id: string }): ActionDef {
  return {
    role: "builder",
    event: "`mapDeleteObject { mapId, key, id }` to the map",
    does,
    handle(space, connection, args) {
      const map = mapOf(space, connection, args.mapId);
      const { key, id } = find(map, args);
      map.deleteObject(id);
      space.toMap(map.id, { mapDeleteObject: { mapId: map.id, key, id } });
    },
  };
}

export const MAP_OBJECTS: Record<string, ActionDef> = {
  mapAddObject: {
    role: "builder",
    event: "`mapAddObject` to the map",
    does: `Adds an object (or replaces the one with its id); ${MAX_OBJECTS} per map.`,
    handle(space, connection, { mapId, object }) {
      const map = mapOf(space, connection, mapId);
      const checked = objectFrom(object, map);
      if (typeof checked === "string") refuse(checked);
      if (!map.objects.has(checked.id) && map.objects.size >= MAX_OBJECTS) refuse(`a map has at most ${MAX_OBJECTS} objects`);
      const stored = map.putObject(checked);
      space.toMap(map.id, { mapAddObject: { mapId: map.id, object: stored } });
    },
  },

  mapSetObjects: {
    role: "builder",
    event: "`mapSetObjects` to the map",
    does: "Adds or updates objects by key (updatesAreOverwrites: replace them whole, else merge the fields given).",
    handle(space, connection, { mapId, objects, updatesAreOverwrites }) {
      const map = mapOf(space, connection, mapId);
      const checked: MapObject[] = [];
      for (const [key, input] of Object.entries((objects ?? {}) as Record<string, Record<string, any>>)) {
        const oldId = map.keys.get(Number(key));
        const old = oldId === undefined || updatesAreOverwrites === true ? undefined : map.objects.get(oldId);
        const object = objectFrom({ ...input, id: input.id || oldId || "", key: Number(key) }, map, old);
        if (typeof object === "string") refuse(`objects[${key}]: ${object}`);
        checked.push(object);
      }
      const added = checked.filter((o) => !map.objects.has(o.id)).length;
      if (map.objects.size + added > MAX_OBJECTS) refuse(`a map has at most ${MAX_OBJECTS} objects`);
      const stored = checked.map((object) => map.putObject(object));
      space.toMap(map.id, { mapSetObjects: { mapId: map.id, objects: Object.fromEntries(stored.map((o) => [o.key, o])), updatesAreOverwrites: updatesAreOverwrites === true } });
    },
  },

  mapDeleteObject: deleting("Deletes the object with that key.", (map, { key }) => ({ key, id: map.keys.get(key) ?? refuse(`no object with key ${key} on map '${map.id}'`) })),
  mapDeleteObjectById: deleting("Deletes the object with that id.", (map, { id }) => objectOn(map, id)),

  mapMoveObject: {
    role: "builder",
    event: "`mapMoveObject` to the map",
    does: "Moves an object to (targetX, targetY) over duration ms (≤ 10 000) with an easing (a solid one takes its collisions along); the page animates it; newcomers see it there.",
    handle(space, connection, { mapId, objectId, targetX, targetY, targetXOffset, targetYOffset, duration, easing }) {
      const map = mapOf(space, connection, mapId);
      const object = objectOn(map, objectId);
      const x = Math.round(targetX);
      const y = Math.round(targetY);
      if (!(map.contains(x, y) && x + object.width <= map.width && y + object.height <= map.height)) refuse("the target is not inside the map");
      if (!inRange(duration, 0, 10_000)) refuse("duration must be 0..10000 ms");
      if (!["", "linear", "easeIn", "easeOut", "easeInOut"].includes(easing)) refuse("easing is linear, easeIn, easeOut or easeInOut");
      map.putObject({ ...object, x, y, offsetX: targetXOffset, offsetY: targetYOffset });
      space.toMap(map.id, { mapMoveObject: { mapId: map.id, objectId, targetX: x, targetY: y, targetXOffset, targetYOffset, duration, easing } });
      // A solid object (every tile under it blocked, as the first map's tables) takes its walls along.
      if (solid(map, object)) {
        const { width: w, height: h } = object;
        for (const [at, blocked] of [[object, 0], [{ x, y }, 1]] as const) {
          const mask = new Uint8Array(w * h).fill(blocked);
          map.setCollisions(at.x, at.y, w, h, mask);
          space.toMap(map.id, { mapSetCollisions: { mapId: map.id, x: at.x, y: at.y, w, h, mask } });
        }
        space.respawnStranded(map.id);
      }
    },
  },
};
