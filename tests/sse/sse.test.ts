import assert from "node:assert/strict";
import { EventEmitter, once } from "node:events";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { App, InvalidOptionError, TestClient, formatSseEvent, sse, type SseContext } from "../../lib/index.js";

describe("formatSseEvent", () => {
  it("sends a string as data", () => {
    assert.equal(formatSseEvent("hello"), "data: hello\n\n");
  });

  it("splits multi-line data on LF, CRLF and CR", () => {
    assert.equal(formatSseEvent("a\nb\r\nc\rd"), "data: a\ndata: b\ndata: c\ndata: d\n\n");
    assert.equal(formatSseEvent({ data: "x\n" }), "data: x\ndata: \n\n");
  });

  it("writes event, id, retry and comment fields", () => {
    assert.equal(
      formatSseEvent({ comment: "note", event: "chat", id: 7, retry: 1500, data: "hi" }),
      ": note\nevent: chat\nid: 7\nretry: 1500\ndata: hi\n\n",
    );
  });

  it("sends anything but a string as JSON", () => {
    assert.equal(formatSseEvent({ data: { text: "a\nb" } }), 'data: {"text":"a\\nb"}\n\n');
    assert.equal(formatSseEvent({ data: 0 }), "data: 0\n\n");
  });

  it("keeps a leading space of the data (one space follows the colon)", () => {
    assert.equal(formatSseEvent(" padded"), "data:  padded\n\n");
  });

  it("rejects an event name or id that would start another field", () => {
    assert.throws(() => formatSseEvent({ event: "a\nevent: b" }), TypeError);
    assert.throws(() => formatSseEvent({ id: "1\r2" }), TypeError);
    assert.throws(() => formatSseEvent({ id: "1\0" }), TypeError);
    assert.throws(() => formatSseEvent({ retry: -1 }), TypeError);
    assert.throws(() => formatSseEvent({ retry: 1.5 }), TypeError);
  });
});

class Events extends App {
  lastSeen: SseContext | undefined;

  async feed() {
    return sse(async function* () {
      yield "one";
      yield { event: "update", id: 2, data: { n: 2 } };
    }, { heartbeatMs: 0 });
  }

  async resume() {
    const app = this;
    return sse(async function* (context) {
      app.lastSeen = context;
      yield { id: Number(context.lastEventId ?? 0) + 1, data: "next" };
    });
  }

  async slow() {
    return sse(async function* () {
      await sleep(80);
      yield "late";
    }, { heartbeatMs: 20 });
  }

  async retrying() {
    return sse(async function* () { yield "x"; }, { retry: 5000 });
  }

  async failing() {
    return sse(async function* () {
      yield "before";
      throw new Error("source broke");
    });
  }
}

describe("sse", () => {
  it("streams events as text/event-stream", async () => {
    const res = await new TestClient(new Events()).get("/feed");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/event-stream; charset=utf-8");
    assert.equal(res.headers["cache-control"], "no-cache");
    assert.equal(res.headers["x-accel-buffering"], "no");
    assert.equal(res.text, ':ok\n\ndata: one\n\nevent: update\nid: 2\ndata: {"n":2}\n\n');
  });

  it("hands the source the Last-Event-ID and an abort signal", async () => {
    const app = new Events();
    const res = await new TestClient(app).get("/resume", { headers: { "last-event-id": "41" } });
    assert.match(res.text, /id: 42\ndata: next/);
    assert.equal(app.lastSeen?.lastEventId, "41");
    assert.equal(app.lastSeen?.signal.aborted, true, "aborted once the stream ended");
  });

  it("sends heartbeat comments while the source is quiet", async () => {
    const res = await new TestClient(new Events()).get("/slow");
    assert.match(res.text, /^:ok\n\n(: ping\n\n)+data: late\n\n$/);
  });

  it("starts with a retry field when asked", async () => {
    const res = await new TestClient(new Events()).get("/retrying");
    assert.equal(res.text, "retry: 5000\n\ndata: x\n\n");
  });

  it("never starts the source for HEAD", async () => {
    const app = new Events();
    const res = await new TestClient(app).head("/resume");
    assert.equal(res.status, 200);
    assert.equal(app.lastSeen, undefined);
  });

  it("aborts the response when the source throws", async () => {
    const logged: string[] = [];
    const app = new Events({ logger: { error: (message) => logged.push(message) } });
    await assert.rejects(new TestClient(app).get("/failing"), /source broke/);
    assert.equal(logged.length, 1);
  });

  it("rejects bad options", () => {
    const source = (async function* () {})();
    assert.throws(() => sse(source, { heartbeatMs: -1 }), InvalidOptionError);
    assert.throws(() => sse(source, { heartbeatMs: Number.NaN }), InvalidOptionError);
    assert.throws(() => sse(source, { retry: -5 }), InvalidOptionError);
  });
});

describe("sse over a socket", () => {
  const ticker = { finished: deferred(), ticks: 0 };
  const waiter = { finished: deferred(), aborted: false };
  const bus = new EventEmitter();
  let server: Awaited<ReturnType<App["listen"]>>;

  class Live extends App {
    async ticks() {
      return sse(async function* () {
        try {
          for (;;) {
            yield { data: String(++ticker.ticks) };
            await sleep(10);
          }
        } finally {
          ticker.finished.resolve();
        }
      }, { heartbeatMs: 0 });
    }

    async waits() {
      return sse(async function* ({ signal }) {
        try {
          for (;;) {
            const [message] = await once(bus, "message", { signal });
            yield String(message);
          }
        } catch {
          waiter.aborted = signal.aborted;
        } finally {
          waiter.finished.resolve();
        }
      }, { heartbeatMs: 20 });
    }
  }

  before(async () => {
    server = await new Live().listen({ port: 0, host: "127.0.0.1" });
  });

  after(() => server.close());

  it("runs the source's finally when the client disconnects", async () => {
    const text = await readThenLeave(server.port, "/ticks", /data: 2/);
    assert.match(text, /^:ok\n\ndata: 1\n\n/);
    await withTimeout(ticker.finished.promise, "the source's finally ran");
    const ticksAtClose = ticker.ticks;
    await sleep(50);
    assert.equal(ticker.ticks, ticksAtClose, "no more events are produced");
  });

  it("notices the disconnect at the next heartbeat and aborts the signal of a waiting source", async () => {
    const text = await readThenLeave(server.port, "/waits", /^:ok/);
    assert.match(text, /^:ok/);
    await withTimeout(waiter.finished.promise, "the waiting source was released");
    assert.equal(waiter.aborted, true);
  });
});

/** Reads the stream until `until` matches, then drops the connection. */
function readThenLeave(port: number, path: string, until: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: "127.0.0.1", port, path }, (res) => {
      assert.equal(res.headers["content-type"], "text/event-stream; charset=utf-8");
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
        if (until.test(text)) {
          request.destroy();
          resolve(text);
        }
      });
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "ECONNRESET") reject(error);
    });
  });
}

/** A promise with its resolve function (Promise.withResolvers needs Node 22). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function withTimeout(promise: Promise<void>, what: string, ms = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting until ${what}`)), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
