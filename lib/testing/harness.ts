/**
 * What the adapter contract suite drives: one app served by one adapter, and
 * a client for it. Two harnesses come with upie (uWebSockets.js over real
 * sockets, and the in-process TestClient); a third adapter proves itself by
 * providing its own.
 *
 * @module
 */
import type { App } from "../core/app.js";

/** A collected HTTP response. */
export interface HarnessResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  text: string;
}

/** The client end of one WebSocket. */
export interface HarnessSocket {
  /** 101 when accepted, else the status the handshake was refused with. */
  readonly status: number;
  /** Resolves once either side closed, with what the client saw. */
  readonly closed: Promise<{ code: number; reason: string }>;
  sendText(text: string): void;
  sendBytes(bytes: Uint8Array): void;
  /**
   * The next message the app sent: a string for text, bytes for binary.
   *
   * @param timeoutMs - rejects after this long (default 5000).
   */
  next(timeoutMs?: number): Promise<string | Uint8Array>;
  /** Stops taking messages off the connection (the app then meets backpressure). */
  pause(): void;
  /** Takes messages off the connection again. */
  resume(): void;
  close(code?: number, reason?: string): void;
}

/** One app served by the adapter under test. */
export interface AdapterHarness {
  /**
   * Sends one request and collects the response.
   *
   * @param init - headers, a body (whole, or pieces sent one by one as they
   *   are yielded: chunked transfer encoding over a socket), and a signal to
   *   leave mid-request.
   */
  request(method: string, path: string, init?: { headers?: Record<string, string>; body?: string | AsyncIterable<string>; signal?: AbortSignal }): Promise<HarnessResponse>;
  /** Opens a WebSocket; resolves once the app answered the handshake. */
  websocket(path: string): Promise<HarnessSocket>;
  /** Stops serving, as `server.close()` does. */
  close(): Promise<void>;
}

/** An adapter, as the contract suite sees it. */
export interface AdapterUnderTest {
  /** Shown in the suite's title. */
  readonly name: string;
  /** Serves `app` (a fresh one per test). */
  serve(app: App): Promise<AdapterHarness>;
}
