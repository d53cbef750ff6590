/**
 * The floor of an awaitable WebSocket API: raw uWebSockets.js with each
 * connection's handler parked in `for await` over a minimal async queue,
 * awaiting every send. It pays what any awaitable form must (a message
 * outlives uWS's callback, so text is decoded and binary copied; the handler
 * resumes once per message and once per send) and nothing else: no limits, no
 * close codes, no request context. What upie's idiomatic loop costs beyond
 * this is upie's.
 *
 * Backpressure, minimally: a send resolves at once while uWS buffers at most
 * {@link HIGH_WATER} bytes for the socket, else on the next `drain`. uWS
 * itself never drops (`maxBackpressure: 0`, as upie sets it).
 *
 * Only `/echo` (the echo and idle scenarios).
 *
 * @module
 */
import type { WebSocket } from "uWebSockets.js";
import { loadUws } from "../../lib/server/uws/uws-loader.js";
import { listenUws } from "./shared.js";

const { uws: uWS } = loadUws();

/** Bytes uWS may hold for a socket before a send waits for `drain` (uWS's own default limit). */
const HIGH_WATER = 64 * 1024;
const SENT: Promise<void> = Promise.resolve();

type Message = string | Buffer;

/** A minimal unbounded async queue: one reader, `push` from uWS callbacks, `end` on close. */
class Inbox implements AsyncIterableIterator<Message> {
  #items: Message[] = [];
  #head = 0;
  #reader: ((result: IteratorResult<Message>) => void) | undefined;
  #ended = false;

  push(item: Message): void {
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      reader({ value: item, done: false });
    } else {
      this.#items.push(item);
    }
  }

  end(): void {
    this.#ended = true;
    const reader = this.#reader;
    this.#reader = undefined;
    reader?.({ value: undefined, done: true });
  }

  next(): Promise<IteratorResult<Message>> {
    if (this.#head < this.#items.length) {
      const value = this.#items[this.#head++]!;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.#reader = resolve));
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** What a handler holds: the messages in, and a send that waits while uWS is backpressured. */
class Connection {
  readonly inbox = new Inbox();
  closed = false;
  #drained: (() => void) | undefined;

  constructor(readonly ws: WebSocket<{ connection?: Connection }>) {}

  send(message: Message): Promise<void> {
    if (this.closed) return SENT;
    this.ws.send(message, typeof message !== "string");
    if (this.ws.getBufferedAmount() <= HIGH_WATER) return SENT;
    return new Promise((resolve) => (this.#drained = resolve));
  }

  /** On `drain` and on close: let a waiting send go on. */
  release(): void {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
  }
}

/** The echo handler, as an awaitable API's user writes it. */
async function echo(connection: Connection): Promise<void> {
  for await (const message of connection.inbox) await connection.send(message);
}

const app = uWS.App();

app.ws<{ connection?: Connection }>("/echo", {
  maxBackpressure: 0,
  open: (ws) => {
    const connection = new Connection(ws);
    ws.getUserData().connection = connection;
    void echo(connection);
  },
  message: (ws, message, isBinary) => {
    // The ArrayBuffer is valid only during this callback: decode or copy it now.
    const item = isBinary ? Buffer.from(message.slice(0)) : Buffer.from(message).toString("utf8");
    ws.getUserData().connection?.inbox.push(item);
  },
  drain: (ws) => {
    if (ws.getBufferedAmount() <= HIGH_WATER) ws.getUserData().connection?.release();
  },
  close: (ws) => {
    const connection = ws.getUserData().connection;
    if (connection === undefined) return;
    connection.closed = true;
    connection.release();
    connection.inbox.end();
  },
});

listenUws("uws-await", app, uWS.us_socket_local_port);
