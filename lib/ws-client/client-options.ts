/**
 * The options of `WSClient`, their defaults, and the check that refuses a
 * bad one when the client is made (not at the first failure, hours later).
 *
 * @module
 */
import { InvalidOptionError } from "../protocol/errors.js";
import type { ReconnectOptions } from "./backoff.js";
import type { HeartbeatOptions } from "./liveness.js";
import type { WebSocketConstructor } from "./transport.js";

/** Where the client reports what went wrong; `console` fits. */
export interface ClientLogger {
  error(message: string, error?: unknown): void;
  warn?(message: string, error?: unknown): void;
}

/**
 * Opt-in acknowledgements, for at-least-once delivery with deduplication:
 * every send gets an id (`stamp` puts it in the message), the server
 * answers with a message naming that id (`match` finds it), and `send()`
 * resolves only then. A send not acknowledged when its connection dies is
 * sent again, with the same id, first after the next connect; a server that
 * remembers recent ids drops the repeat (and acknowledges it again).
 */
export interface AckOptions {
  /** Returns the value to send, carrying `id` (e.g. `{ ...value, request_id: id }`). */
  stamp(value: unknown, id: string): unknown;
  /** The id an inbound message acknowledges, or `undefined` if it is not an acknowledgement. Acknowledgements are not passed to `handle`. */
  match(message: string | Uint8Array): string | undefined;
}

/**
 * Everything about a `WSClient`; all optional. `Client` is the client handed
 * to `onConnect` (ws-client.ts binds it to `WSClient`: a parameter here, so
 * this file does not import the class that imports it).
 */
export interface ClientOptions<Client> {
  /** Runs after every (re)connect, before queued sends go out; what it sends goes first. A throw drops the connection and it is retried. */
  onConnect?: (client: Client) => unknown;
  /** Each inbound message (text as `string`, binary as `Uint8Array`), one at a time, in arrival order. A throw is logged; the next message follows. */
  handle?: (message: string | Uint8Array) => unknown;
  heartbeat?: HeartbeatOptions;
  /**
   * Nothing received (messages or pongs) for this long: the socket is dead,
   * drop it and reconnect. `0` turns it off. Default: 90 s where the
   * transport pings (Node's `ws`) or a heartbeat is set, else off (a browser
   * cannot ping, and an idle server sends nothing).
   */
  receiveTimeoutMs?: number;
  /** The connect timeout per attempt, and how long a send may wait to be written. Default 16 s. */
  timeoutMs?: number;
  /** How long a send may wait to be written (or acknowledged), if not `timeoutMs`: e.g. longer, to ride out outages. */
  sendTimeoutMs?: number;
  reconnect?: ReconnectOptions;
  /** Unsettled sends beyond this reject with `QueueFullError`. Default 10 000. */
  maxQueue?: number;
  /**
   * Largest inbound message, in bytes. A bigger one is not delivered: the
   * connection closes with 1009 ("message too big") and the client
   * reconnects as after any close. With `ws` (Node) it is refused as it
   * arrives, before it is buffered; a standard `WebSocket` has already
   * buffered it. Default 16 MiB.
   */
  maxMessageBytes?: number;
  /**
   * Bytes of inbound messages waiting for `handle` before the client stops
   * reading the socket, so TCP makes the server wait; it reads again once
   * `handle` has worked through half. A standard `WebSocket` (browsers) cannot
   * stop reading: there the connection is closed instead (reported as 1008),
   * and the client reconnects once `handle` has caught up; what the server sent
   * meanwhile is not received. Default 16 MiB.
   */
  maxUnhandledBytes?: number;
  /** Like `maxUnhandledBytes`, counted in messages. Default 1000. */
  maxUnhandledMessages?: number;
  protocols?: string | string[];
  /** Handshake headers (Node only: it then uses `ws`). */
  headers?: Record<string, string>;
  /** The WebSocket constructor to use (tests, or Node's standard one on purpose); default: `ws` in Node, else the global one. */
  WebSocket?: WebSocketConstructor;
  acks?: AckOptions;
  /** Default: `console`. */
  logger?: ClientLogger;
}

/** `maxMessageBytes` when not given: 16 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** `maxUnhandledBytes` when not given: 16 MiB. */
export const DEFAULT_MAX_UNHANDLED_BYTES = 16 * 1024 * 1024;
/** `maxUnhandledMessages` when not given. */
export const DEFAULT_MAX_UNHANDLED_MESSAGES = 1000;

/**
 * Checks the url and every numeric option.
 *
 * @throws {@link InvalidOptionError} (a `TypeError`) naming the first bad one.
 */
export function checkClientOptions<Client>(url: string, options: ClientOptions<Client>): void {
  if (typeof url !== "string" || !/^wss?:\/\//i.test(url)) throw new InvalidOptionError(`WSClient: url must start with ws:// or wss://, got ${String(url)}`);
  const positive = (name: string, value: number | undefined, allowZero = false) => {
    if (value === undefined) return;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
      throw new InvalidOptionError(`WSClient: ${name} must be a ${allowZero ? "non-negative" : "positive"} finite number, got ${String(value)}`);
    }
  };
  positive("timeoutMs", options.timeoutMs);
  positive("sendTimeoutMs", options.sendTimeoutMs);
  positive("receiveTimeoutMs", options.receiveTimeoutMs, true);
  positive("maxQueue", options.maxQueue);
  positive("maxMessageBytes", options.maxMessageBytes);
  positive("maxUnhandledBytes", options.maxUnhandledBytes);
  positive("maxUnhandledMessages", options.maxUnhandledMessages);
  positive("reconnect.initialDelayMs", options.reconnect?.initialDelayMs);
  positive("reconnect.maxDelayMs", options.reconnect?.maxDelayMs);
  positive("reconnect.healthyAfterMs", options.reconnect?.healthyAfterMs, true);
  positive("heartbeat.intervalMs", options.heartbeat?.intervalMs ?? (options.heartbeat ? Number.NaN : undefined));
  if (options.headers !== undefined && typeof (globalThis as { process?: unknown }).process === "undefined" && options.WebSocket === undefined) {
    throw new InvalidOptionError("WSClient: headers are Node-only (a browser WebSocket cannot send them)");
  }
}
