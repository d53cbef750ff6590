/**
 * One space: its maps, the players in it, what the space holds besides
 * (items, commands, speaker sessions, bans, recent chat), and the events
 * waiting for the next tick, per map. Actions change the state here and
 * queue the events that describe the change; the hub publishes them once
 * per tick. A newcomer gets the resulting state as a snapshot of events.
 *
 * @module
 */
import { defaultMap, SpaceMap } from "./space-map.js";
import type { Player, SpaceConnection } from "./space-connection.js";

/** Maps a space may have, and players in one space: bounds, not targets. */
export const MAX_MAPS = 16;
export const MAX_PLAYERS = 2000;
/** Chat lines kept per map for newcomers (and for `chatMessageUpdated`). */
export const CHAT_LOG = 20;

/** The result of one action: `transactionStatus` says it. */
export type ActionResult = { ok: true } | { ok: false; reason: string };
export const OK: ActionResult = { ok: true };
export const fail = (reason: string): ActionResult => ({ ok: false, reason });

/** A chat line kept for newcomers, with who liked it. */
export interface ChatLine {
  message: Record<string, unknown>;
  likedBy: Set<string>;
}

/** A key banned from the space, by the id its player had when banned. */
export interface Ban {
  key: string;
  name: string;
}

export class Space {
  readonly id: string;
  /** The API key that opened the space (it counts against that key's cap while the space is occupied). */
  readonly creatorKey: string;
  readonly maps = new Map<string, SpaceMap>();
  readonly connections = new Map<string, SpaceConnection>();
  readonly defaultMapId: string;
  /** Events for everyone on a map, sent (published) at the next tick. */
  readonly outboxes = new Map<string, object[]>();
  /** Item id → the SpaceItem. */
  readonly items = new Map<string, Record<string, any>>();
  /** Command → the connections that registered it. */
  readonly commands = new Map<string, Set<SpaceConnection>>();
  /** Speaker session id → its settings (the last speakerUpdatesSession). */
  readonly sessions = new Map<string, Record<string, unknown>>();
  /** Player id at the time of the ban → the banned key. */
  readonly bans = new Map<string, Ban>();
  /** Map id → its recent chat lines, oldest first. */
  readonly chatLog = new Map<string, ChatLine[]>();
  /** When the last player left (performance.now()), or undefined while someone is here. */
  emptySince: number | undefined;
  #nextEncId = 1;

  constructor(id: string, creatorKey: string, firstMap: SpaceMap = defaultMap()) {
    this.id = id;
    this.creatorKey = creatorKey;
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

  isBanned(key: string): boolean {
    for (const ban of this.bans.values()) if (ban.key === key) return true;
    return false;
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

  /** Queues a player's event for its map (nowhere when it is on none). */
  toPlayersMap(player: Player, event: object): void {
    if (player.mapId !== undefined) this.toMap(player.mapId, event);
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

  /** True when either player blocks the other. */
  blocked(a: SpaceConnection, b: SpaceConnection): boolean {
    return a.hiddenIds.has(b.player.id) || b.hiddenIds.has(a.player.id);
  }

  /** Subscribes a connection to its map's topic, or not when it gets filtered copies (see SpaceConnection.filtered). */
  resubscribe(connection: SpaceConnection, mapBefore: string | undefined): void {
    const ws = connection.ws;
    if (mapBefore !== undefined) void ws.unsubscribe(this.topic(mapBefore)).catch(() => {});
    const now = connection.player.mapId;
    if (now !== undefined && !connection.filtered) void ws.subscribe(this.topic(now)).catch(() => {});
  }

  /** Keeps a chat line for newcomers (the map's last CHAT_LOG). */
  logChat(mapId: string, message: Record<string, unknown>): void {
    let log = this.chatLog.get(mapId);
    if (log === undefined) this.chatLog.set(mapId, (log = []));
    log.push({ message, likedBy: new Set() });
    if (log.length > CHAT_LOG) log.shift();
  }

  /**
   * The events that describe a map, who is on it and the space, for a
   * client that just arrived: each part of the state as the event that set it.
   */
  snapshot(mapId: string): object[] {
    const map = this.maps.get(mapId);
    if (map === undefined) return [];
    const events: object[] = [
      { mapSetDimensions: { mapId, width: map.width, height: map.height } },
      { mapSetCollisions: { mapId, x: 0, y: 0, w: map.width, h: map.height, mask: map.collisions } },
      { mapSetSpawns: { mapId, spawns: map.spawns } },
    ];
    for (const [kind, fields] of map.state) events.push({ [kind]: fields });
    for (const object of map.objects.values()) events.push({ mapAddObject: { mapId, object } });
    if (map.nooks.size > 0) events.push({ mapSetNooks: { mapId, nooks: Object.fromEntries([...map.nooks].map(([id, nook]) => [id, nook.wire()])), overwrite: true } });
    if (this.items.size > 0) events.push({ spaceUpdatesItems: { items: Object.fromEntries(this.items) } });
    for (const command of this.commands.keys()) events.push({ spaceRegistersCommand: { command } });
    for (const settings of this.sessions.values()) events.push({ speakerUpdatesSession: settings });
    for (const [id, ban] of this.bans) events.push({ spaceBansPlayer: { id, name: ban.name, banned: true } });
    for (const player of this.playersOn(mapId)) events.push(...playerEvents(player));
    for (const line of this.chatLog.get(mapId) ?? []) {
      events.push({ playerChats: line.message });
      if (line.likedBy.size > 0) events.push({ playerEditsChatMessage: { id: line.message.id, likes: line.likedBy.size } });
    }
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
      for (const event of playerEvents(player)) this.toMap(mapId, event);
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
}

/** A player as newcomers learn it: its join, then every part of its state as the event that set it. */
export function playerEvents(player: Player): object[] {
  const events: object[] = [{ playerJoins: joinEvent(player) }];
  for (const [kind, fields] of player.state) events.push({ [kind]: { encId: player.encId, ...fields } });
  if (player.inventory.size > 0) events.push({ playerUpdatesInventory: inventoryEvent(player) });
  return events;
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
    away: p.away,
    ghost: p.ghost,
  };
}

export function moveEvent(p: Player): object {
  return { encId: p.encId, x: p.x, y: p.y, direction: p.direction, mapId: p.mapId ?? "" };
}

export function inventoryEvent(p: Player): object {
  return { encId: p.encId, items: Object.fromEntries([...p.inventory].map(([id, count]) => [id, { count }])) };
}
