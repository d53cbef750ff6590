/**
 * Every action the space implements, by the name of its field in
 * `ClientServerAction.action`: the groups put together. A test checks that
 * the table and the schema name the same actions.
 *
 * @module
 */
import { refuse, refusing, type Action, type ActionDef } from "./define.js";
import { EFFECTS } from "./effects.js";
import { ITEMS } from "./items.js";
import { MAP_EDITING } from "./map-editing.js";
import { MOVEMENT } from "./movement.js";
import { NOOKS } from "./nooks.js";
import { PRESENCE } from "./presence.js";
import { SOCIAL } from "./social.js";

export type { Action, ActionDef } from "./define.js";
export { oversized } from "./define.js";
export { leaveWhisper } from "./social.js";
export { unfollow } from "./movement.js";

/** `init` is the hub's (the first frame); after it, one is refused. */
const INIT: ActionDef = {
  role: "guest",
  event: "`ready` (+ `transactionStatus`), then the map's snapshot and `playerJoins` to the map",
  does: "The first frame: joins spaceId with apiKey (or token); a second one is refused.",
  handle: () => refuse("already initialised"),
};

/** The groups, as the README's table shows them; every handler's refusals become failed results here, once. */
export const GROUPS: Readonly<Record<string, Readonly<Record<string, Action>>>> = refusingAll({
  "Connection and subscriptions": { init: INIT, ...pick(EFFECTS, ["clientHeartbeat", "clientBackupHeartbeat", "updateSubscriptions"]) },
  "Profile and presence": PRESENCE,
  Movement: MOVEMENT,
  Social: SOCIAL,
  Nooks: NOOKS,
  Items: ITEMS,
  "Map editing": MAP_EDITING,
  "Effects, commands and sessions": omit(EFFECTS, ["clientHeartbeat", "clientBackupHeartbeat", "updateSubscriptions"]),
});

export const ACTIONS: Readonly<Record<string, Action>> = Object.assign({}, ...Object.values(GROUPS));

function pick(from: Record<string, ActionDef>, names: string[]): Record<string, ActionDef> {
  return Object.fromEntries(names.map((n) => [n, from[n]!]));
}

function omit(from: Record<string, ActionDef>, names: string[]): Record<string, ActionDef> {
  return Object.fromEntries(Object.entries(from).filter(([n]) => !names.includes(n)));
}

function refusingAll(groups: Record<string, Record<string, ActionDef>>): Record<string, Record<string, Action>> {
  return Object.fromEntries(Object.entries(groups).map(([group, defs]) => [group, Object.fromEntries(Object.entries(defs).map(([n, def]) => [n, refusing(def)]))]));
}
