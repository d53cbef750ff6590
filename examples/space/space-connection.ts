/**
 * One client's connection to a space: its player, what it may still send
 * (a token bucket, the txnIds it used), and the events addressed only to it
 * (ready, transactionStatus, heartbeats, whispers), flushed once per tick.
 *
 * @module
 */
import type { WebSocket } from "upie";
import type { Role } from "./roles.js";
import { encodeBatch, type SpaceSchema } from "./schema.js";

/** What the server knows about a player. */
export interface Player {
  /** The id `ready` announces; other clients address the player by it. */
  id: string;
  /** The small number events carry instead of the id. */
  encId: number;
  name: string;
  /** The map the player stands on, or undefined after `exit` (or before `enter`). */
  mapId: string | undefined;
  x: number;
  y: number;
  direction: number;
  textStatus: string;
  emojiStatus: string;
  away: boolean;
  ghost: number;
  /** The API key it came in with, and that key's role. */
  key: string;
  role: Role;
  /** The rest of its state, as the last event that set each part (event name → fields), replayed to newcomers. */
  state: Map<string, Record<string, unknown>>;
  /** Item id → count. */
  inventory: Map<string, number>;
  /** The players following this one (their ids). */
  followers: Set<string>;
}

/** How fast one connection may send actions. */
export interface ActionRate {
  /** Actions per second, sustained. */
  perSecond: number;
  /** Actions in a burst. */
  burst: number;
}

/** Recent txnIds remembered per connection to refuse a reuse. */
const TXN_WINDOW = 1024;
/** Direct batches written but not yet accepted by the socket: past this the client is too slow (1013). */
const MAX_INFLIGHT_BATCHES = 64;
/** Direct events held between two ticks; a client that causes more is flooding. */
const MAX_PENDING_EVENTS = 4096;

export class SpaceConnection {
  readonly ws: WebSocket;
  readonly player: Player;
  /** When the last server heartbeat went out (ms), until the client's next heartbeat answers it. */
  heartbeatSentAt: number | undefined;
  lastRTT = 0;
  /** A map this connection must be sent in full before its next events (after entering it). */
  snapshotMapId: string | undefined;
  readonly #schema: SpaceSchema;
  readonly #rate: ActionRate;
  #tokens: number;
  #tokensAt = performance.now();
  readonly #txnIds = new Set<number>();
  /** The last TXN_WINDOW txnIds, a ring: the oldest is forgotten when a new one comes. */
  readonly #txnOrder = new Array<number>(TXN_WINDOW);
  #txnNext = 0;
  #pending: object[] = [];
  #inflight = 0;
  /** Actions refused in a row for the rate limit; many means a flood, and the socket closes. */
  refusedInARow = 0;
  /** Event names this client turned off (updateSubscriptions). */
  readonly unsubscribed = new Set<string>();
  /** Players hidden from this client (blocks, either way): their encIds and ids. */
  readonly hiddenEncIds = new Set<number>();
  readonly hiddenIds = new Set<string>();
  /** The players this client blocks (ids); hiding goes both ways. */
  readonly blocking = new Set<string>();

  constructor(ws: WebSocket, player: Player, schema: SpaceSchema, rate: ActionRate) {
    this.ws = ws;
    this.player = player;
    this.#schema = schema;
    this.#rate = rate;
    this.#tokens = rate.burst;
  }

  /** Takes one token; false when the client sends faster than its rate. */
  takeToken(now = performance.now()): boolean {
    this.#tokens = Math.min(this.#rate.burst, this.#tokens + ((now - this.#tokensAt) * this.#rate.perSecond) / 1000);
    this.#tokensAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Records `txnId`; false when it was used recently on this connection. */
  useTxnId(txnId: number): boolean {
    if (this.#txnIds.has(txnId)) return false;
    const oldest = this.#txnOrder[this.#txnNext];
    if (oldest !== undefined) this.#txnIds.delete(oldest);
    this.#txnOrder[this.#txnNext] = txnId;
    this.#txnNext = (this.#txnNext + 1) % TXN_WINDOW;
    this.#txnIds.add(txnId);
    return true;
  }

  /**
   * True when this client must not get the map's shared batch as is: it turned
   * events off or blocks someone, so the tick sends it a filtered copy instead.
   */
  get filtered(): boolean {
    return this.unsubscribed.size > 0 || this.hiddenIds.size > 0;
  }

  /** Whether `event` reaches this client (its subscriptions and blocks). */
  accepts(event: object): boolean {
    if (!this.filtered) return true;
    for (const kind in event) {
      if (this.unsubscribed.has(kind)) return false;
      const fields = (event as Record<string, Record<string, unknown>>)[kind]!;
      if (typeof fields.encId === "number" && this.hiddenEncIds.has(fields.encId)) return false;
      if (typeof fields.senderId === "string" && this.hiddenIds.has(fields.senderId)) return false;
      if (typeof fields.id === "string" && kind === "playerExits" && this.hiddenIds.has(fields.id)) return false;
    }
    return true;
  }

  /** Queues an event for this client only; it goes out with the next tick. */
  push(event: object): void {
    if (!this.accepts(event)) return;
    if (this.#pending.length >= MAX_PENDING_EVENTS) {
      void this.ws.close(1008, "too many events pending").catch(() => {});
      return;
    }
    this.#pending.push(event);
  }

  /**
   * Sends what is queued (then `suffix`, e.g. a map snapshot after `ready`) as one batch.
   * Never waits: a client whose socket does not keep up with its own
   * batches is closed with 1013 (try again later) instead of stalling the tick.
   */
  flush(suffix: readonly object[] = []): void {
    if (this.#pending.length === 0 && suffix.length === 0) return;
    const events = suffix.length === 0 ? this.#pending : [...this.#pending, ...suffix];
    this.#pending = [];
    if (this.ws.closed) return;
    if (this.#inflight >= MAX_INFLIGHT_BATCHES) {
      void this.ws.close(1013, "too slow: batches are not being read").catch(() => {});
      return;
    }
    this.#inflight++;
    this.ws
      .sendBytes(encodeBatch(this.#schema, events))
      .catch(() => {}) // closed meanwhile: the handler's loop ends and cleans up
      .finally(() => this.#inflight--);
  }
}
