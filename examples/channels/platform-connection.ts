/**
 * `PlatformConnection`: one WebSocket on the channels platform: who it
 * logged in as (and with which session), a frame budget (a token bucket)
 * and an outbox bounded in bytes on top of the framework's backpressure.
 *
 * @module
 */
import type { WebSocket } from "upie";
import type { Account, Session } from "./channel-store.js";

/** Close codes this platform uses (4000-4999 is the application's range, RFC 6455 §7.4.2). */
export const CLOSE = {
  /** Another connection logged in as this service. */
  REPLACED: 4000,
  /** Too many failed logins on one connection. */
  LOGIN_FAILED: 4003,
  /** The session this socket logged in with ended (sign-out; HTTP's 401, in the 4000 range). */
  SIGNED_OUT: 4401,
  /** The peer does not read what it is sent (RFC 6455: 1013 Try Again Later). */
  TOO_SLOW: 1013,
} as const;

/**
 * Bytes a connection may have waiting beyond the framework's backpressure
 * limit (`websocket.maxBackpressure`) before it is closed as too slow: a
 * socket's memory is at most that limit, this outbox and one frame.
 */
export const DEFAULT_OUTBOX_BYTES = 1024 * 1024;

/** How many frames one connection may send: `perSecond` on average, bursts of `burst`. */
export interface FrameRate {
  perSecond: number;
  burst: number;
}

/** The default budget: far above what a person types, low enough that one socket cannot monopolise the platform. */
export const DEFAULT_FRAME_RATE: FrameRate = { perSecond: 200, burst: 400 };
/** Refused frames in a row after which the connection is closed (1008, policy violation). */
const MAX_REFUSED_IN_A_ROW = 200;

/** One WebSocket on the platform: who it logged in as, a frame budget and an outbox bounded in bytes. */
export class PlatformConnection {
  readonly ws: WebSocket;
  account: Account | undefined;
  /** The session it logged in with: ending the session closes the socket. */
  session: Session | undefined;
  /** The service it speaks for (a service connection). */
  serviceId: string | undefined;
  failedLogins = 0;
  #outboxBytes = 0;
  readonly #maxOutbox: number;
  readonly #rate: FrameRate | undefined;
  #tokens: number;
  #refilled = performance.now();
  #refusedInARow = 0;

  /**
   * @param rate - the frame budget; `false` for none (benchmarks).
   * @param maxOutbox - bytes waiting on backpressure past which the socket is closed (1013).
   */
  constructor(ws: WebSocket, rate: FrameRate | false = DEFAULT_FRAME_RATE, maxOutbox = DEFAULT_OUTBOX_BYTES) {
    this.ws = ws;
    // `false`, not `undefined`: a default parameter would turn undefined back into the default budget.
    this.#rate = rate === false ? undefined : rate;
    this.#maxOutbox = maxOutbox;
    this.#tokens = rate === false ? 0 : rate.burst;
  }

  /** Takes one frame from the budget (a token bucket); false when it is spent. */
  takeFrame(): boolean {
    if (this.#rate === undefined) return true;
    const now = performance.now();
    this.#tokens = Math.min(this.#rate.burst, this.#tokens + ((now - this.#refilled) / 1000) * this.#rate.perSecond);
    this.#refilled = now;
    if (this.#tokens >= 1) {
      this.#tokens--;
      this.#refusedInARow = 0;
      return true;
    }
    if (++this.#refusedInARow >= MAX_REFUSED_IN_A_ROW) this.ws.close(1008, "too many frames").catch(() => {});
    return false;
  }

  /** Bytes sent but still waiting on the socket's backpressure. */
  get outboxBytes(): number {
    return this.#outboxBytes;
  }

  /**
   * Sends a frame without waiting for it to be written: one slow reader must
   * not hold up a channel. The framework's send resolves at once under
   * `websocket.maxBackpressure` and waits for a drain above it; the bytes of
   * the sends still waiting are this connection's outbox. Past
   * {@link DEFAULT_OUTBOX_BYTES} (or the app's `outboxBytes`) the socket is
   * closed with 1013 rather than fed more.
   *
   * @param bytes - the frame's UTF-8 size, when the caller already knows it (a fan-out).
   */
  sendText(frame: string, bytes = Buffer.byteLength(frame)): void {
    if (this.#outboxBytes + bytes > this.#maxOutbox) {
      this.ws.close(CLOSE.TOO_SLOW, "not reading fast enough").catch(() => {});
      return;
    }
    this.#outboxBytes += bytes;
    const settled = () => void (this.#outboxBytes -= bytes);
    this.ws.sendText(frame).then(settled, settled); // a rejection: closed meanwhile, nothing to deliver to
  }

  send(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }
}
