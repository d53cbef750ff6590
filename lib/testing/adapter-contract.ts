/**
 * The adapter contract suite: one set of scenarios, run against every way of
 * serving an app (hono's `common.case.test.ts` idea). upie runs it against
 * uWebSockets.js and the TestClient, so what a test shows in process holds
 * over a socket; an adapter of your own proves itself with one call.
 *
 * Differences the suite does not cover, each with its reason, are listed in
 * docs/testing.md.
 *
 * @module
 */
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { App } from "../core/app.js";
import type { AppOptions } from "../core/app-config.js";
import { ConnectionClosed, TimedOutError } from "../protocol/errors.js";
import type { WebSocket } from "../websocket/websocket.js";
import type { AdapterHarness, AdapterUnderTest } from "./harness.js";

const QUEUE = 8;
const BIG = 64 * 1024;
const FLOOD = 400;

/** The app every scenario talks to. */
class ContractApp extends App {
  sent = 0;
  closes: Array<{ code: number; reason: string }> = [];
  cleanedUp = 0;
  finished = 0;

  uploadsRun = 0;

  async index() { return "home"; }
  async echo(value = "") { return { value }; }
  async upload(value = "") {
    this.uploadsRun++;
    return String(value.length);
  }
  async sized() {
    async function* parts() {
      yield "ab";
      yield "cd";
      yield "e";
    }
    return [200, parts(), { "content-length": "5" }];
  }
  async framed() { return [200, "hello world", { "Content-Length": "5", "Transfer-Encoding": "chunked" }]; }
  async headless() {
    // What a static file server does: no body built for HEAD, only the length a GET would send.
    return [200, this.request.method === "HEAD" ? "" : "hello", { "content-length": "5" }];
  }
  async *stream() {
    try {
      for (let i = 0; i < 1000; i++) {
        yield `${i}\n`;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } finally {
      this.cleanedUp++;
    }
  }

  async ws_echo(ws: WebSocket) {
    await ws.accept();
    try {
      for (;;) {
        const message = await ws.receive();
        await (typeof message === "string" ? ws.sendText(message) : ws.sendBytes(message));
      }
    } catch (error) {
      if (!(error instanceof ConnectionClosed)) throw error;
      this.closes.push({ code: error.code, reason: error.reason });
    } finally {
      this.finished++;
    }
  }
  async ws_never(_ws: WebSocket) {}
  async ws_throws(_ws: WebSocket) { throw new Error("before accept"); }
  async ws_bye(ws: WebSocket) {
    await ws.accept();
    await ws.close(4001, "\uFEFFbye");
  }
  async ws_deaf(ws: WebSocket) {
    await ws.accept();
    await new Promise((resolve) => setTimeout(resolve, 60_000));
  }
  async ws_flood(ws: WebSocket) {
    await ws.accept();
    const padding = "x".repeat(BIG - 8);
    for (let i = 0; i < FLOOD; i++) {
      await ws.sendText(`${String(i).padStart(6, "0")}:${padding}`);
      this.sent = i + 1;
    }
  }
  /** The fast path: messages as calls, each echoed by a send that is returned, not awaited. */
  async ws_calls(ws: WebSocket) {
    await ws.accept();
    try {
      await ws.onMessage((message) => (typeof message === "string" ? ws.sendText(message) : ws.sendBytes(message)));
    } finally {
      this.finished++;
    }
  }
  /** The fast path, left to itself: the method returns, the connection stays open. */
  async ws_calls_returned(ws: WebSocket) {
    await ws.accept();
    void ws.onMessage((message) => {
      if (message === "close") return ws.close(4004, "asked");
      return ws.sendText(`${String(message)}:${this.request.path}`);
    });
  }
  /** The fast path with an async handler: the next message waits for the last one's call. */
  async ws_slowcalls(ws: WebSocket) {
    await ws.accept();
    await ws.onMessage(async (message) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      await ws.sendText(`${String(message)}:${this.request.path}`);
    });
  }
  /** Sends nobody awaits, far past maxSubscriberBackpressure while the client does not read. */
  async ws_firehose(ws: WebSocket) {
    await ws.accept();
    await ws.receive(); // the client's go: by then it has stopped reading
    const padding = "z".repeat(BIG - 8);
    for (let i = 0; i < FLOOD; i++) {
      if (ws.closed) break;
      void ws.sendText(`${String(i).padStart(6, "0")}:${padding}`);
      this.sent = i + 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  async ws_sub(ws: WebSocket, topic: string) {
    await ws.accept();
    await ws.subscribe(topic);
    await ws.sendText("ready");
    try {
      for await (const _ of ws);
    } finally {
      this.finished++;
    }
  }
}

function newApp(websocket: AppOptions["websocket"] = {}): ContractApp {
  return new ContractApp({
    logger: { error() {} },
    websocket: { maxQueuedMessages: QUEUE, maxBackpressure: 16 * 1024, maxSubscriberBackpressure: 256 * 1024, maxPayloadLength: BIG, ...websocket },
  });
}

/** `count` pieces of `piece`, yielded one at a time with a pause between them (a slow upload). */
async function* pieces(first: string, piece: string, count: number): AsyncGenerator<string> {
  yield first;
  for (let i = 0; i < count; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield piece;
  }
}

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new TimedOutError("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Serves `app`, echoes once on a socket, then stops the server while the socket is open: it must close with 1001. */
async function stopWithOpenSocket(adapter: AdapterUnderTest, app: ContractApp): Promise<void> {
  const served = await adapter.serve(app);
  const ws = await served.websocket("/echo");
  ws.sendText("hi");
  assert.equal(await ws.next(), "hi");
  await served.close();
  assert.equal((await ws.closed).code, 1001);
}

function numbered(message: string | Uint8Array): number {
  assert.equal(typeof message, "string");
  return Number((message as string).slice(0, 6));
}

/**
 * Registers the contract suite for one adapter (node:test `describe`/`it`).
 *
 * @param adapter - how to serve an app and talk to it.
 * @example
 * ```ts
 * import { runAdapterContract, testClientAdapter, uwsAdapter } from "upie/testing";
 * runAdapterContract(uwsAdapter);
 * runAdapterContract(testClientAdapter);
 * ```
 */
export function runAdapterContract(adapter: AdapterUnderTest): void {
  describe(`adapter contract: ${adapter.name}`, () => {
    let app: ContractApp;
    let served: AdapterHarness;
    before(async () => {
      app = newApp();
      served = await adapter.serve(app);
    });
    after(() => served.close());
    afterEach(() => {
      app.closes.length = 0;
    });

    describe("HTTP", () => {
      it("routes by method name and binds the query", async () => {
        assert.equal((await served.request("GET", "/")).text, "home");
        const res = await served.request("GET", "/echo?value=a%20b");
        assert.equal(res.status, 200);
        assert.match(res.headers["content-type"] ?? "", /^application\/json/);
        assert.deepEqual(JSON.parse(res.text), { value: "a b" });
        assert.equal((await served.request("GET", "/nowhere")).status, 404);
      });

      it("binds a JSON body", async () => {
        const res = await served.request("POST", "/echo", { headers: { "content-type": "application/json" }, body: JSON.stringify({ value: "posted" }) });
        assert.deepEqual(JSON.parse(res.text), { value: "posted" });
      });

      it("answers HEAD with GET's status, headers and length, and no body", async () => {
        const home = await served.request("HEAD", "/");
        assert.equal(home.status, 200);
        assert.equal(home.headers["content-length"], "4");
        assert.match(home.headers["content-type"] ?? "", /^text\/html/);
        assert.equal(home.text, "");
        assert.equal((await served.request("HEAD", "/sized")).headers["content-length"], "5");
        assert.equal((await served.request("HEAD", "/framed")).headers["content-length"], "11");
        assert.equal((await served.request("HEAD", "/headless")).headers["content-length"], "5");
      });

      it("answers HEAD of a stream of unknown length as chunked, without starting the stream", async () => {
        const before = app.cleanedUp;
        const res = await served.request("HEAD", "/stream");
        assert.equal(res.headers["transfer-encoding"], "chunked");
        assert.equal(res.headers["content-length"], undefined);
        assert.equal(res.text, "");
        assert.equal(app.cleanedUp, before);
      });

      it("sends a stream with the app's Content-Length whole, not chunked", async () => {
        const res = await served.request("GET", "/sized");
        assert.equal(res.headers["content-length"], "5");
        assert.equal(res.headers["transfer-encoding"], undefined);
        assert.equal(res.text, "abcde");
      });

      it("frames a whole body itself, whatever Content-Length and Transfer-Encoding the app set", async () => {
        const res = await served.request("GET", "/framed");
        assert.equal(res.headers["content-length"], "11");
        assert.equal(res.headers["transfer-encoding"], undefined);
        assert.equal(res.text, "hello world");
      });

      it("reads a request body that arrives in many pieces", async () => {
        const body = pieces("value=", "x".repeat(1000), 50);
        const res = await served.request("POST", "/upload", { headers: { "content-type": "application/x-www-form-urlencoded" }, body });
        assert.equal(res.text, "50000");
      });

      it("drops an upload whose client leaves mid-body, and serves on", async () => {
        const before = app.uploadsRun;
        const controller = new AbortController();
        async function* leaving(): AsyncGenerator<string> {
          yield* pieces("value=", "x".repeat(1000), 5);
          controller.abort();
          await new Promise(() => {}); // the rest never comes
        }
        const headers = { "content-type": "application/x-www-form-urlencoded" };
        await assert.rejects(served.request("POST", "/upload", { headers, body: leaving(), signal: controller.signal }));
        assert.equal((await served.request("GET", "/")).text, "home");
        assert.equal(app.uploadsRun, before);
      });

      it("cancels a streamed response when the client leaves mid-stream", async () => {
        const before = app.cleanedUp;
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        await assert.rejects(served.request("GET", "/stream", { signal: controller.signal }));
        await until(() => app.cleanedUp === before + 1);
      });
    });

    describe("WebSockets", () => {
      it("echoes text and binary in order", async () => {
        const ws = await served.websocket("/echo");
        assert.equal(ws.status, 101);
        for (let i = 0; i < 100; i++) ws.sendText(`m${i}`);
        ws.sendBytes(new Uint8Array([1, 2, 3]));
        for (let i = 0; i < 100; i++) assert.equal(await ws.next(), `m${i}`);
        assert.deepEqual([...(await ws.next() as Uint8Array)], [1, 2, 3]);
        ws.close();
        await ws.closed;
      });

      it("keeps a leading U+FEFF in text", async () => {
        const ws = await served.websocket("/echo");
        ws.sendText("\uFEFFhi");
        assert.equal(await ws.next(), "\uFEFFhi");
        ws.close();
        await ws.closed;
      });

      it("refuses a handshake never accepted (403), one that threw (500), an unknown route (404)", async () => {
        assert.equal((await served.websocket("/never")).status, 403);
        assert.equal((await served.websocket("/throws")).status, 500);
        assert.equal((await served.websocket("/nowhere")).status, 404);
      });

      it("delivers the app's close code and reason to the client", async () => {
        const ws = await served.websocket("/bye");
        assert.deepEqual(await ws.closed, { code: 4001, reason: "\uFEFFbye" });
      });

      it("delivers the client's close code and reason to the handler", async () => {
        const ws = await served.websocket("/echo");
        ws.close(4002, "leaving");
        await ws.closed;
        await until(() => app.closes.length === 1);
        assert.deepEqual(app.closes[0], { code: 4002, reason: "leaving" });
      });

      it("closes with 1008 when a handler leaves more messages unread than maxQueuedMessages", async () => {
        const ws = await served.websocket("/deaf");
        for (let i = 0; i <= QUEUE; i++) ws.sendText(`n${i}`);
        assert.equal((await ws.closed).code, 1008);
      });

      it("makes the app's sends wait while the client does not read, and loses nothing", async () => {
        app.sent = 0;
        const ws = await served.websocket("/flood");
        ws.pause();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const sentWhilePaused = app.sent;
        assert.ok(sentWhilePaused < FLOOD, `the handler should be waiting for drain, sent ${sentWhilePaused}`);
        ws.resume();
        for (let i = 0; i < FLOOD; i++) assert.equal(numbered(await ws.next(20_000)), i);
        assert.equal(app.sent, FLOOD);
      });

      it("closes a subscriber too slow for publish with 1013 after a gap-free prefix; others get everything", async () => {
        const fast = await served.websocket("/sub/firehose");
        const slow = await served.websocket("/sub/firehose");
        assert.equal(await fast.next(), "ready");
        assert.equal(await slow.next(), "ready");
        slow.pause();
        const total = 1000;
        const padding = "y".repeat(16 * 1024);
        let fastSeen = 0;
        for (let i = 0; i < total; i++) {
          await app.publish("firehose", `${String(i).padStart(6, "0")}:${padding}`);
          // The fast subscriber keeps up; yielding lets the fan-out check the others.
          if (i % 20 === 19) {
            while (fastSeen <= i) assert.equal(numbered(await fast.next()), fastSeen++);
          }
        }
        slow.resume();
        const closed = await slow.closed;
        assert.equal(closed.code, 1013);
        assert.match(closed.reason, /too slow/i);
        let got = 0;
        try {
          for (;;) assert.equal(numbered(await slow.next(1000)), got++);
        } catch (error) {
          if (error instanceof assert.AssertionError) throw error;
        }
        assert.ok(got < total, `the slow subscriber got all ${got}`);
        while (fastSeen < total) assert.equal(numbered(await fast.next()), fastSeen++);
        fast.close();
      });

      it("delivers messages as calls (onMessage) in order, text and binary", async () => {
        const ws = await served.websocket("/calls");
        for (let i = 0; i < 100; i++) ws.sendText(`c${i}`);
        ws.sendBytes(new Uint8Array([4, 5]));
        for (let i = 0; i < 100; i++) assert.equal(await ws.next(), `c${i}`);
        assert.deepEqual([...(await ws.next() as Uint8Array)], [4, 5]);
        const before = app.finished;
        ws.close(4003, "done");
        await ws.closed;
        await until(() => app.finished === before + 1);
      });

      it("keeps the connection open for onMessage after the ws_ method returned, until a close", async () => {
        const ws = await served.websocket("/calls_returned");
        ws.sendText("a");
        assert.equal(await ws.next(), "a:/calls_returned");
        await new Promise((resolve) => setTimeout(resolve, 20));
        ws.sendText("b");
        assert.equal(await ws.next(), "b:/calls_returned");
        ws.sendText("close");
        assert.deepEqual(await ws.closed, { code: 4004, reason: "asked" });
      });

      it("holds the next call until an async onMessage handler settles, with this.request", async () => {
        const ws = await served.websocket("/slowcalls");
        for (let i = 0; i < 5; i++) ws.sendText(`s${i}`);
        for (let i = 0; i < 5; i++) assert.equal(await ws.next(), `s${i}:/slowcalls`);
        ws.close();
        await ws.closed;
      });

      it("closes with 1008 when onMessage calls hold more messages back than maxQueuedMessages", async () => {
        const ws = await served.websocket("/slowcalls");
        for (let i = 0; i <= QUEUE + 1; i++) ws.sendText(`q${i}`);
        assert.equal((await ws.closed).code, 1008);
      });

      it("bounds sends nobody awaits: past maxSubscriberBackpressure the socket closes with 1013 after a gap-free prefix", async () => {
        const unhandled: unknown[] = [];
        const record = (reason: unknown) => void unhandled.push(reason);
        process.on("unhandledRejection", record);
        try {
          app.sent = 0;
          const ws = await served.websocket("/firehose");
          ws.pause();
          ws.sendText("go");
          await until(() => app.sent > 0);
          await new Promise((resolve) => setTimeout(resolve, 200));
          ws.resume();
          const closed = await ws.closed;
          assert.equal(closed.code, 1013);
          let got = 0;
          try {
            for (;;) assert.equal(numbered(await ws.next(1000)), got++);
          } catch (error) {
            if (error instanceof assert.AssertionError) throw error;
          }
          assert.ok(got < FLOOD, `the peer got all ${got}: nothing was bounded`);
          await new Promise((resolve) => setTimeout(resolve, 100));
          assert.deepEqual(unhandled, [], "a rejected send nobody awaited is no unhandled rejection");
        } finally {
          process.off("unhandledRejection", record);
        }
      });

      it("closes with 1008 a client past websocket.messageRate, after echoing what came within it", async () => {
        const localApp = newApp({ messageRate: { perSecond: 1, burst: 5 } });
        const local = await adapter.serve(localApp);
        try {
          const ws = await local.websocket("/echo");
          for (let i = 0; i < 5; i++) ws.sendText(`r${i}`);
          for (let i = 0; i < 5; i++) assert.equal(await ws.next(), `r${i}`);
          for (let i = 5; i < 10; i++) ws.sendText(`r${i}`);
          assert.deepEqual(await ws.closed, { code: 1008, reason: "Message rate exceeded" });
          await until(() => localApp.closes.length === 1);
          assert.equal(localApp.closes[0]!.code, 1008);
        } finally {
          await local.close();
        }
      });

      it("closes open sockets with 1001 when the server stops, and waits for their handlers", async () => {
        const localApp = newApp();
        await stopWithOpenSocket(adapter, localApp);
        assert.equal(localApp.finished, 1);
      });
    });

    describe("lifecycle", () => {
      it("runs the startup handlers, in order, before the first request is handled", async () => {
        const localApp = newApp();
        const log: string[] = [];
        localApp.startupHandlers.push(async () => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          log.push("first");
        });
        localApp.startupHandlers.push(() => void log.push("second"));
        const local = await adapter.serve(localApp);
        try {
          assert.equal((await local.request("GET", "/")).text, "home");
          assert.deepEqual(log, ["first", "second"]);
        } finally {
          await local.close();
        }
      });

      it("runs the shutdown handlers once the sockets' handlers are over; a failing one is logged and the rest still run", async () => {
        const errors: string[] = [];
        const localApp = new ContractApp({ logger: { error: (message: string) => void errors.push(message) } });
        const log: string[] = [];
        localApp.shutdownHandlers.push(() => {
          throw new Error("cannot flush");
        });
        localApp.shutdownHandlers.push(() => void log.push(`second, after ${localApp.finished} handler(s)`));
        await stopWithOpenSocket(adapter, localApp);
        assert.deepEqual(log, ["second, after 1 handler(s)"]);
        assert.deepEqual(errors, ["shutdown handler failed"]);
      });
    });
  });
}
