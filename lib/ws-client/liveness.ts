/**
 * Keeping one connection honest: the application heartbeat, protocol pings
 * where the transport has them, and the watchdog that drops a socket from
 * which nothing arrived for `receiveTimeoutMs` (a dead peer behind an open
 * TCP connection never says goodbye).
 *
 * @module
 */
import type { Frame, Transport } from "./transport.js";

/** An application-level heartbeat, sent while connected. */
export interface HeartbeatOptions {
  /** Every this many ms. */
  intervalMs: number;
  /** The message (encoded like `send`'s values). Without it, a protocol ping where the transport can (Node). */
  message?: () => unknown;
}

/** What the timers need to know and do. */
export interface LivenessHooks {
  /** True while the connection is up and past `onConnect` (no heartbeat before). */
  isOpen(): boolean;
  /** `Date.now()` of the last message or pong. */
  lastAlive(): number;
  /** The heartbeat frame, or `undefined` if building it failed (already reported). */
  heartbeatFrame(): Frame | undefined;
  warn(message: string): void;
}

/**
 * The receive timeout in effect: the given one; else 90 s where something
 * makes the peer talk (pings, or a heartbeat it answers); else off, since
 * an idle server that sends nothing is not dead.
 */
export function effectiveReceiveTimeout(receiveTimeoutMs: number | undefined, canPing: boolean, heartbeat: HeartbeatOptions | undefined): number {
  return receiveTimeoutMs ?? (canPing || heartbeat !== undefined ? 90_000 : 0);
}

/**
 * Starts the heartbeat, pings and watchdog of `transport`.
 * @returns a function that stops them all.
 */
export function startLiveness(transport: Transport, heartbeat: HeartbeatOptions | undefined, receiveTimeoutMs: number, hooks: LivenessHooks): () => void {
  const timers: Array<ReturnType<typeof setInterval>> = [];
  if (heartbeat !== undefined) {
    timers.push(setInterval(() => {
      if (!hooks.isOpen()) return;
      if (heartbeat.message === undefined) return transport.ping();
      const frame = hooks.heartbeatFrame();
      // Straight to the socket: a heartbeat has no place in the ordered queue.
      if (frame !== undefined) transport.send(frame, () => {});
    }, heartbeat.intervalMs));
  }
  if (receiveTimeoutMs > 0) {
    // Three pings per timeout: a healthy but quiet peer answers well before it.
    if (transport.canPing) timers.push(setInterval(() => transport.ping(), Math.max(10, receiveTimeoutMs / 3)));
    timers.push(setInterval(() => {
      if (Date.now() - hooks.lastAlive() < receiveTimeoutMs) return;
      hooks.warn(`WSClient: nothing received for ${receiveTimeoutMs} ms; dropping the connection`);
      transport.terminate();
    }, Math.max(10, Math.min(1000, receiveTimeoutMs / 4))));
  }
  return () => {
    for (const timer of timers) clearInterval(timer);
  };
}
