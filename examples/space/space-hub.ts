/**
 * The space server's engine: the spaces, who is connected to which, the
 * per-connection rules (init first, API keys and their roles, bans, txnIds,
 * the rate limit, argument sizes), the fair limits on spaces (per key, per
 * server, idle eviction), and the tick loop that sends each map's events as
 * one published batch (and a filtered copy to clients that block someone or
 * turned events off).
 *
 * @module
 */
import { randomBytes } from "node:crypto";

import { ConnectionClosed, type WebSocket } from "upie";
import { ACTIONS, leaveWhisper, oversized, unfollow } from "./actions/index.js";
import { allows, type ApiKey } from "./roles.js";
import { decodeAction, encodeBatch, type SpaceAction, type SpaceSchema } from "./schema.js";
import { DEFAULT_ACTION_RATE, SpaceConnection, type ActionRate } from "./space-connection.js";
import { MAX_PLAYERS, Space, type ActionResult } from "./space.js";

/** Options of the engine (all of {@link SpaceAppOptions}' space settings). */
export interface SpaceHubOptions {
  /** API key → the name its players start with and its role. */
  apiKeys: Readonly<Record<string, ApiKey>>;
  /** Ticks per second: how often events go out. Default 20. */
  tickHz?: number;
  /** How often the server sends `serverHeartbeat`. Default 5 s. */
  heartbeatIntervalMs?: number;
  /** Per-connection action rate. Default 20/s, bursts of 40 ({@link DEFAULT_ACTION_RATE}). */
  actionRate?: ActionRate;
  /** Most spaces at once. Default 100. */
  maxSpaces?: number;
  /** Most occupied spaces one API key may have opened at once. Default 10. */
  maxSpacesPerKey?: number;
  /** An empty space is dropped after this long (its maps, objects and bans with it). Default 10 min. */
  idleSpaceMs?: number;
  /** Sends a batch to a topic (the app's `publish`). */
  publish: (topic: string, data: Uint8Array) => Promise<void>;
}

/** Statistics the benchmark reads. */
export interface HubStats {
  ticks: number;
  /** Tick durations in ms, the most recent (bounded ring). */
  tickMs: number[];
  /** Events published to maps, times the players on them when sent. */
  eventsDelivered: number;
  actions: number;
}

/** Malformed frames tolerated per connection before it is closed (1007). */
const MAX_MALFORMED = 10;
const SPACE_ID = /^[^\u0000-\u001f]{1,128}$/;

export class SpaceHub {
  readonly schema: SpaceSchema;
  readonly spaces = new Map<string, Space>();
  readonly stats: HubStats = { ticks: 0, tickMs: [], eventsDelivered: 0, actions: 0 };
  readonly #options: Required<Omit<SpaceHubOptions, "publish">> & Pick<SpaceHubOptions, "publish">;
  readonly #tickTimer: ReturnType<typeof setInterval>;
  readonly #heartbeatTimer: ReturnType<typeof setInterval>;

  constructor(schema: SpaceSchema, options: SpaceHubOptions) {
    this.schema = schema;
    this.#options = { tickHz: 20, heartbeatIntervalMs: 5000, actionRate: DEFAULT_ACTION_RATE, maxSpaces: 100, maxSpacesPerKey: 10, idleSpaceMs: 10 * 60_000, ...options };
    const { tickHz, heartbeatIntervalMs, actionRate } = this.#options;
    if (!(tickHz > 0 && tickHz <= 1000)) throw new RangeError("tickHz must be in (0, 1000]");
    if (!(heartbeatIntervalMs >= 10)) throw new RangeError("heartbeatIntervalMs must be at least 10");
    if (!(actionRate.perSecond > 0 && actionRate.burst >= 1)) throw new RangeError("actionRate needs perSecond > 0 and burst >= 1");
    this.#tickTimer = setInterval(() => this.tick(), 1000 / tickHz);
    this.#heartbeatTimer = setInterval(() => this.#heartbeat(), heartbeatIntervalMs);
  }

  /** Stops the timers (the app's shutdown). */
  close(): void {
    clearInterval(this.#tickTimer);
    clearInterval(this.#heartbeatTimer);
  }

  /**
   * Serves one accepted socket until it closes: `init` first, then actions.
   * Every failure is an `error` event, a failed `transactionStatus` or a close code.
   */
  async serve(ws: WebSocket): Promise<void> {
    let connection: SpaceConnection | undefined;
    let space: Space | undefined;
    let malformed = 0;
    try {
      for (;;) {
        let frame: string | Uint8Array;
        try {
          frame = await ws.receive(); // the async iterator yields text; frames here are bytes
        } catch (error) {
          if (error instanceof ConnectionClosed) return;
          throw error;
        }
        if (typeof frame === "string") {
          await sendNow(this, ws, [{ error: { message: "frames are binary protobuf (ClientServerAction)", code: 400 } }]);
          await ws.close(1003, "binary frames only");
          return;
        }
        let action: SpaceAction;
        try {
          action = decodeAction(this.schema, frame);
        } catch (error) {
          malformed++;
          const message = `not a ClientServerAction: ${(error as Error).message}`.slice(0, 200);
          if (connection !== undefined) connection.push({ error: { message, code: 400 } });
          else await sendNow(this, ws, [{ error: { message, code: 400 } }]);
          if (malformed >= MAX_MALFORMED) {
            await ws.close(1007, "too many malformed frames");
            return;
          }
          continue;
        }
        if (connection === undefined) {
          const joined = await this.#init(ws, action);
          if (joined === undefined) return;
          ({ connection, space } = joined);
          continue;
        }
        this.#handle(space!, connection, action);
      }
    } finally {
      if (connection !== undefined && space !== undefined) this.#leave(space, connection);
    }
  }

  /** The first action: must be `init` with a known API key; answers `ready` and the map. */
  async #init(ws: WebSocket, action: SpaceAction): Promise<{ connection: SpaceConnection; space: Space } | undefined> {
    const refuse = async (message: string, code: number, closeCode: number) => {
      await sendNow(this, ws, [{ transactionStatus: { txnId: action.txnId, succeeded: false, reason: message } }, { error: { message, code } }]);
      await ws.close(closeCode, message.slice(0, 100));
      return undefined;
    };
    if (action.action !== "init") return refuse("init first: the first action must be init", 401, 1008);
    const { apiKey, token } = action.init as { spaceId: string; apiKey: string; token: string };
    const spaceId = (action.init.spaceId as string).replaceAll("\\", "/"); // Gather's clients send `abc\Name` for `abc/Name`
    const key = apiKey !== "" ? apiKey : token;
    const account = Object.hasOwn(this.#options.apiKeys, key) ? this.#options.apiKeys[key]! : undefined;
    if (account === undefined) return refuse("invalid api key", 401, 4401);
    if (!SPACE_ID.test(spaceId)) return refuse("spaceId must be 1..128 printable characters", 400, 1008);
    let space = this.spaces.get(spaceId);
    if (space === undefined) {
      const problem = this.#roomFor(key);
      if (problem !== undefined) return refuse(problem, 503, 1013);
      this.spaces.set(spaceId, (space = new Space(spaceId, key)));
    }
    if (space.isBanned(key)) return refuse("this key is banned from the space", 403, 4403);
    if (space.connections.size >= MAX_PLAYERS) return refuse("the space is full", 503, 1013);
    const id = randomBytes(9).toString("base64url");
    const player = {
      id,
      encId: space.nextEncId(),
      name: account.name,
      mapId: undefined,
      x: 0,
      y: 0,
      direction: 3,
      textStatus: "",
      emojiStatus: "",
      away: false,
      ghost: 0,
      key,
      role: account.role,
      state: new Map(),
      inventory: new Map(),
      followers: new Set<string>(),
    };
    const connection = new SpaceConnection(ws, player, this.schema, this.#options.actionRate);
    connection.useTxnId(action.txnId);
    space.connections.set(id, connection);
    space.emptySince = undefined;
    connection.push({ ready: { id, encId: player.encId, role: account.role } });
    connection.push({ transactionStatus: { txnId: action.txnId, succeeded: true, reason: "" } });
    // Everyone starts on the default map, as Gather's clients `enter` right after ready.
    const spawn = space.maps.get(space.defaultMapId)!.spawnPoint();
    if (spawn !== undefined) {
      space.place(connection, space.defaultMapId, spawn.x, spawn.y);
      await ws.subscribe(space.topic(space.defaultMapId)).catch(() => {});
    }
    return { connection, space };
  }

  /**
   * Why `key` may not open a new space, or undefined: the server's cap (an
   * empty space is evicted to make room) and the key's own cap of occupied spaces.
   */
  #roomFor(key: string): string | undefined {
    let mine = 0;
    for (const space of this.spaces.values()) if (space.creatorKey === key && space.connections.size > 0) mine++;
    if (mine >= this.#options.maxSpacesPerKey) return `this key has ${mine} spaces open: at most ${this.#options.maxSpacesPerKey}`;
    if (this.spaces.size < this.#options.maxSpaces) return undefined;
    let idlest: Space | undefined;
    for (const space of this.spaces.values()) {
      if (space.emptySince !== undefined && (idlest === undefined || space.emptySince < idlest.emptySince!)) idlest = space;
    }
    if (idlest === undefined) return "too many spaces on this server";
    this.spaces.delete(idlest.id);
    return undefined;
  }

  /** One action after init: answered with a `transactionStatus`. */
  #handle(space: Space, connection: SpaceConnection, action: SpaceAction): void {
    this.stats.actions++;
    const { txnId } = action;
    const answer = (succeeded: boolean, reason = "") => connection.push({ transactionStatus: { txnId, succeeded, reason } });
    // A flood past floodRate never gets here: upie closed the socket (1008).
    if (!connection.takeToken()) return answer(false, "rate limited: too many actions");
    if (!connection.useTxnId(txnId)) return answer(false, `txnId ${txnId} reused`);
    const name = action.action;
    if (name === undefined) return answer(false, "no action in the frame");
    const def = Object.hasOwn(ACTIONS, name) ? ACTIONS[name]! : undefined;
    if (def === undefined) return answer(false, `no action '${name}'`);
    const role = connection.player.role;
    if (!allows(role, def.role)) return answer(false, `${name} needs the ${def.role} role or above; this key is ${role}`);
    const args = action[name] ?? {};
    const tooBig = oversized(args, name);
    if (tooBig !== undefined) return answer(false, tooBig);
    const mapBefore = connection.player.mapId;
    let result: ActionResult;
    try {
      result = def.handle(space, connection, args);
    } catch (error) {
      // A bug in one handler fails that action, not the connection or the tick.
      console.error(`space: action ${name} threw`, error);
      result = { ok: false, reason: "internal error" };
    }
    answer(result.ok, result.ok ? "" : result.reason);
    if (connection.player.mapId !== mapBefore) space.resubscribe(connection, mapBefore);
  }

  /** A player leaves: its map hears it, and nothing of it stays in others' state. */
  #leave(space: Space, connection: SpaceConnection): void {
    const player = connection.player;
    unfollow(space, connection);
    leaveWhisper(space, connection);
    for (const id of player.followers) space.byId(id)?.player.state.delete("playerSetsFollowTarget");
    for (const handlers of space.commands.values()) handlers.delete(connection);
    for (const id of connection.hiddenIds) {
      const other = space.byId(id);
      if (other === undefined) continue;
      const wasFiltered = other.filtered;
      other.blocking.delete(player.id);
      other.hiddenIds.delete(player.id);
      other.hiddenEncIds.delete(player.encId);
      if (wasFiltered !== other.filtered) space.resubscribe(other, other.player.mapId);
    }
    space.remove(connection);
    space.connections.delete(player.id);
    if (space.connections.size === 0) space.emptySince = performance.now();
  }

  /**
   * One tick: each connection's own events (a newcomer's map snapshot first),
   * then each map's events as one batch published to the map's topic — one
   * encode per map however many players are on it. Never awaits a client.
   */
  tick(): void {
    const started = performance.now();
    for (const space of this.spaces.values()) {
      for (const connection of space.connections.values()) {
        // A client off the shared batch (subscriptions, blocks) gets its filtered copy in its own batch.
        const mapId = connection.player.mapId;
        if (connection.filtered && mapId !== undefined) for (const event of space.outboxes.get(mapId) ?? []) connection.push(event);
        const snapshot = connection.snapshotMapId === undefined ? [] : space.snapshot(connection.snapshotMapId).filter((e) => connection.accepts(e));
        connection.snapshotMapId = undefined;
        connection.flush(snapshot);
      }
      for (const [mapId, events] of space.outboxes) {
        const bytes = encodeBatch(this.schema, events);
        this.stats.eventsDelivered += events.length * space.playersOn(mapId).length;
        void this.#options.publish(space.topic(mapId), bytes).catch(() => {});
      }
      space.outboxes.clear();
      if (space.emptySince !== undefined && started - space.emptySince > this.#options.idleSpaceMs) this.spaces.delete(space.id);
    }
    this.stats.ticks++;
    this.stats.tickMs.push(performance.now() - started);
    if (this.stats.tickMs.length > 10_000) this.stats.tickMs.splice(0, 5_000);
  }

  #heartbeat(): void {
    const now = performance.now();
    for (const space of this.spaces.values()) {
      for (const connection of space.connections.values()) {
        connection.push({ serverHeartbeat: { lastRTT: connection.lastRTT } });
        connection.heartbeatSentAt ??= now;
      }
    }
  }
}

async function sendNow(hub: SpaceHub, ws: WebSocket, events: object[]): Promise<void> {
  await ws.sendBytes(encodeBatch(hub.schema, events)).catch(() => {});
}

