/**
 * What an action is on the server: the least role it needs, the event it
 * causes, one line on what it does (the README's table is generated from
 * these), and its handler. Plus the checks and lookups every handler shares.
 *
 * @module
 */
import type { Role } from "../roles.js";
import type { Player, SpaceConnection } from "../space-connection.js";
import type { MapObject, Nook, SpaceMap } from "../space-map.js";
import { fail, OK, type ActionResult, type Space } from "../space.js";

export type Args = Record<string, any>;

/** One action: who may, what it does, and the handler that does it (or refuses, with {@link refuse}). */
export interface ActionDef {
  /** The least role that may send it. */
  role: Role;
  /** The event(s) it causes, and to whom, as the README says it. */
  event: string;
  /** One line: what it does. */
  does: string;
  handle: (space: Space, connection: SpaceConnection, args: Args) => void;
}

/** An action as the hub calls it: its handler answers done, or refused and why. */
export type Action = Omit<ActionDef, "handle"> & { handle: (space: Space, connection: SpaceConnection, args: Args) => ActionResult };

/** Longest accepted strings, in UTF-16 units. */
export const LIMITS = { name: 32, text: 64, emoji: 16, chat: 500, id: 64, url: 512, notification: 200, long: 2000, payload: 4096, script: 32_768 };

/** A problem with a string argument, or undefined. */
export function badString(value: unknown, max: number, what: string): string | undefined {
  if (typeof value !== "string") return `${what} must be a string`;
  if (value.length > max) return `${what} is longer than ${max} characters`;
  return undefined;
}

/** Refuses a string argument that is not a string or is longer than `max`. */
export function checkString(value: unknown, max: number, what: string): void {
  const problem = badString(value, max, what);
  if (problem !== undefined) refuse(problem);
}

/** "" or an http(s) URL or a path: what image, video and sound sources may be. */
export function badUrl(value: string, what: string): string | undefined {
  if (value.length > LIMITS.url) return `${what} is longer than ${LIMITS.url} characters`;
  return value === "" || /^(https?:\/\/|\/)[^\s]*$/.test(value) ? undefined : `${what} must be an http(s) URL or a path`;
}

/**
 * Why an action is refused. A handler, or a lookup it calls (a player, a map,
 * an object, a nook), throws it, so that each check is one line and a lookup
 * returns the thing itself: as Koa's `ctx.throw`, it is caught once, where the
 * handler is called ({@link refusing}), and becomes the failed result.
 */
export class Refusal extends Error {}

/** Refuses the action with `reason`. */
export function refuse(reason: string): never {
  throw new Refusal(reason);
}

/** The action with its handler's refusals turned into failed results; anything else still throws (a bug). */
export function refusing(def: ActionDef): Action {
  return {
    ...def,
    handle(space, connection, args) {
      try {
        def.handle(space, connection, args);
        return OK;
      } catch (error) {
        if (error instanceof Refusal) return fail(error.message);
        throw error;
      }
    },
  };
}

/** Refuses a `targetId` that names someone else: a client acts for itself only. */
export function forSelf(connection: SpaceConnection, targetId: unknown): void {
  if (typeof targetId === "string" && targetId !== "" && targetId !== connection.player.id) refuse("targetId may only name yourself");
}

/** The sender's map, or a refusal when it is on none. */
export function myMap(space: Space, connection: SpaceConnection): SpaceMap {
  const mapId = connection.player.mapId;
  return mapId === undefined ? refuse("not in a map: enter first") : space.maps.get(mapId)!;
}

/** The map an action names ("" = the sender's), or a refusal. */
export function mapOf(space: Space, connection: SpaceConnection, mapId: unknown): SpaceMap {
  if (typeof mapId !== "string" || mapId.length > LIMITS.id) refuse("bad mapId");
  const id = mapId === "" ? connection.player.mapId : mapId;
  if (id === undefined) refuse("not in a map: enter first, or name the map");
  return space.maps.get(id) ?? refuse(`no map '${id}'`);
}

/** The object `id` on `map`, or a refusal naming where it was looked for. */
export function objectOn(map: SpaceMap, id: unknown, where = `map '${map.id}'`): MapObject {
  return map.objects.get(id as string) ?? refuse(`no object '${String(id).slice(0, LIMITS.id)}' on ${where}`);
}

/** The nook `id` on `map`, or a refusal naming where it was looked for. */
export function nookOn(map: SpaceMap, id: unknown, where = `map '${map.id}'`): Nook {
  return map.nooks.get(id as string) ?? refuse(`no nook '${String(id).slice(0, LIMITS.id)}' on ${where}`);
}

/** The player `id` in the space, blocked or not, or a refusal. */
export function playerById(space: Space, id: unknown): SpaceConnection {
  return (typeof id === "string" ? space.byId(id) : undefined) ?? refuse(`no player '${String(id).slice(0, LIMITS.id)}' here`);
}

/** Another player in the space, by id, or a refusal; refuses when one blocks the other. */
export function playerNamed(space: Space, connection: SpaceConnection, id: unknown, what = "player"): SpaceConnection {
  if (typeof id !== "string" || id === "") refuse(`${what}: a player id is required`);
  const other = playerById(space, id);
  if (space.blocked(connection, other)) refuse(`'${id}' is blocked`);
  return other;
}

/**
 * Another player on the sender's map (what a high-five, a whisper or following
 * needs), or a refusal: `you cannot ${verb} yourself`, or `elsewhere`.
 */
export function otherOnMyMap(space: Space, connection: SpaceConnection, id: unknown, what: string, verb: string, elsewhere: string): SpaceConnection {
  const other = playerNamed(space, connection, id, what);
  if (other === connection) refuse(`you cannot ${verb} yourself`);
  if (connection.player.mapId === undefined || other.player.mapId !== connection.player.mapId) refuse(elsewhere);
  return other;
}

/**
 * Keeps `fields` as the player's `event` (newcomers get it replayed), or forgets
 * it (`keep` false), and tells the player's map `event { encId, ...fields }`.
 */
export function remember(space: Space, player: Player, event: string, fields: Record<string, unknown>, keep = true): void {
  if (keep) player.state.set(event, fields);
  else player.state.delete(event);
  space.toPlayersMap(player, { [event]: { encId: player.encId, ...fields } });
}

/** What the event helpers below share: an optional role (default `guest`) and what the action does. */
interface EventSpec {
  /** The least role that may send it; default `guest`. */
  role?: Role;
  does: string;
}

/** An action whose one effect is an event to the sender's map (see {@link mapEvent}). */
export interface MapEventSpec extends EventSpec {
  /** Checks the arguments (refusing), makes any other change, and returns the event's fields but `encId`. */
  handle: (space: Space, connection: SpaceConnection, args: Args) => Record<string, unknown>;
  /** Given: the event is the player's state (see {@link remember}), kept while this says so. Absent: it happens once. */
  keep?: (fields: Record<string, unknown>) => boolean;
  /** What else the README's event column says, in brackets. */
  note?: string;
}

/** An action that sends one event to one player (see {@link playerEvent}). */
export interface PlayerEventSpec extends EventSpec {
  /** The argument with the player's id. */
  to: string;
  /** Checks the other arguments (refusing) and returns the event's fields. */
  handle: (connection: SpaceConnection, args: Args) => Record<string, unknown>;
}

/** The action that tells the sender's map `event { encId, ...fields }`; the README's event column says so from the same name. */
export function mapEvent(event: string, spec: MapEventSpec): ActionDef {
  return withSpec(spec, `\`${event}\` to the map${spec.note === undefined ? "" : ` (${spec.note})`}`, (space, connection, args) => {
    const fields = spec.handle(space, connection, args);
    // A once-event is not kept (false): forgetting what was never kept does nothing.
    remember(space, connection.player, event, fields, spec.keep?.(fields) ?? false);
  });
}

/** The action that sends `event` to the player the argument `spec.to` names, on any map; refused when either blocks the other. */
export function playerEvent(event: string, spec: PlayerEventSpec): ActionDef {
  return withSpec(spec, `\`${event}\` to that player`, (space, connection, args) => {
    const other = playerNamed(space, connection, args[spec.to], spec.to);
    other.push({ [event]: spec.handle(connection, args) });
  });
}

function withSpec(spec: EventSpec, event: string, handle: ActionDef["handle"]): ActionDef {
  return { role: spec.role ?? "guest", event, does: spec.does, handle };
}

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
