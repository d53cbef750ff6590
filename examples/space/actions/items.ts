/**
 * Items: the space's item kinds, players' inventories, crafting, and
 * using the objects on a map (interact, triggerItem).
 *
 * @module
 */
import type { Player, SpaceConnection } from "../space-connection.js";
import type { MapObject } from "../space-map.js";
import { inventoryEvent, type Space } from "../space.js";
import { badString, badUrl, checkString, forSelf, inRange, LIMITS, mapEvent, myMap, objectOn, playerNamed, refuse, type ActionDef } from "./define.js";

/** Most of one item a player may hold. */
const MAX_COUNT = 1_000_000;
/** Item kinds per space. */
const MAX_ITEMS = 256;
/** How near (tiles) a player must stand to use an object. */
const REACH = 2;

/** `"a:2,b:1"` as { a: 2, b: 1 }, or undefined when malformed. */
export function parseRecipe(recipe: string): Record<string, number> | undefined {
  const inputs: Record<string, number> = {};
  for (const part of recipe.split(",")) {
    const match = /^([^:]+):(\d+)$/.exec(part.trim());
    if (match === null) return undefined;
    inputs[match[1]!] = Number(match[2]);
  }
  return inputs;
}

function sameInputs(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function changeInventory(space: Space, player: Player, itemId: string, delta: number): void {
  const count = (player.inventory.get(itemId) ?? 0) + delta;
  if (count > 0) player.inventory.set(itemId, count);
  else player.inventory.delete(itemId);
  space.toPlayersMap(player, { playerUpdatesInventory: inventoryEvent(player) });
}

/** The object `id` on the sender's map within reach, or a refusal. */
function objectInReach(space: Space, connection: SpaceConnection, id: unknown): MapObject {
  const object = objectOn(myMap(space, connection), id, "your map");
  const player = connection.player;
  const dx = Math.max(object.x - player.x, 0, player.x - (object.x + object.width - 1));
  const dy = Math.max(object.y - player.y, 0, player.y - (object.y + object.height - 1));
  return Math.max(dx, dy) <= REACH ? object : refuse(`'${object.id}' is out of reach: walk within ${REACH} tiles`);
}

export const ITEMS: Record<string, ActionDef> = {
  updateSpaceItems: {
    role: "builder",
    event: "`spaceUpdatesItems` to the space",
    does: `Defines item kinds (id → name, preview, meta, abilities; meta.recipe "a:2,b:1" makes it craftable); ${MAX_ITEMS} per space.`,
    handle(space, _connection, { items }) {
      const entries = Object.entries((items ?? {}) as Record<string, Record<string, any>>);
      if (entries.length === 0) refuse("items: at least one");
      for (const [id, item] of entries) {
        const problem = badString(id, LIMITS.id, "item id") ?? badString(item.name, LIMITS.text, "name") ?? badUrl(item.previewUrl, "previewUrl") ?? badString(item.description, LIMITS.long, "description");
        if (problem !== undefined) refuse(`${id.slice(0, LIMITS.id)}: ${problem}`);
        if (item.name.trim() === "") refuse(`${id}: name must not be empty`);
        if (item.meta?.recipe !== undefined && parseRecipe(item.meta.recipe) === undefined) refuse(`${id}: meta.recipe must be "item:count,…"`);
      }
      if (new Set([...space.items.keys(), ...entries.map(([id]) => id)]).size > MAX_ITEMS) refuse(`a space has at most ${MAX_ITEMS} item kinds`);
      for (const [id, item] of entries) space.items.set(id, item);
      space.toSpace({ spaceUpdatesItems: { items: Object.fromEntries(entries) } });
    },
  },

  addInventoryItem: {
    role: "builder",
    event: "`playerUpdatesInventory` to the receiver's map",
    does: "Gives delta of an item kind to a player (targetId; \"\" = you).",
    handle(space, connection, { itemId, delta, targetId }) {
      const target = targetId === "" ? connection : playerNamed(space, connection, targetId, "targetId");
      if (!space.items.has(itemId)) refuse(`no item kind '${String(itemId).slice(0, LIMITS.id)}' (updateSpaceItems)`);
      if (!inRange(delta, 1, MAX_COUNT) || (target.player.inventory.get(itemId) ?? 0) + delta > MAX_COUNT) refuse(`delta must be 1.. and the count at most ${MAX_COUNT}`);
      changeInventory(space, target.player, itemId, delta);
    },
  },

  removeInventoryItem: {
    role: "guest",
    event: "`playerUpdatesInventory` to your map",
    does: "Drops delta of an item you hold.",
    handle(space, connection, { itemId, delta, targetId }) {
      forSelf(connection, targetId);
      const have = connection.player.inventory.get(itemId) ?? 0;
      if (!inRange(delta, 1, have)) refuse(`you hold ${have} of '${String(itemId).slice(0, LIMITS.id)}'`);
      changeInventory(space, connection.player, itemId, -delta);
    },
  },

  triggerInventoryItem: mapEvent("playerTriggersInventoryItem", {
    does: "Uses an ability (abilityId) of an item you hold.",
    handle(space, connection, { itemId, abilityId }) {
      myMap(space, connection);
      if (!connection.player.inventory.has(itemId)) refuse(`you hold no '${String(itemId).slice(0, LIMITS.id)}'`);
      if (!Object.hasOwn(space.items.get(itemId)?.abilities ?? {}, abilityId)) refuse(`'${itemId}' has no ability '${String(abilityId).slice(0, LIMITS.id)}'`);
      return { itemId, abilityId };
    },
  }),

  craft: {
    role: "guest",
    event: "`playerCrafts` and `playerUpdatesInventory` to the map",
    does: "Turns the inputs you hold into one item whose meta.recipe they match.",
    handle(space, connection, { inputs }) {
      const wanted = (inputs ?? {}) as Record<string, number>;
      const player = connection.player;
      for (const [id, count] of Object.entries(wanted)) if (!(count >= 1 && (player.inventory.get(id) ?? 0) >= count)) refuse(`you hold fewer than ${count} of '${id.slice(0, LIMITS.id)}'`);
      const output = [...space.items].find(([, item]) => item.meta?.recipe !== undefined && sameInputs(parseRecipe(item.meta.recipe)!, wanted))?.[0];
      if (output === undefined) refuse("no item is crafted from these inputs");
      for (const [id, count] of Object.entries(wanted)) player.inventory.set(id, player.inventory.get(id)! - count);
      for (const [id, count] of player.inventory) if (count <= 0) player.inventory.delete(id);
      space.toPlayersMap(player, { playerCrafts: { encId: player.encId, inputs: wanted, output } });
      changeInventory(space, player, output, 1);
    },
  },

  triggerItem: mapEvent("playerTriggersItem", {
    does: "Triggers the object you stand by (closestObject: its id; within 2 tiles).",
    handle(space, connection, { closestObject, targetId, closestObjectTemplate }) {
      forSelf(connection, targetId);
      const object = objectInReach(space, connection, closestObject);
      return { closestObject, closestObjectTemplate: closestObjectTemplate || object.templateId || "" };
    },
  }),

  interact: mapEvent("playerInteracts", {
    does: "Interacts with an object within 2 tiles; dataJson (JSON) becomes its customState.",
    note: "and the object's new customState reaches newcomers",
    handle(space, connection, { objId, dataJson }) {
      const object = objectInReach(space, connection, objId);
      checkString(dataJson, LIMITS.payload, "dataJson");
      if (dataJson !== "") {
        try {
          JSON.parse(dataJson);
        } catch {
          refuse("dataJson must be JSON");
        }
        myMap(space, connection).putObject({ ...object, customState: dataJson });
      }
      return { objId, dataJson };
    },
  }),
};
