/**
 * One client's connection to a space: its player, what it may still send
 * (its action budget, the txnIds it used), and the events addressed only to it
 * (ready, transactionStatus, heartbeats, whispers), flushed once per tick.
 *
 * @module
 */
import type { MessageRate, WebSocket } from "upie";
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

/** How fast one connection may send actions (upie's `MessageRate`). */
export type ActionRate = MessageRate;

/** The default: 20 actions a second, bursts of 40. */
export const DEFAULT_ACTION_RATE: Readonly<ActionRate> = Object.freeze({ perSecond: 20, burst: 40 });

/**
 * The flood limit for an action rate, given to upie as `websocket.messageRate`:
 * Gather's protocol answers every action, so an action over {@link ActionRate}
 * gets a failed `transactionStatus` ("rate limited") and a client can slow
 * down and go on; a client that keeps sending at twice the rate, or 160 frames
 * past its burst, is flooding and upie closes it (1008).
 */
export function floodRate(rate: ActionRate): MessageRate {
  return { perSecond: rate.perSecond * 2, burst: rate.burst + 160 };
}

/** Recent txnIds remembered per connection to refuse a reuse. */
const TXN_WINDOW = 1024;
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

  /** Takes one action from the budget (a token bucket); false when the client sends faster than its rate. */
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
   * Never waits: upie bounds the sends nobody awaits, and closes a client that
   * does not read its batches with 1013 (`websocket.maxSubscriberBackpressure`)
   * instead of stalling the tick.
   */
  flush(suffix: readonly object[] = []): void {
    if (this.#pending.length === 0 && suffix.length === 0) return;
    const events = suffix.length === 0 ? this.#pending : [...this.#pending, ...suffix];
    this.#pending = [];
    if (!this.ws.closed) void this.ws.sendBytes(encodeBatch(this.#schema, events));
  }
}
