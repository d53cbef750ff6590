/**
 * Nooks: private areas of a map. A restricted nook lets in only the
 * players allowed in it; others ask (requestToJoinNook) and someone
 * allowed grants it (updateNookPermission).
 *
 * @module
 */
import { nookFrom, type Nook, type SpaceMap } from "../space-map.js";
import { allows } from "../roles.js";
import type { Space } from "../space.js";
import { badString, checkString, LIMITS, mapOf, nookOn, refuse, type ActionDef } from "./define.js";

/** Nooks per map. */
const MAX_NOOKS = 64;

/** Tells the map that one of its nooks changed (who may enter, who asks, a recording). */
export function tellNook(space: Space, map: SpaceMap, nook: Nook): void {
  space.toMap(map.id, { mapSetNooks: { mapId: map.id, nooks: { [nook.id]: nook.wire() }, overwrite: false } });
}

export const NOOKS: Record<string, ActionDef> = {
  mapSetNooks: {
    role: "builder",
    event: "`mapSetNooks` to the map",
    does: `Adds or changes nooks (id → tiles, name, restricted, allowed users; overwrite: replace them all); ${MAX_NOOKS} per map.`,
    handle(space, connection, { mapId, nooks, overwrite }) {
      const map = mapOf(space, connection, mapId);
      const entries = Object.entries((nooks ?? {}) as Record<string, Record<string, any>>);
      for (const [id, diff] of entries) {
        const problem = badString(id, LIMITS.id, "nook id") ?? badString(diff.name ?? "", LIMITS.text, "name");
        if (problem !== undefined) refuse(problem);
        const tiles = diff.nookCoords?.coords ?? [];
        if (!tiles.every((t: { x: number; y: number }) => map.contains(t.x, t.y))) refuse(`nook '${id}': every tile must be on the map`);
      }
      if (overwrite === true) map.nooks.clear();
      if (new Set([...map.nooks.keys(), ...entries.map(([id]) => id)]).size > MAX_NOOKS) refuse(`a map has at most ${MAX_NOOKS} nooks`);
      for (const [id, diff] of entries) map.nooks.set(id, nookFrom(id, diff, map.nooks.get(id)));
      const wire = Object.fromEntries(entries.map(([id]) => [id, map.nooks.get(id)!.wire()]));
      space.toMap(map.id, { mapSetNooks: { mapId: map.id, nooks: wire, overwrite: overwrite === true } });
    },
  },

  requestToJoinNook: {
    role: "guest",
    event: "`mapSetNooks` (the nook's requestedUsers) to the map",
    does: "Asks to enter a restricted nook (name: how you ask).",
    handle(space, connection, { nookId, mapId, name }) {
      const map = mapOf(space, connection, mapId);
      const nook = nookOn(map, nookId);
      checkString(name, LIMITS.name, "name");
      if (!nook.restricted || nook.allowed.has(connection.player.id)) refuse("you may already enter that nook");
      if (!nook.requested.has(connection.player.id) && nook.requested.size >= 100) refuse("that nook has 100 requests waiting");
      nook.requested.set(connection.player.id, name || connection.player.name);
      tellNook(space, map, nook);
    },
  },

  updateNookPermission: {
    role: "member",
    event: "`mapSetNooks` (the nook's allowed and requested users) to the map",
    does: "Lets a player into a nook of your map, or out (granted: false); you must be allowed in it yourself, or a builder.",
    handle(space, connection, { playerId, nookId, granted }) {
      const map = mapOf(space, connection, "");
      const nook = nookOn(map, nookId, "your map");
      if (!nook.allowed.has(connection.player.id) && !allows(connection.player.role, "builder")) refuse("only players allowed in the nook (or builders) may let others in");
      const problem = badString(playerId, LIMITS.id, "playerId");
      if (problem !== undefined || playerId === "") refuse(problem ?? "playerId is required");
      if (granted === true && !nook.allowed.has(playerId) && nook.allowed.size >= 1000) refuse("a nook lets in at most 1000 players");
      nook.requested.delete(playerId);
      if (granted === true) nook.allowed.add(playerId);
      else nook.allowed.delete(playerId);
      tellNook(space, map, nook);
    },
  },
};
