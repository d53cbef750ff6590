/**
 * The sending side of WSClient, socket-free: an Outbox driven through its
 * OutboxLink (as ws-client.ts builds it) and a recording Transport that
 * confirms writes only when the test says so.
 */
import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";

import { InvalidArgumentError } from "../../lib/protocol/errors.js";
import type { AckOptions } from "../../lib/ws-client/client-options.js";
import { ClientTimeoutError, ConnectionClosed, QueueFullError } from "../../lib/ws-client/errors.js";
import { Outbox, type OutboxOptions } from "../../lib/ws-client/outbox.js";
import type { Frame, Transport } from "../../lib/ws-client/transport.js";
import { quietLogger, sleep, until } from "./helpers.js";

/** A transport that records each write and holds its confirmation until {@link confirm}. */
class RecordingTransport implements Transport {
  canPing = true;
  readonly canPause = true;
  bufferedAmount = 0;
  readonly sent: Frame[] = [];
  readonly pending: Array<(error?: Error) => void> = [];
  terminated = 0;

  send(data: Frame, done: (error?: Error) => void): void {
    this.sent.push(data);
    this.pending.push(done);
  }

  /** Confirms the oldest `count` writes, in order (as every transport does). */
  confirm(count = this.pending.length): void {
    for (const done of this.pending.splice(0, count)) done();
  }

  ping(): void {}
  pause(): void {}
  resume(): void {}
  close(): void {}
  terminate(): void {
    this.terminated++;
  }
}

/** The client's side of the link, as plain state the test flips. */
interface Link {
  transport: Transport | undefined;
  connection: number;
  connected: boolean;
  inOnConnect: boolean;
  closed: boolean;
}

/** Every outbox of the current test, for its close: what WSClient.close() does to the expiry timer. */
const outboxes: Outbox[] = [];
afterEach(() => {
  for (const outbox of outboxes.splice(0)) outbox.stopExpiry();
});

function setup(options: Partial<OutboxOptions> = {}) {
  const logger = quietLogger();
  const link: Link = { transport: undefined, connection: 0, connected: false, inOnConnect: false, closed: false };
  const outbox = new Outbox({ maxQueue: 100, sendTimeoutMs: 10_000, acks: undefined, logger, ...options }, link);
  outboxes.push(outbox);
  /** Opens a connection on `transport` the way WSClient does: attach, then connected, then pump. */
  const open = (transport = new RecordingTransport(), { connected = true } = {}) => {
    link.transport = transport;
    link.connection++;
    outbox.attach(transport);
    link.connected = connected;
    if (connected) outbox.pump();
    return transport;
  };
  /** The connection ended while the client goes on. */
  const drop = () => {
    link.transport = undefined;
    link.connected = false;
    outbox.requeue(new ConnectionClosed(1006, "connection lost"));
  };
  return { outbox, link, logger, open, drop };
}

/** Records how each send settled, in the order it happened. */
function recorder() {
  const log: string[] = [];
  const track = (label: string, sending: Promise<void>) =>
    sending.then(
      () => void log.push(`ok ${label}`),
      (error: Error) => void log.push(`${error.name} ${label}`),
    );
  return { log, track };
}

/** Acknowledgements as JSON: sends carry `id`, the server answers `{ "ack": id }`. */
const JSON_ACKS: AckOptions = {
  stamp: (value, id) => ({ ...(value as object), id }),
  match: (message) => (typeof message === "string" ? (JSON.parse(message) as { ack?: string }).ack : undefined),
};

const idOf = (frame: Frame | undefined): string => (JSON.parse(String(frame)) as { id: string }).id;

describe("Outbox", () => {
  describe("#send", () => {
    it("holds sends until connected, then writes them in call order, encoded, and resolves each as its write is confirmed", async () => {
      const { outbox, open } = setup();
      const { log, track } = recorder();
      const settled = [track("text", outbox.send("hi")), track("json", outbox.send({ n: 1 })), track("bytes", outbox.send(new Uint8Array([1, 2])))];
      assert.equal(outbox.queued, 3);
      const transport = open();
      assert.deepEqual(transport.sent, ["hi", '{"n":1}', new Uint8Array([1, 2])]);
      transport.confirm(2);
      await sleep(0);
      assert.deepEqual(log, ["ok text", "ok json"], "the third write is not confirmed yet");
      assert.equal(outbox.queued, 1);
      transport.confirm();
      await Promise.all(settled);
      assert.deepEqual(log, ["ok text", "ok json", "ok bytes"]);
      assert.equal(outbox.queued, 0);
    });

    it("writes while onConnect runs only what onConnect sends, ahead of the sends that waited", () => {
      const { outbox, link, open } = setup();
      void outbox.send("queued");
      const transport = open(undefined, { connected: false });
      link.inOnConnect = true;
      void outbox.send("login");
      assert.deepEqual(transport.sent, ["login"]);
      link.inOnConnect = false;
      link.connected = true;
      outbox.pump();
      assert.deepEqual(transport.sent, ["login", "queued"]);
    });

    it("rejects what it cannot encode or queue, and writes nothing for it", async () => {
      const { outbox, open } = setup({ maxQueue: 1 });
      await assert.rejects(outbox.send(undefined as never), InvalidArgumentError);
      void outbox.send("one");
      await assert.rejects(outbox.send("two"), (error: unknown) => error instanceof QueueFullError && error.code === "UPIE_ERR_WS_CLIENT_QUEUE_FULL");
      assert.deepEqual(open().sent, ["one"]);
    });

    it("rejects a send whose acks.stamp throws", async () => {
      const boom = new Error("stamp failed");
      const { outbox } = setup({ acks: { ...JSON_ACKS, stamp: () => { throw boom; } } });
      await assert.rejects(outbox.send({ n: 1 }), (error: unknown) => error === boom);
      assert.equal(outbox.queued, 0);
    });
  });

  describe("#pump", () => {
    it("stops writing while the socket holds over 1 MiB, and goes on when a confirmation finds it drained", () => {
      const { outbox, open } = setup();
      const transport = open();
      void outbox.send("a");
      transport.bufferedAmount = 2 << 20;
      void outbox.send("b");
      void outbox.send("c");
      assert.deepEqual(transport.sent, ["a"], "backpressure: b and c wait");
      transport.bufferedAmount = 0;
      transport.confirm(1);
      assert.deepEqual(transport.sent, ["a", "b", "c"]);
    });

    it("looks again by itself on a browser socket, which never says its buffer drained", async () => {
      const { outbox, open } = setup();
      const transport = new RecordingTransport();
      transport.canPing = false;
      transport.bufferedAmount = 2 << 20;
      open(transport);
      void outbox.send("a");
      assert.deepEqual(transport.sent, []);
      transport.bufferedAmount = 0;
      await until("the drain timer writes", () => transport.sent.length === 1, 2_000);
      assert.deepEqual(transport.sent, ["a"]);
    });

    it("stops at 65,536 unconfirmed frames and writes the next as one is confirmed", () => {
      const { outbox, open } = setup({ maxQueue: 70_000 });
      const transport = open();
      for (let i = 0; i <= 65_536; i++) void outbox.send("x");
      assert.equal(transport.sent.length, 65_536);
      transport.confirm(1);
      assert.equal(transport.sent.length, 65_537);
    });

    it("does not recurse when a transport confirms inside send(), as a browser's does", async () => {
      const { outbox, open } = setup({ maxQueue: 50_000 });
      const { log, track } = recorder();
      const settled: Array<Promise<void>> = [];
      for (let i = 0; i < 20_000; i++) settled.push(track(String(i), outbox.send(String(i))));
      const transport = new RecordingTransport();
      transport.send = (data, done) => {
        transport.sent.push(data);
        done();
      };
      open(transport);
      await Promise.all(settled);
      assert.equal(transport.sent.length, 20_000);
      assert.deepEqual([log[0], log[19_999]], ["ok 0", "ok 19999"]);
    });
  });

  describe("a connection that ends", () => {
    it("writes its unconfirmed frames first on the next connection, and ignores its late confirmations", async () => {
      const { outbox, open, drop } = setup();
      const { log, track } = recorder();
      const first = open();
      const settled = [track("a", outbox.send("a")), track("b", outbox.send("b"))];
      first.confirm(1);
      drop();
      settled.push(track("c", outbox.send("c")));
      const second = open();
      assert.deepEqual(second.sent, ["b", "c"]);
      first.confirm(); // b's confirmation from the dead socket, arriving late
      await sleep(0);
      assert.deepEqual(log, ["ok a"], "the new socket has confirmed nothing yet");
      second.confirm();
      await Promise.all(settled);
      assert.deepEqual(log, ["ok a", "ok b", "ok c"]);
    });

    it("terminates the socket when a write fails, and keeps the frame for the next connection", () => {
      const { outbox, open, drop } = setup();
      const first = open();
      void outbox.send("a");
      first.pending.shift()!(new Error("EPIPE"));
      assert.equal(first.terminated, 1);
      assert.equal(outbox.queued, 1);
      drop();
      assert.deepEqual(open().sent, ["a"]);
    });
  });

  describe("expiry", () => {
    it("rejects a send that waited sendTimeoutMs for a connection with ClientTimeoutError", async () => {
      const { outbox } = setup({ sendTimeoutMs: 30 });
      const { log, track } = recorder();
      const settled = [track("a", outbox.send("a")), track("b", outbox.send("b"))];
      await Promise.all(settled);
      assert.deepEqual(log, ["ClientTimeoutError a", "ClientTimeoutError b"]);
      assert.equal(outbox.queued, 0);
    });

    it("with acks, rejects a written send the server never acknowledged, saying it may have arrived", async () => {
      const { outbox, open } = setup({ sendTimeoutMs: 30, acks: JSON_ACKS });
      const transport = open();
      const sending = outbox.send({ n: 1 });
      transport.confirm();
      await assert.rejects(sending, (error: unknown) => error instanceof ClientTimeoutError && /not acknowledged.*may have arrived/.test(error.message));
    });

    it("without acks, never expires a written send: its confirmation settles it", async () => {
      const { outbox, open } = setup({ sendTimeoutMs: 20 });
      const transport = open();
      const { log, track } = recorder();
      const settled = track("a", outbox.send("a"));
      await sleep(60);
      assert.deepEqual(log, []);
      transport.confirm();
      await settled;
      assert.deepEqual(log, ["ok a"]);
    });
  });

  describe("#acknowledged", () => {
    it("settles the acknowledged send, in call order, and only acknowledgements", async () => {
      const { outbox, open } = setup({ acks: JSON_ACKS });
      const { log, track } = recorder();
      const transport = open();
      const settled = [track("one", outbox.send({ n: 1 })), track("two", outbox.send({ n: 2 }))];
      transport.confirm();
      await sleep(0);
      assert.deepEqual(log, [], "a write confirmation does not settle a send when acks are on");
      const [one, two] = [idOf(transport.sent[0]), idOf(transport.sent[1])];
      assert.notEqual(one, two);
      assert.equal(outbox.acknowledged(JSON.stringify({ ack: two })), true);
      await sleep(0);
      assert.deepEqual(log, [], "two waits for one");
      assert.equal(outbox.acknowledged(JSON.stringify({ ack: one })), true);
      await Promise.all(settled);
      assert.deepEqual(log, ["ok one", "ok two"]);
      assert.equal(outbox.acknowledged(JSON.stringify({ ack: "unknown" })), true, "an acknowledgement, of nothing in flight");
      assert.equal(outbox.acknowledged(JSON.stringify({ text: "hello" })), false, "a message for handle");
    });

    it("is false without acks, and logs an acks.match that throws", () => {
      assert.equal(setup().outbox.acknowledged('{"ack":"x"}'), false);
      const { outbox, logger } = setup({ acks: { ...JSON_ACKS, match: () => { throw new Error("bad"); } } });
      assert.equal(outbox.acknowledged("{}"), false);
      assert.deepEqual(logger.errors, ["WSClient: acks.match threw"]);
    });
  });

  describe("on close", () => {
    it("rejects waiting sends; written ones reject only with includeInflight, while confirmed ones resolve", async () => {
      const { outbox, open, link } = setup({ acks: JSON_ACKS });
      const { log, track } = recorder();
      const transport = open();
      const settled = [track("acked", outbox.send({ n: 1 })), track("written", outbox.send({ n: 2 }))];
      transport.bufferedAmount = 2 << 20;
      settled.push(track("waiting", outbox.send({ n: 3 })));
      outbox.acknowledged(JSON.stringify({ ack: idOf(transport.sent[0]) }));
      link.closed = true;
      outbox.rejectAll(new ConnectionClosed(1000, "client closed"), false);
      await sleep(0);
      assert.deepEqual(log, ["ok acked", "ConnectionClosed waiting"]);
      assert.equal(outbox.queued, 1, "the written one still waits for its acknowledgement");
      outbox.rejectAll(new ConnectionClosed(1000, "client closed"), true);
      await Promise.all(settled);
      assert.deepEqual(log, ["ok acked", "ConnectionClosed waiting", "ConnectionClosed written"]);
    });

    it("leaves no expiry timer behind once stopped", async () => {
      const { outbox, link } = setup({ sendTimeoutMs: 20 });
      const { log, track } = recorder();
      const settled = track("a", outbox.send("a"));
      link.closed = true;
      outbox.stopExpiry();
      await sleep(60);
      assert.deepEqual(log, [], "close() rejects it, not the timer");
      outbox.rejectAll(new ConnectionClosed(1000, "client closed"), true);
      await settled;
      assert.deepEqual(log, ["ConnectionClosed a"]);
    });
  });
});
