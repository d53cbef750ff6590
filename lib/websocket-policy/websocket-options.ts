/**
 * WebSocket settings (`new App({ websocket: {...} })`), checked in JS.
 *
 * uWS terminates the whole process on a bad WebSocket setting (an
 * `idleTimeout` of 5, a negative length wrapped to 4 GiB), so every value is
 * checked here first, with an error that names the option.
 *
 * @module
 */
import { InvalidOptionError } from "../protocol/errors.js";
import { isBroker, type Broker } from "../pubsub/broker.js";
import type { MessageRate } from "./message-budget.js";
import { originCheck, type HandshakeRequest, type OriginCheck, type WebSocketOrigins } from "./origin-policy.js";

const KiB = 1024;
const MiB = 1024 * KiB;
/** uWS reads sizes as signed 32-bit integers. */
const MAX_BYTES = 2 ** 31 - 1;

/** WebSocket settings for an app; every one is optional. */
export interface WebSocketOptions<R extends HandshakeRequest = HandshakeRequest> {
  /**
   * Largest message a client may send (bytes). A bigger one closes the
   * connection (uWS rule; the handler sees `ConnectionClosed` with 1009).
   * Default 64 KiB.
   */
  maxPayloadLength?: number;
  /**
   * Seconds without traffic before uWS closes the connection: 0 (never) or
   * 8..960. With `sendPingsAutomatically`, pings keep a live peer from
   * timing out. Default 120.
   */
  idleTimeout?: number;
  /**
   * Bytes a socket may have buffered for sending before `sendText` /
   * `sendBytes` wait for it to drain. Default 64 KiB.
   */
  maxBackpressure?: number;
  /**
   * Bytes a subscriber may have buffered before it is closed with 1013
   * ("Try Again Later") instead of missing a published message. At least
   * `maxBackpressure`. Default 1 MiB.
   */
  maxSubscriberBackpressure?: number;
  /** Most received messages held until the handler reads them; one more closes with 1008. Default 1024. */
  maxQueuedMessages?: number;
  /**
   * Most bytes of received messages held until read; more closes with 1008.
   * At least `maxPayloadLength`. Default: the larger of 1 MiB and `maxPayloadLength`.
   */
  maxQueuedBytes?: number;
  /** Send pings so an idle but live peer is not timed out (it answers with pongs). Default true. */
  sendPingsAutomatically?: boolean;
  /** Minutes after which a connection is closed regardless of traffic: 0 (never) or 1..240. Default 0. */
  maxLifetime?: number;
  /** Where `app.publish` goes. Default: a new {@link LocalBroker} (in process, native uWS topics). */
  broker?: Broker;
  /**
   * Page origins allowed to open a WebSocket (cross-site WebSocket hijacking);
   * a refused handshake gets HTTP 403. Default: same-origin for handshakes that
   * carry cookies. See {@link WebSocketOrigins}.
   */
  origins?: WebSocketOrigins<R>;
  /**
   * Messages one socket may send: `burst` at once, refilled at `perSecond`
   * (a token bucket per socket). A client past it is closed with 1008
   * ("Message rate exceeded"); what it sent before stays in order. Default:
   * no limit.
   */
  messageRate?: MessageRate;
}

/** {@link WebSocketOptions} with every default filled in (the broker stays optional). */
export interface ResolvedWebSocketOptions<R extends HandshakeRequest = HandshakeRequest> {
  readonly maxPayloadLength: number;
  readonly idleTimeout: number;
  readonly maxBackpressure: number;
  readonly maxSubscriberBackpressure: number;
  readonly maxQueuedMessages: number;
  readonly maxQueuedBytes: number;
  readonly sendPingsAutomatically: boolean;
  readonly maxLifetime: number;
  readonly broker: Broker | undefined;
  /** `origins` compiled: true when a handshake's `Origin` is allowed. */
  readonly originAllowed: OriginCheck<R>;
  /** The per-socket message budget, or undefined for none. */
  readonly messageRate: MessageRate | undefined;
}

/** The defaults, for documentation and tests (`maxQueuedBytes` also depends on `maxPayloadLength`). */
/** What one connection's engine enforces (queue bounds, backpressure, the message budget). */
export type WebSocketLimits = Pick<ResolvedWebSocketOptions, "maxBackpressure" | "maxSubscriberBackpressure" | "maxQueuedMessages" | "maxQueuedBytes" | "messageRate">;

export const DEFAULT_WEBSOCKET_OPTIONS = Object.freeze({
  maxPayloadLength: 64 * KiB,
  idleTimeout: 120,
  maxBackpressure: 64 * KiB,
  maxSubscriberBackpressure: 1 * MiB,
  maxQueuedMessages: 1024,
  maxQueuedBytes: 1 * MiB,
  sendPingsAutomatically: true,
  maxLifetime: 0,
});

const KNOWN = new Set([...Object.keys(DEFAULT_WEBSOCKET_OPTIONS), "broker", "origins", "messageRate"]);

/**
 * Validates WebSocket options and fills in the defaults.
 *
 * @param options - `AppOptions.websocket`; `undefined` means all defaults.
 * @returns a frozen, complete set of options.
 * @throws {@link InvalidOptionError} naming the first bad or unknown option.
 * @example
 * ```ts
 * resolveWebSocketOptions({ idleTimeout: 30 }).maxPayloadLength; // 65536
 * resolveWebSocketOptions({ idleTimeout: 5 }); // throws: 0 or 8..960
 * ```
 */
export function resolveWebSocketOptions<R extends HandshakeRequest = HandshakeRequest>(options?: WebSocketOptions<R> | null): ResolvedWebSocketOptions<R> {
  const input = (options ?? {}) as Record<string, unknown>;
  if (typeof input !== "object" || Array.isArray(input)) {
    throw new InvalidOptionError(`websocket options must be an object, got ${describe(input)}`);
  }
  for (const name of Object.keys(input)) {
    if (KNOWN.has(name)) continue;
    if (name === "compression") {
      throw new InvalidOptionError("websocket.compression is not supported: the pinned uWS build has no permessage-deflate");
    }
    throw new InvalidOptionError(`Unknown option 'websocket.${name}' (known: ${[...KNOWN].join(", ")})`);
  }
  const d = DEFAULT_WEBSOCKET_OPTIONS;
  const maxPayloadLength = bytes(input, "maxPayloadLength", d.maxPayloadLength);
  const maxBackpressure = bytes(input, "maxBackpressure", d.maxBackpressure);
  const maxSubscriberBackpressure = bytes(input, "maxSubscriberBackpressure", Math.max(d.maxSubscriberBackpressure, maxBackpressure));
  const maxQueuedBytes = bytes(input, "maxQueuedBytes", Math.max(d.maxQueuedBytes, maxPayloadLength));
  const idleTimeout = integer(input, "idleTimeout", d.idleTimeout);
  // uWS aborts below 8 s (its timer ticks every 4 s) and above 960 s (a byte of ticks).
  if (idleTimeout !== 0 && (idleTimeout < 8 || idleTimeout > 960)) {
    throw new InvalidOptionError(`websocket.idleTimeout must be 0 or 8..960 seconds, got ${idleTimeout}`);
  }
  const maxLifetime = integer(input, "maxLifetime", d.maxLifetime);
  if (maxLifetime > 240) throw new InvalidOptionError(`websocket.maxLifetime must be 0..240 minutes, got ${maxLifetime}`);
  if (maxSubscriberBackpressure < maxBackpressure) {
    throw new InvalidOptionError(`websocket.maxSubscriberBackpressure (${maxSubscriberBackpressure}) must be at least maxBackpressure (${maxBackpressure})`);
  }
  if (maxQueuedBytes < maxPayloadLength) {
    throw new InvalidOptionError(`websocket.maxQueuedBytes (${maxQueuedBytes}) must be at least maxPayloadLength (${maxPayloadLength}), or one allowed message would overflow the queue`);
  }
  const pings = input.sendPingsAutomatically ?? d.sendPingsAutomatically;
  if (typeof pings !== "boolean") throw new InvalidOptionError(`websocket.sendPingsAutomatically must be a boolean, got ${describe(pings)}`);
  const broker = input.broker;
  if (broker !== undefined && !isBroker(broker)) {
    throw new InvalidOptionError("websocket.broker must have publish(topic, message) and attach(sink) methods");
  }
  return Object.freeze({
    maxPayloadLength,
    idleTimeout,
    maxBackpressure,
    maxSubscriberBackpressure,
    maxQueuedMessages: count(input, "maxQueuedMessages", d.maxQueuedMessages),
    maxQueuedBytes,
    sendPingsAutomatically: pings,
    maxLifetime,
    broker,
    originAllowed: originCheck(input.origins as WebSocketOrigins<R> | undefined),
    messageRate: messageRate(input.messageRate),
  });
}

function messageRate(value: unknown): MessageRate | undefined {
  if (value === undefined) return undefined;
  const rate = value as Partial<MessageRate> | null;
  const perSecond = rate?.perSecond;
  const burst = rate?.burst;
  if (typeof rate !== "object" || rate === null || Array.isArray(rate)) {
    throw new InvalidOptionError(`websocket.messageRate must be { perSecond, burst }, got ${describe(value)}`);
  }
  if (typeof perSecond !== "number" || !Number.isFinite(perSecond) || perSecond <= 0) {
    throw new InvalidOptionError(`websocket.messageRate.perSecond must be a finite number > 0, got ${describe(perSecond)}`);
  }
  if (typeof burst !== "number" || !Number.isSafeInteger(burst) || burst < 1) {
    throw new InvalidOptionError(`websocket.messageRate.burst must be a whole number >= 1, got ${describe(burst)}`);
  }
  for (const name of Object.keys(rate)) {
    if (name !== "perSecond" && name !== "burst") throw new InvalidOptionError(`Unknown option 'websocket.messageRate.${name}' (known: perSecond, burst)`);
  }
  return Object.freeze({ perSecond, burst });
}

function bytes(input: Record<string, unknown>, name: string, fallback: number): number {
  const value = input[name] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_BYTES) {
    throw new InvalidOptionError(`websocket.${name} must be a whole number of bytes in 1..${MAX_BYTES}, got ${describe(value)}`);
  }
  return value;
}

function count(input: Record<string, unknown>, name: string, fallback: number): number {
  const value = input[name] ?? fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(`websocket.${name} must be a positive whole number, got ${describe(value)}`);
  }
  return value;
}

function integer(input: Record<string, unknown>, name: string, fallback: number): number {
  const value = input[name] ?? fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new InvalidOptionError(`websocket.${name} must be a whole number ≥ 0, got ${describe(value)}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}
