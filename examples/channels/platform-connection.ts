/**
 * `PlatformConnection`: one WebSocket on the channels platform: who it
 * logged in as (and with which session), and what it is sent. Its frame
 * budget and the bound on what it may leave unread are upie's
 * (`websocket.messageRate`, `websocket.maxSubscriberBackpressure`).
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
} as const;

/** One WebSocket on the platform: who it logged in as, and its sends. */
export class PlatformConnection {
  readonly ws: WebSocket;
  account: Account | undefined;
  /** The session it logged in with: ending the session closes the socket. */
  session: Session | undefined;
  /** The service it speaks for (a service connection). */
  serviceId: string | undefined;
  failedLogins = 0;

  constructor(ws: WebSocket) {
    this.ws = ws;
  }

  /**
   * Sends a frame without waiting for it to be written: one slow reader must
   * not hold up a channel. upie keeps unawaited sends in order and bounds
   * them: past `websocket.maxSubscriberBackpressure` the socket is closed
   * with 1013, so a reader that stops holds at most that much memory.
   */
  sendText(frame: string): void {
    void this.ws.sendText(frame);
  }

  send(frame: object): void {
    this.sendText(JSON.stringify(frame));
  }
}
