/**
 * One map of a space: a grid of tiles, which of them are blocked
 * (collisions), where players spawn, the objects placed on it, its nooks,
 * and the rest of what map editing sets (name, images, portals…), kept as
 * the last event that set each part so a newcomer gets it replayed.
 *
 * @module
 */

/** An object on a map, as the protocol's `WireObject` carries it (decoded, every field present). */
export type MapObject = Record<string, any> & { id: string; key: number; x: number; y: number; width: number; height: number };

/** A nook: tiles that form a private area; a restricted one lets in only its allowed users. */
export interface Nook {
  id: string;
  name: string;
  restricted: boolean;
  capacity: number;
  tiles: Array<{ x: number; y: number }>;
  allowed: Set<string>;
  /** Player id → the name they asked with. */
  requested: Map<string, string>;
  recording: { active: boolean; initiatingPlayer: string };
  /** The nook as `mapSetNooks` carries it (NookDiff). */
  wire(): Record<string, unknown>;
}

/** A portal: stepping on it and `enterPortal` goes to another map's tile or a URL. */
export interface Portal {
  x: number;
  y: number;
  targetMap: string;
  targetUrl: string;
  targetX: number;
  targetY: number;
}

/** The largest map side in tiles: a mask is width × height bytes. */
export const MAX_MAP_SIDE = 256;
/** Objects per map, so no client grows the server's memory without bound. */
export const MAX_OBJECTS = 500;

export class SpaceMap {
  readonly id: string;
  #width: number;
  #height: number;
  /** One byte per tile, row by row: non-zero = blocked. */
  #collisions: Uint8Array;
  readonly spawns: Array<{ x: number; y: number; spawnId: string }> = [];
  readonly objects = new Map<string, MapObject>();
  /** Object key → id (the keyed actions, mapSetObjects and mapDeleteObject, name objects by number). */
  readonly keys = new Map<number, string>();
  #nextKey = 1;
  readonly nooks = new Map<string, Nook>();
  portals: Portal[] = [];
  /** Chat kinds allowed from this map; undefined = all. */
  enabledChats: Set<string> | undefined;
  /** Map settings as the last event that set each (event name → fields). */
  readonly state = new Map<string, Record<string, unknown>>();

  constructor(id: string, width: number, height: number) {
    this.id = id;
    this.#width = width;
    this.#height = height;
    this.#collisions = new Uint8Array(width * height);
  }

  get width(): number {
    return this.#width;
  }

  get height(): number {
    return this.#height;
  }

  /** The whole collision mask (a copy). */
  get collisions(): Uint8Array {
    return this.#collisions.slice();
  }

  /** True when (x, y) is on the map and not blocked. */
  isWalkable(x: number, y: number): boolean {
    return this.contains(x, y) && this.#collisions[y * this.#width + x] === 0;
  }

  contains(x: number, y: number): boolean {
    return Number.isInteger(x) && Number.isInteger(y) && x >= 0 && y >= 0 && x < this.#width && y < this.#height;
  }

  /** Resizes, keeping the collisions that still fit; spawns off the new map are dropped. */
  setDimensions(width: number, height: number): void {
    const next = new Uint8Array(width * height);
    for (let y = 0; y < Math.min(height, this.#height); y++) {
      for (let x = 0; x < Math.min(width, this.#width); x++) next[y * width + x] = this.#collisions[y * this.#width + x]!;
    }
    this.#width = width;
    this.#height = height;
    this.#collisions = next;
    for (let i = this.spawns.length - 1; i >= 0; i--) if (!this.contains(this.spawns[i]!.x, this.spawns[i]!.y)) this.spawns.splice(i, 1);
  }

  /** Sets the w × h rectangle at (x, y) from `mask` (w*h bytes). The caller checks that it fits. */
  setCollisions(x: number, y: number, w: number, h: number, mask: Uint8Array): void {
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) this.#collisions[(y + row) * this.#width + x + col] = mask[row * w + col] === 0 ? 0 : 1;
    }
  }

  setImpassable(x: number, y: number, impassable: boolean): void {
    this.#collisions[y * this.#width + x] = impassable ? 1 : 0;
  }

  /** A walkable spawn point (`spawnId` if given, else one at random), or the first walkable tile, or undefined. */
  spawnPoint(random: () => number = Math.random, spawnId = ""): { x: number; y: number } | undefined {
    const open = this.spawns.filter((s) => this.isWalkable(s.x, s.y) && (spawnId === "" || s.spawnId === spawnId));
    if (open.length > 0) return open[Math.floor(random() * open.length)]!;
    if (spawnId !== "") return undefined;
    for (let i = 0; i < this.#collisions.length; i++) if (this.#collisions[i] === 0) return { x: i % this.#width, y: Math.floor(i / this.#width) };
    return undefined;
  }

  /** The walkable tile nearest (x, y) (itself if walkable), searching outwards; undefined on a full map. */
  nearestWalkable(x: number, y: number): { x: number; y: number } | undefined {
    for (let r = 0; r < Math.max(this.#width, this.#height); r++) {
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          if (Math.max(Math.abs(dx), Math.abs(dy)) === r && this.isWalkable(x + dx, y + dy)) return { x: x + dx, y: y + dy };
        }
      }
    }
    return undefined;
  }

  /** Adds or replaces an object (keeping its key when it had one). */
  putObject(object: Omit<MapObject, "key"> & { key?: number }): MapObject {
    const old = this.objects.get(object.id);
    const key = old?.key ?? (object.key !== undefined && object.key > 0 && !this.keys.has(object.key) ? object.key : this.#takeKey());
    const stored = { ...object, key } as MapObject;
    this.objects.set(stored.id, stored);
    this.keys.set(key, stored.id);
    return stored;
  }

  deleteObject(id: string): MapObject | undefined {
    const object = this.objects.get(id);
    if (object === undefined) return undefined;
    this.objects.delete(id);
    this.keys.delete(object.key);
    return object;
  }

  #takeKey(): number {
    while (this.keys.has(this.#nextKey)) this.#nextKey++;
    return this.#nextKey++;
  }

  /** The restricted nook covering (x, y) that `playerId` may not enter, if any. */
  closedNookAt(x: number, y: number, playerId: string): Nook | undefined {
    for (const nook of this.nooks.values()) {
      if (!nook.restricted || nook.allowed.has(playerId)) continue;
      if (nook.tiles.some((t) => t.x === x && t.y === y)) return nook;
    }
    return undefined;
  }

  portalAt(x: number, y: number): Portal | undefined {
    return this.portals.find((p) => p.x === x && p.y === y);
  }
}

/** A nook from its wire form (NookDiff), merged over `old` when given. */
export function nookFrom(id: string, diff: Record<string, any>, old?: Nook): Nook {
  const coords: Array<{ x: number; y: number }> = diff.nookCoords?.coords?.length > 0 ? diff.nookCoords.coords.map((c: { x: number; y: number }) => ({ x: c.x, y: c.y })) : (old?.tiles ?? []);
  const allowed = new Set<string>(diff.allowedUsers?.users?.length > 0 ? diff.allowedUsers.users : (old?.allowed ?? []));
  const nook: Nook = {
    id,
    name: diff.name || old?.name || id,
    restricted: diff.restricted === true,
    capacity: diff.capacity || old?.capacity || 0,
    tiles: coords,
    allowed,
    requested: old?.requested ?? new Map(),
    recording: old?.recording ?? { active: false, initiatingPlayer: "" },
    wire() {
      return {
        nookCoords: { coords: this.tiles },
        name: this.name,
        restricted: this.restricted,
        capacity: this.capacity,
        allowedUsers: { users: [...this.allowed] },
        requestedUsers: { users: Object.fromEntries([...this.requested].map(([player, name]) => [player, { name }])) },
        recordingInfo: this.recording,
      };
    },
  };
  return nook;
}

/**
 * The map a new space starts with: a 40 × 25 room with walls around it,
 * two tables, a row of plants, and spawn points near the middle.
 */
export function defaultMap(id = "main"): SpaceMap {
  const map = new SpaceMap(id, 40, 25);
  const wall = (x: number, y: number, w: number, h: number) => map.setCollisions(x, y, w, h, new Uint8Array(w * h).fill(1));
  wall(0, 0, 40, 1);
  wall(0, 24, 40, 1);
  wall(0, 0, 1, 25);
  wall(39, 0, 1, 25);
  wall(20, 1, 1, 8); // a half wall between two rooms
  wall(20, 16, 1, 8);
  const objects = [
    { id: "table-1", x: 6, y: 6, width: 4, height: 2, templateId: "table", color: "#b08155", _name: "Table" },
    { id: "table-2", x: 28, y: 15, width: 4, height: 2, templateId: "table", color: "#b08155", _name: "Table" },
    { id: "plant-1", x: 12, y: 20, width: 1, height: 1, templateId: "plant", color: "#3f9a4a", _name: "Plant" },
    { id: "plant-2", x: 30, y: 4, width: 1, height: 1, templateId: "plant", color: "#3f9a4a", _name: "Plant" },
  ];
  for (const object of objects) {
    map.putObject(object);
    wall(object.x, object.y, object.width, object.height);
  }
  for (let x = 16; x <= 24; x += 2) map.spawns.push({ x, y: 12, spawnId: "" });
  return map;
}
