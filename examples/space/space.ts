/**
 * One space: its maps, the players in it, and the events waiting for the
 * next tick, per map. Actions change the state here and queue the events
 * that describe the change; the hub publishes them once per tick.
 *
 * @module
 */
import { defaultMap, SpaceMap, type MapObject } from "./space-map.js";
import type { Player, SpaceConnection } from "./space-connection.js";

/** Maps a space may have, and players in one space: bounds, not targets. */
export const MAX_MAPS = 16;
export const MAX_PLAYERS = 2000;

/** The result of one action: `transactionStatus` says it. */
export type ActionResult = { ok: true } | { ok: false; reason: string };
export const OK: ActionResult = { ok: true };
export const fail = (reason: string): ActionResult => ({ ok: false, reason });

export class Space {
  readonly id: string;
  readonly maps = new Map<string, SpaceMap>();
  readonly connections = new Map<string, SpaceConnection>();
  readonly defaultMapId: string;
  /** Events for everyone on a map, sent (published) at the next tick. */
  readonly outboxes = new Map<string, object[]>();
  #nextEncId = 1;

  constructor(id: string, firstMap: SpaceMap = defaultMap()) {
    this.id = id;
    this.maps.set(firstMap.id, firstMap);
    this.defaultMapId = firstMap.id;
  }

  /** Topic that carries a map's batches. */
  topic(mapId: string): string {
    return `space:${this.id}:${mapId}`;
  }

  nextEncId(): number {
    return this.#nextEncId++;
  }

  /** Queues `event` for everyone on `mapId`. */
  toMap(mapId: string, event: object): void {
    let outbox = this.outboxes.get(mapId);
    if (outbox === undefined) this.outboxes.set(mapId, (outbox = []));
    outbox.push(event);
  }

  /** Queues `event` for everyone in the space, on every map. */
  toSpace(event: object): void {
    for (const mapId of this.maps.keys()) this.toMap(mapId, event);
  }

  /** The connection of the player with `id`, if connected. */
  byId(id: string): SpaceConnection | undefined {
    return this.connections.get(id);
  }

  playersOn(mapId: string): Player[] {
    const players: Player[] = [];
    for (const c of this.connections.values()) if (c.player.mapId === mapId) players.push(c.player);
    return players;
  }

  /** The events that describe a map and who is on it, for a client that just arrived. */
  snapshot(mapId: string): object[] {
    const map = this.maps.get(mapId);
    if (map === undefined) return [];
    const events: object[] = [
      { mapSetDimensions: { mapId, width: map.width, height: map.height } },
      { mapSetCollisions: { mapId, x: 0, y: 0, w: map.width, h: map.height, mask: map.collisions } },
      { mapSetSpawns: { mapId, spawns: map.spawns } },
    ];
    for (const object of map.objects.values()) events.push({ mapAddObject: { mapId, object } });
    for (const player of this.playersOn(mapId)) events.push({ playerJoins: joinEvent(player) });
    return events;
  }

  /** Puts `player` on `mapId` at (x, y): others see it join, it gets the map. */
  place(connection: SpaceConnection, mapId: string, x: number, y: number): void {
    const player = connection.player;
    if (player.mapId !== undefined && player.mapId !== mapId) this.remove(connection);
    const joining = player.mapId !== mapId;
    player.mapId = mapId;
    player.x = x;
    player.y = y;
    if (joining) {
      this.toMap(mapId, { playerJoins: joinEvent(player) });
      connection.snapshotMapId = mapId;
    } else {
      this.toMap(mapId, { playerMoves: moveEvent(player) });
    }
  }

  /** Takes `player` off its map (exit, teleport away, disconnect). */
  remove(connection: SpaceConnection): void {
    const player = connection.player;
    if (player.mapId === undefined) return;
    this.toMap(player.mapId, { playerExits: { encId: player.encId, id: player.id } });
    player.mapId = undefined;
  }

  /** Players on `mapId` that stand where the map no longer lets them: back to a spawn point. */
  respawnStranded(mapId: string): void {
    const map = this.maps.get(mapId)!;
    for (const player of this.playersOn(mapId)) {
      if (map.isWalkable(player.x, player.y) || player.ghost !== 0) continue;
      const spawn = map.spawnPoint();
      if (spawn === undefined) continue;
      player.x = spawn.x;
      player.y = spawn.y;
      this.toMap(mapId, { playerMoves: moveEvent(player) });
    }
  }

  addObject(mapId: string, object: MapObject): void {
    this.maps.get(mapId)!.objects.set(object.id, object);
    this.toMap(mapId, { mapAddObject: { mapId, object } });
  }
}

export function joinEvent(p: Player): object {
  return {
    encId: p.encId,
    id: p.id,
    name: p.name,
    mapId: p.mapId ?? "",
    x: p.x,
    y: p.y,
    direction: p.direction,
    textStatus: p.textStatus,
    emojiStatus: p.emojiStatus,
    isAway: p.isAway,
    ghost: p.ghost,
  };
}

export function moveEvent(p: Player): object {
  return { encId: p.encId, x: p.x, y: p.y, direction: p.direction, mapId: p.mapId ?? "" };
}
