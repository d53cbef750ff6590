/**
 * One map of a space: a grid of tiles, which of them are blocked
 * (collisions), where players spawn, and the objects placed on it.
 *
 * @module
 */

/** An object on a map (a desk, a plant), as the protocol's `MapObject` carries it. */
export interface MapObject {
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
  type: string;
  color: string;
  _name: string;
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
  readonly spawns: Array<{ x: number; y: number }> = [];
  readonly objects = new Map<string, MapObject>();

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

  /** A walkable spawn point (picked at random), or the first walkable tile, or undefined on a fully blocked map. */
  spawnPoint(random: () => number = Math.random): { x: number; y: number } | undefined {
    const open = this.spawns.filter((s) => this.isWalkable(s.x, s.y));
    if (open.length > 0) return open[Math.floor(random() * open.length)]!;
    for (let i = 0; i < this.#collisions.length; i++) if (this.#collisions[i] === 0) return { x: i % this.#width, y: Math.floor(i / this.#width) };
    return undefined;
  }
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
  const objects: MapObject[] = [
    { id: "table-1", x: 6, y: 6, width: 4, height: 2, type: "table", color: "#b08155", _name: "Table" },
    { id: "table-2", x: 28, y: 15, width: 4, height: 2, type: "table", color: "#b08155", _name: "Table" },
    { id: "plant-1", x: 12, y: 20, width: 1, height: 1, type: "plant", color: "#3f9a4a", _name: "Plant" },
    { id: "plant-2", x: 30, y: 4, width: 1, height: 1, type: "plant", color: "#3f9a4a", _name: "Plant" },
  ];
  for (const object of objects) {
    map.objects.set(object.id, object);
    wall(object.x, object.y, object.width, object.height);
  }
  for (let x = 16; x <= 24; x += 2) map.spawns.push({ x, y: 12 });
  return map;
}
