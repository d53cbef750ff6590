/**
 * What an action is on the server: the least role it needs, the event it
 * causes, one line on what it does (the README's table is generated from
 * these), and its handler. Plus the checks every handler shares.
 *
 * @module
 */
import type { Role } from "../roles.js";
import type { SpaceConnection } from "../space-connection.js";
import { SpaceMap } from "../space-map.js";
import { fail, type ActionResult, type Space } from "../space.js";

export type Args = Record<string, any>;

/** One action: who may, what it does, and the handler that does it. */
export interface ActionDef {
  /** The least role that may send it. */
  role: Role;
  /** The event(s) it causes, and to whom, as the README says it. */
  event: string;
  /** One line: what it does. */
  does: string;
  handle: (space: Space, connection: SpaceConnection, args: Args) => ActionResult;
}

/** Longest accepted strings, in UTF-16 units. */
export const LIMITS = { name: 32, text: 64, emoji: 16, chat: 500, id: 64, url: 512, notification: 200, long: 2000, payload: 4096, script: 32_768 };

/** A problem with a string argument, or undefined. */
export function badString(value: unknown, max: number, what: string): string | undefined {
  if (typeof value !== "string") return `${what} must be a string`;
  if (value.length > max) return `${what} is longer than ${max} characters`;
  return undefined;
}

/** "" or an http(s) URL or a path: what image, video and sound sources may be. */
export function badUrl(value: string, what: string): string | undefined {
  if (value.length > LIMITS.url) return `${what} is longer than ${LIMITS.url} characters`;
  return value === "" || /^(https?:\/\/|\/)[^\s]*$/.test(value) ? undefined : `${what} must be an http(s) URL or a path`;
}

/** Refuses a `targetId` that names someone else: a client acts for itself only. */
export function forSelf(connection: SpaceConnection, targetId: unknown): ActionResult | undefined {
  return typeof targetId === "string" && targetId !== "" && targetId !== connection.player.id ? fail("targetId may only name yourself") : undefined;
}

export function onMap(connection: SpaceConnection): ActionResult | undefined {
  return connection.player.mapId === undefined ? fail("not in a map: enter first") : undefined;
}

/** The map an action names ("" = the sender's), or a failure. */
export function mapOf(space: Space, connection: SpaceConnection, mapId: unknown): SpaceMap | ActionResult {
  if (typeof mapId !== "string" || mapId.length > LIMITS.id) return fail("bad mapId");
  const id = mapId === "" ? connection.player.mapId : mapId;
  if (id === undefined) return fail("not in a map: enter first, or name the map");
  return space.maps.get(id) ?? fail(`no map '${id}'`);
}

export const isMap = (value: SpaceMap | ActionResult): value is SpaceMap => value instanceof SpaceMap;

/** Another player in the space, by id, or a failure; refuses when one blocks the other. */
export function playerNamed(space: Space, connection: SpaceConnection, id: unknown, what = "player"): SpaceConnection | ActionResult {
  if (typeof id !== "string" || id === "") return fail(`${what}: a player id is required`);
  const other = space.byId(id);
  if (other === undefined) return fail(`no player '${id.slice(0, LIMITS.id)}' here`);
  if (space.blocked(connection, other)) return fail(`'${id}' is blocked`);
  return other;
}

export const isConnection = (value: SpaceConnection | ActionResult): value is SpaceConnection => !("ok" in value);

/** Numbers an action accepts: finite and within [min, max]. */
export function inRange(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= min && value <= max;
}

/** Strings at most this long, lists and maps at most this many entries, and no deeper than this: any action's arguments. */
const MAX_STRING = LIMITS.script;
const MAX_ENTRIES = 1024;
const MAX_DEPTH = 6;

/** The first argument that is too big (a string, a list, a map), or undefined. Applies to every action. */
export function oversized(value: unknown, path = "arguments", depth = 0): string | undefined {
  if (typeof value === "string") return value.length > MAX_STRING ? `${path} is longer than ${MAX_STRING} characters` : undefined;
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return undefined;
  if (depth > MAX_DEPTH) return `${path} is nested too deeply`;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  if (entries.length > MAX_ENTRIES) return `${path} has more than ${MAX_ENTRIES} entries`;
  for (const [key, inner] of entries) {
    if (key.length > LIMITS.id * 2) return `${path} has a key longer than ${LIMITS.id * 2} characters`;
    const problem = oversized(inner, `${path}.${key}`, depth + 1);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
