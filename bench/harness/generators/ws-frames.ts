/**
 * A WebSocket load generator that is not the bottleneck: raw TCP, the HTTP
 * upgrade written by hand, pre-built masked frames written in batches, and
 * replies counted by reading frame headers only (payloads are never decoded).
 * A `ws`-based client tops out near 100k messages/s on these machines; raw uWS
 * echoes several times that, so the client has to be cheaper than any server.
 *
 * It runs as its own process (pinned to another core than the server): the
 * harness calls {@link runWsFrames}, which spawns this file's bundle with the
 * options as JSON; the child prints JSON lines (`start`, `stop`, `opened`,
 * `result`) that the harness uses to sample the server at the right moments.
 *
 * Modes:
 * - `echo`: N connections each keep `window` messages in flight, written
 *   `batch` at a time; latency is per batch (write → last reply of the batch).
 * - `broadcast`: N subscribers and one publisher; the publisher keeps `window`
 *   messages in flight, counted as (sent − delivered / N); deliveries/s counted
 *   at the subscribers; latency is per batch (write → delivered to all, on average).
 * - `idle`: opens N connections, reports `opened`, holds them until told
 *   `release` on stdin (or `holdMs` passes).
 * - `connect`: `concurrency` slots each open a connection, count it when the
 *   handshake completes, reset it (RST: no TIME_WAIT) and open the next.
 *
 * `protocol: "socketio"` speaks Engine.IO 4 / Socket.IO 5 over the same frames:
 * wait for the `0{…}` open packet, send `40`, wait for `40{…}`, send
 * `42["m",…]` events, answer `2` pings with `3`.
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { percentileOfSorted } from "../stats.js";
import { maskedFrame } from "./frame.js";

/** What to run; every field is plain JSON (it crosses a process boundary). */
export interface WsFramesOptions {
  host: string;
  port: number;
  mode: "echo" | "broadcast" | "idle" | "connect";
  protocol: "ws" | "socketio";
  /** WebSocket path (`ws` protocol), e.g. `/echo`; for broadcast, the subscribers' path. */
  path: string;
  /** The publisher's path (broadcast, `ws` protocol). */
  pubPath?: string;
  /** Connections (echo, idle) or subscribers (broadcast). */
  connections: number;
  /** Messages in flight per connection (echo) or for the publisher (broadcast). */
  window: number;
  /** Frames per write. */
  batch: number;
  /** Application payload bytes per message. */
  payloadBytes: number;
  /** Length of the measured window (echo, broadcast, connect). */
  durationMs: number;
  /** Handshakes in flight at once (idle, connect, and while opening echo/broadcast connections). */
  concurrency: number;
  /** Upper bound of connections opened in `connect` mode. */
  maxConnections: number;
  /** Longest time `idle` holds its connections without being released. */
  holdMs: number;
}

/** What one run measured. */
export interface WsFramesResult {
  /** Messages (echo), deliveries (broadcast), handshakes (connect) or open connections (idle). */
  count: number;
  seconds: number;
  /** count / seconds (0 for idle). */
  rate: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Connections that failed to open or closed early, plus protocol surprises. */
  errors: number;
  /** Broadcast: deliveries never seen after the publisher stopped (skipped by the server). */
  lost?: number;
  /** Broadcast: times the window was forced open because nothing arrived for a second. */
  stalls?: number;
}

/** One line the child prints. */
type ChildEvent =
  | { event: "start" }
  | { event: "stop" }
  | { event: "opened"; opened: number; failed: number }
  | ({ event: "result" } & WsFramesResult)
  | { event: "error"; message: string };

// ---------------------------------------------------------------------------
// Messages and handshakes
// ---------------------------------------------------------------------------

/** The application message: text of `bytes` bytes (a Socket.IO event around it for that protocol). */
export function messagePayload(protocol: WsFramesOptions["protocol"], bytes: number): Buffer {
  const text = "x".repeat(Math.max(1, bytes));
  return Buffer.from(protocol === "socketio" ? `42["m","${text}"]` : text);
}

function upgradeRequest(options: WsFramesOptions, path: string): Buffer {
  return Buffer.from(
    `GET ${path} HTTP/1.1\r\n` +
      `Host: ${options.host}:${options.port}\r\n` +
      "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
  );
}

/** The request path for a role; Socket.IO picks the role from its handshake query. */
function pathFor(options: WsFramesOptions, role: "echo" | "sub" | "pub"): string {
  if (options.protocol === "socketio") return `/socket.io/?EIO=4&transport=websocket&role=${role}`;
  return role === "pub" ? (options.pubPath ?? "/pub") : options.path;
}

const PONG = maskedFrame(Buffer.alloc(0), 0xa);
const SIO_CONNECT = maskedFrame(Buffer.from("40"));
const SIO_PONG = maskedFrame(Buffer.from("3"));
const CRLFCRLF = Buffer.from("\r\n\r\n");

// ---------------------------------------------------------------------------
// One connection
// ---------------------------------------------------------------------------

type Phase = "upgrade" | "sio-open" | "sio-connect" | "open" | "closed";

/**
 * A raw WebSocket client connection that counts data frames.
 * `onReady` fires once the handshake (and Socket.IO's connect) is done;
 * `onMessages(n)` once per TCP chunk with the number of messages in it.
 */
class FrameConnection {
  readonly socket: net.Socket;
  phase: Phase = "upgrade";
  received = 0;
  #pending: Buffer | null = null;
  #skip = 0;
  readonly #socketio: boolean;

  constructor(
    options: WsFramesOptions,
    path: string,
    readonly onReady: (conn: FrameConnection) => void,
    readonly onMessages: (conn: FrameConnection, count: number) => void,
    readonly onFail: (conn: FrameConnection, why: string) => void,
  ) {
    this.#socketio = options.protocol === "socketio";
    this.socket = net.connect({ host: options.host, port: options.port, noDelay: true });
    this.socket.on("connect", () => this.socket.write(upgradeRequest(options, path)));
    this.socket.on("data", (chunk: Buffer) => this.#onData(chunk));
    this.socket.on("error", () => {});
    this.socket.on("close", () => {
      if (this.phase !== "closed") {
        const was = this.phase;
        this.phase = "closed";
        this.onFail(this, `closed during ${was}`);
      }
    });
  }

  /** Resets the connection (RST), so neither side keeps a TIME_WAIT entry. */
  reset(): void {
    this.phase = "closed";
    this.socket.resetAndDestroy();
  }

  #onData(chunk: Buffer): void {
    let buffer = chunk;
    if (this.#pending !== null) {
      buffer = Buffer.concat([this.#pending, chunk]);
      this.#pending = null;
    }
    if (this.phase === "upgrade") {
      const end = buffer.indexOf(CRLFCRLF);
      if (end === -1) {
        this.#pending = buffer;
        return;
      }
      if (!buffer.subarray(0, 13).toString("latin1").startsWith("HTTP/1.1 101")) {
        const status = buffer.subarray(0, buffer.indexOf("\r\n")).toString("latin1");
        this.phase = "closed";
        this.socket.destroy();
        this.onFail(this, `handshake answered ${status}`);
        return;
      }
      buffer = buffer.subarray(end + 4);
      if (this.#socketio) {
        this.phase = "sio-open";
      } else {
        this.phase = "open";
        this.onReady(this);
      }
    }
    if (buffer.length > 0) this.#parseFrames(buffer);
  }

  /** Walks the frame headers in `buffer`; payloads are skipped unless a decision needs their first bytes. */
  #parseFrames(buffer: Buffer): void {
    let i = 0;
    if (this.#skip > 0) {
      const skipped = Math.min(this.#skip, buffer.length);
      this.#skip -= skipped;
      i = skipped;
    }
    let messages = 0;
    const end = buffer.length;
    while (i < end && this.phase !== "closed") {
      if (end - i < 2) break;
      const b0 = buffer[i]!;
      const b1 = buffer[i + 1]!;
      let length = b1 & 0x7f;
      let header = 2;
      if (length === 126) {
        if (end - i < 4) break;
        length = buffer.readUInt16BE(i + 2);
        header = 4;
      } else if (length === 127) {
        if (end - i < 10) break;
        length = Number(buffer.readBigUInt64BE(i + 2));
        header = 10;
      }
      if (b1 & 0x80) header += 4; // servers never mask, but be exact if one does
      const opcode = b0 & 0x0f;
      const start = i + header;
      const control = opcode >= 0x8;
      // Control frames and everything before "open" are read whole; data frames
      // need at most their first byte (Socket.IO packet type).
      const need = control || this.phase !== "open" ? length : this.#socketio ? Math.min(1, length) : 0;
      if (end - start < need) break;
      if (control) {
        if (opcode === 0x9) this.socket.write(PONG);
        else if (opcode === 0x8) {
          this.phase = "closed";
          this.socket.destroy();
          this.onFail(this, "server sent close");
          return;
        }
      } else if (this.phase === "open") {
        if (!this.#socketio) messages++;
        else if (length > 0) {
          const type = buffer[start]!;
          if (type === 0x34 /* "4" message */) messages++;
          else if (type === 0x32 /* "2" ping */) this.socket.write(SIO_PONG);
        }
      } else {
        this.#handshakeFrame(buffer.subarray(start, start + length));
      }
      i = start + length;
      if (i > end) {
        this.#skip = i - end;
        i = end;
      }
    }
    if (i < end) this.#pending = buffer.subarray(i);
    if (messages > 0) {
      this.received += messages;
      this.onMessages(this, messages);
    }
  }

  #handshakeFrame(payload: Buffer): void {
    const text = payload.toString("latin1");
    if (this.phase === "sio-open" && text.startsWith("0")) {
      this.phase = "sio-connect";
      this.socket.write(SIO_CONNECT);
    } else if (this.phase === "sio-connect" && text.startsWith("40")) {
      this.phase = "open";
      this.onReady(this);
    } else if (text === "2") {
      this.socket.write(SIO_PONG);
    }
  }
}

// ---------------------------------------------------------------------------
// Modes
// ---------------------------------------------------------------------------

/** Keeps at most `limit` latency samples (uniform reservoir), in milliseconds. */
class Samples {
  readonly #values: Float64Array;
  #seen = 0;
  constructor(limit = 500_000) {
    this.#values = new Float64Array(limit);
  }
  add(ms: number): void {
    const limit = this.#values.length;
    if (this.#seen < limit) this.#values[this.#seen] = ms;
    else {
      const slot = Math.floor(Math.random() * (this.#seen + 1));
      if (slot < limit) this.#values[slot] = ms;
    }
    this.#seen++;
  }
  percentiles(): { p50Ms: number | null; p99Ms: number | null } {
    const n = Math.min(this.#seen, this.#values.length);
    if (n === 0) return { p50Ms: null, p99Ms: null };
    const sorted = this.#values.slice(0, n).sort();
    return { p50Ms: percentileOfSorted(sorted, 50), p99Ms: percentileOfSorted(sorted, 99) };
  }
}

type Emit = (event: ChildEvent) => void;

/** Opens `count` connections, `concurrency` handshakes at a time; resolves with those that opened. */
function openMany(
  options: WsFramesOptions,
  path: string,
  count: number,
  onMessages: (conn: FrameConnection, n: number) => void,
  onLateFail: (conn: FrameConnection) => void,
): Promise<{ open: FrameConnection[]; failed: number }> {
  return new Promise((resolve) => {
    const open: FrameConnection[] = [];
    let started = 0;
    let settled = 0;
    const deadline = setTimeout(() => finish(), 60_000);
    const finish = () => {
      clearTimeout(deadline);
      resolve({ open, failed: count - open.length });
    };
    const next = () => {
      if (started >= count) return;
      started++;
      let done = false;
      new FrameConnection(
        options,
        path,
        (conn) => {
          done = true;
          open.push(conn);
          settled++;
          if (settled === count) finish();
          else next();
        },
        onMessages,
        (conn) => {
          if (done) return onLateFail(conn);
          done = true;
          settled++;
          if (settled === count) finish();
          else next();
        },
      );
    };
    if (count === 0) return finish();
    for (let i = 0; i < Math.min(options.concurrency, count); i++) next();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runEcho(options: WsFramesOptions, emit: Emit): Promise<WsFramesResult> {
  const frame = maskedFrame(messagePayload(options.protocol, options.payloadBytes));
  const batch = Math.max(1, Math.min(options.batch, options.window));
  const batchesInFlight = Math.max(1, Math.floor(options.window / batch));
  const batchBuffer = Buffer.concat(Array.from({ length: batch }, () => frame));
  const samples = new Samples();
  let measuring = false;
  let stopped = false;
  let total = 0;
  let errors = 0;
  const sentAt = new Map<FrameConnection, number[]>();
  const boundary = new Map<FrameConnection, number>();

  const send = (conn: FrameConnection) => {
    sentAt.get(conn)!.push(performance.now());
    conn.socket.write(batchBuffer);
  };
  const onMessages = (conn: FrameConnection, n: number) => {
    if (measuring) total += n;
    let next = boundary.get(conn)!;
    while (conn.received >= next) {
      const at = sentAt.get(conn)!.shift();
      if (measuring && at !== undefined) samples.add(performance.now() - at);
      next += batch;
      if (!stopped) send(conn);
    }
    boundary.set(conn, next);
  };
  const { open, failed } = await openMany(options, pathFor(options, "echo"), options.connections, onMessages, () => errors++);
  errors += failed;
  if (open.length === 0) throw new Error("no connection opened");
  for (const conn of open) {
    sentAt.set(conn, []);
    boundary.set(conn, batch);
    for (let b = 0; b < batchesInFlight; b++) send(conn);
  }
  emit({ event: "start" });
  measuring = true;
  const t0 = performance.now();
  await sleep(options.durationMs);
  measuring = false;
  stopped = true;
  const seconds = (performance.now() - t0) / 1000;
  emit({ event: "stop" });
  for (const conn of open) conn.reset();
  return { count: total, seconds, rate: total / seconds, ...samples.percentiles(), errors };
}

async function runBroadcast(options: WsFramesOptions, emit: Emit): Promise<WsFramesResult> {
  const frame = maskedFrame(messagePayload(options.protocol, options.payloadBytes));
  const batch = Math.max(1, Math.min(options.batch, options.window));
  const batchBuffer = Buffer.concat(Array.from({ length: batch }, () => frame));
  const samples = new Samples();
  let errors = 0;
  let delivered = 0;
  let subscribersHeard = 0;
  const heard = new Set<FrameConnection>();
  // Publishing state: `pump` runs from the first delivery on (the probes), so declare it all first.
  let n = 0;
  let publisher: FrameConnection | undefined;
  let sent = 0;
  let deliveredBase = 0;
  let stopped = true;
  let lastProgress = performance.now();
  let lastDelivered = 0;
  let stalls = 0;
  const sentAt: number[] = [];
  let nextBoundary = batch;

  const onSubscriberMessages = (conn: FrameConnection, n: number) => {
    delivered += n;
    if (!heard.has(conn)) {
      heard.add(conn);
      subscribersHeard++;
    }
    pump();
  };
  const subs = await openMany(options, pathFor(options, "sub"), options.connections, onSubscriberMessages, () => errors++);
  errors += subs.failed;
  const pubs = await openMany({ ...options, concurrency: 1 }, pathFor(options, "pub"), 1, () => {}, () => errors++);
  publisher = pubs.open[0];
  if (publisher === undefined || subs.open.length === 0) throw new Error("broadcast connections did not open");
  n = subs.open.length;

  // Subscriptions may land a little after the 101: probe until every subscriber hears one.
  const probeUntil = performance.now() + 5_000;
  while (subscribersHeard < n && performance.now() < probeUntil) {
    publisher.socket.write(frame);
    await sleep(50);
  }
  if (subscribersHeard < n) errors += n - subscribersHeard;
  await sleep(100);

  function pump(): void {
    if (stopped || publisher === undefined) return;
    const confirmed = (delivered - deliveredBase) / n;
    while (confirmed >= nextBoundary && sentAt.length > 0) {
      samples.add(performance.now() - sentAt.shift()!);
      nextBoundary += batch;
    }
    while (sent - confirmed <= options.window - batch) {
      publisher.socket.write(batchBuffer);
      sentAt.push(performance.now());
      sent += batch;
    }
  }
  const pub = publisher;
  lastDelivered = delivered;
  const watchdog = setInterval(() => {
    const now = performance.now();
    if (delivered !== lastDelivered) {
      lastDelivered = delivered;
      lastProgress = now;
    } else if (!stopped && now - lastProgress > 1_000) {
      stalls++;
      lastProgress = now;
      pub.socket.write(batchBuffer);
      sent += batch;
    }
  }, 100);

  deliveredBase = delivered;
  stopped = false;
  pump();
  emit({ event: "start" });
  const measuredFrom = delivered;
  const t0 = performance.now();
  await sleep(options.durationMs);
  const count = delivered - measuredFrom;
  const seconds = (performance.now() - t0) / 1000;
  stopped = true;
  emit({ event: "stop" });
  // Let what is in flight arrive; anything still missing was skipped by the server.
  const drainUntil = performance.now() + 2_000;
  while (delivered - deliveredBase < sent * n && performance.now() < drainUntil) await sleep(20);
  clearInterval(watchdog);
  const lost = Math.max(0, sent * n - (delivered - deliveredBase));
  for (const conn of [...subs.open, pub]) conn.reset();
  return { count, seconds, rate: count / seconds, ...samples.percentiles(), errors, lost, stalls };
}

async function runIdle(options: WsFramesOptions, emit: Emit, released: Promise<void>): Promise<WsFramesResult> {
  let errors = 0;
  const t0 = performance.now();
  const { open, failed } = await openMany(options, pathFor(options, "echo"), options.connections, () => {}, () => errors++);
  const seconds = (performance.now() - t0) / 1000;
  emit({ event: "opened", opened: open.length, failed });
  await Promise.race([released, sleep(options.holdMs)]);
  const stillOpen = open.filter((conn) => conn.phase === "open").length;
  for (const conn of open) conn.reset();
  return { count: stillOpen, seconds, rate: 0, p50Ms: null, p99Ms: null, errors: errors + failed };
}

async function runConnect(options: WsFramesOptions, emit: Emit): Promise<WsFramesResult> {
  const samples = new Samples();
  const path = pathFor(options, "echo");
  let opened = 0;
  let errors = 0;
  let started = 0;
  let stopped = false;
  let inFlight = 0;
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (allDone = resolve));

  const slot = () => {
    if (stopped || started >= options.maxConnections) {
      if (inFlight === 0) allDone();
      return;
    }
    started++;
    inFlight++;
    const t = performance.now();
    let finished = false;
    const finish = () => {
      finished = true;
      inFlight--;
      setImmediate(slot);
    };
    new FrameConnection(
      options,
      path,
      (conn) => {
        if (!stopped) {
          opened++;
          samples.add(performance.now() - t);
        }
        conn.reset();
        finish();
      },
      () => {},
      () => {
        if (finished) return;
        if (!stopped) errors++;
        finish();
      },
    );
  };
  emit({ event: "start" });
  const t0 = performance.now();
  for (let i = 0; i < options.concurrency; i++) slot();
  await Promise.race([sleep(options.durationMs), done]);
  stopped = true;
  const seconds = (performance.now() - t0) / 1000;
  emit({ event: "stop" });
  await Promise.race([done, sleep(2_000)]);
  return { count: opened, seconds, rate: opened / seconds, ...samples.percentiles(), errors };
}

/** Runs one load in this process (the child side). */
export async function runLoad(options: WsFramesOptions, emit: Emit, released: Promise<void>): Promise<WsFramesResult> {
  switch (options.mode) {
    case "echo":
      return runEcho(options, emit);
    case "broadcast":
      return runBroadcast(options, emit);
    case "idle":
      return runIdle(options, emit, released);
    case "connect":
      return runConnect(options, emit);
  }
}

// ---------------------------------------------------------------------------
// Harness side
// ---------------------------------------------------------------------------

/** Hooks the harness uses to sample the server while the load runs. */
export interface WsFramesHooks {
  /** Spawns the child (the harness adds `taskset` and the bundle path). */
  spawnChild(args: string[]): ChildProcess;
  onStart?(): void;
  onStop?(): void;
  /** Idle mode: called with the open connections; resolve to release them. */
  onOpened?(opened: number, failed: number): Promise<void>;
}

/** Runs one load in a child process and returns its result (the harness side). */
export function runWsFrames(options: WsFramesOptions, hooks: WsFramesHooks): Promise<WsFramesResult & { pid: number }> {
  const child = hooks.spawnChild([JSON.stringify(options)]);
  const pid = child.pid ?? 0;
  const guard = setTimeout(() => child.kill("SIGKILL"), options.durationMs + options.holdMs + 120_000);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    let result: WsFramesResult | undefined;
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      let event: ChildEvent;
      try {
        event = JSON.parse(line) as ChildEvent;
      } catch {
        return;
      }
      if (event.event === "start") hooks.onStart?.();
      else if (event.event === "stop") hooks.onStop?.();
      else if (event.event === "opened") {
        const release = hooks.onOpened?.(event.opened, event.failed) ?? Promise.resolve();
        void release.finally(() => child.stdin?.write("release\n"));
      } else if (event.event === "result") {
        const { event: _, ...rest } = event;
        result = rest;
      } else if (event.event === "error") stderr += event.message;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      if (result !== undefined) resolve({ ...result, pid });
      else {
        const lines = stderr.split("\n").map((line) => line.trim()).filter(Boolean);
        const telling = lines.find((line) => /error/i.test(line)) ?? lines[0] ?? "no output";
        reject(new Error(`ws-frames exited (${code ?? signal}) without a result: ${telling.slice(0, 300)}`));
      }
    });
  });
}

// ---------------------------------------------------------------------------
// Child entry point
// ---------------------------------------------------------------------------

if (process.env.UPIE_BENCH_WS_FRAMES_CHILD === "1") {
  const options = JSON.parse(process.argv[2] ?? "{}") as WsFramesOptions;
  const emit: Emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
  const released = new Promise<void>((resolve) => {
    process.stdin.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("release")) resolve();
    });
    process.stdin.on("end", () => resolve());
  });
  runLoad(options, emit, released).then(
    (result) => {
      emit({ event: "result", ...result });
      process.exit(0);
    },
    (error: unknown) => {
      emit({ event: "error", message: error instanceof Error ? error.message : String(error) });
      process.exit(1);
    },
  );
}
