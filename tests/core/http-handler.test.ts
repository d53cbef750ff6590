/**
 * handleHttp, the one path both adapters take (the uWS adapter directly, the
 * TestClient through handleHttpAsync): no promise is handed back,
 * `done(channel, failed)` is called exactly once when the request is over,
 * and the write, `this.request` across awaits and errors as responses hold.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, HttpError } from "../../lib/index.js";
import { appCore } from "../../lib/core/app.js";
import { handleHttp, handleHttpAsync } from "../../lib/core/http-handler.js";
import type { Channel, HttpScope, SendEvent } from "../../lib/protocol/protocol.js";
import { recordingLogger } from "./helpers.js";

class Sample extends App {
  #served = 0;

  plain() {
    return "plain";
  }

  async index() {
    return "hello";
  }

  async who(name: string) {
    await new Promise((resolve) => setTimeout(resolve, name === "first" ? 20 : 1));
    this.#served++;
    return `${name}:${this.request.query("tag")}:${this.#served > 0}`;
  }

  async refuse() {
    throw new HttpError(418, "teapot");
  }

  async broken() {
    throw new Error("boom");
  }

  thenable() {
    return { then() { throw new Error("a thenable whose then throws"); } };
  }

  async *stream() {
    yield "a";
    throw new Error("after the status line");
  }
}

/** A channel that records what was sent and when the request ended. */
class RecordingChannel implements Channel {
  readonly events: SendEvent[] = [];
  readonly ended: boolean[] = [];

  receive() {
    return new Promise<never>(() => {});
  }

  send(event: SendEvent) {
    this.events.push(event);
    return undefined;
  }

  get status(): number | undefined {
    const start = this.events.find((e) => e.type === "http.response.start");
    return start?.type === "http.response.start" ? start.status : undefined;
  }

  get text(): string {
    return this.events
      .map((e) => (e.type === "http.response.body" ? (typeof e.body === "string" ? e.body : Buffer.from(e.body).toString()) : ""))
      .join("");
  }
}

function scope(path: string, rawQuery = ""): HttpScope {
  return { type: "http", method: "GET", path, rawQuery, headers: { host: "x" }, client: "" };
}

function done(channel: RecordingChannel, failed: boolean): void {
  channel.ended.push(failed);
}

/** Waits until every channel reports its end (bounded). */
async function whenEnded(...channels: RecordingChannel[]): Promise<void> {
  for (let i = 0; i < 500 && channels.some((c) => c.ended.length === 0); i++) await new Promise((r) => setTimeout(r, 5));
}

describe("handleHttp with a done callback", () => {
  const logger = recordingLogger();
  const core = appCore(new Sample({ logger }));

  it("writes a plain handler's response and calls done before returning", () => {
    const channel = new RecordingChannel();
    assert.equal(handleHttp(core, scope("/plain"), channel, done), undefined);
    assert.deepEqual(channel.ended, [false]);
    assert.equal(channel.status, 200);
    assert.equal(channel.text, "plain");
  });

  it("calls done once, after the body, for an async handler", async () => {
    const channel = new RecordingChannel();
    assert.equal(handleHttp(core, scope("/"), channel, done), undefined);
    await whenEnded(channel);
    assert.deepEqual(channel.ended, [false]);
    assert.deepEqual(channel.events.map((e) => e.type), ["http.response.start", "http.response.body"]);
    assert.equal(channel.text, "hello");
  });

  it("keeps this.request and #private state per request across awaits", async () => {
    const first = new RecordingChannel();
    const second = new RecordingChannel();
    handleHttp(core, scope("/who/first", "tag=one"), first, done);
    handleHttp(core, scope("/who/second", "tag=two"), second, done);
    await whenEnded(first, second);
    assert.equal(first.text, "first:one:true");
    assert.equal(second.text, "second:two:true");
    assert.deepEqual([first.ended, second.ended], [[false], [false]]);
  });

  it("answers errors as responses and still reports a clean end", async () => {
    const refused = new RecordingChannel();
    const broken = new RecordingChannel();
    const missing = new RecordingChannel();
    handleHttp(core, scope("/refuse"), refused, done);
    handleHttp(core, scope("/broken"), broken, done);
    handleHttp(core, scope("/nothing-here"), missing, done);
    await whenEnded(refused, broken, missing);
    assert.deepEqual([refused.status, broken.status, missing.status], [418, 500, 404]);
    assert.equal(broken.text, "Internal Server Error");
    assert.deepEqual([refused.ended, broken.ended, missing.ended], [[false], [false], [false]]);
  });

  it("answers 500 for a foreign thenable whose then throws, without throwing itself", async () => {
    const channel = new RecordingChannel();
    assert.equal(handleHttp(core, scope("/thenable"), channel, done), undefined);
    await whenEnded(channel);
    assert.equal(channel.status, 500);
    assert.deepEqual(channel.ended, [false]);
  });

  it("reports failed = true when the body fails after the status line went out", async () => {
    const before = logger.errors.length;
    const channel = new RecordingChannel();
    handleHttp(core, scope("/stream"), channel, done);
    await whenEnded(channel);
    assert.deepEqual(channel.ended, [true]);
    assert.equal(channel.status, 200);
    assert.ok(logger.errors.length > before, "the failure is logged");
  });

  it("as a promise (handleHttpAsync): resolves once written, rejects with the failure after the status line", async () => {
    const plain = new RecordingChannel();
    await handleHttpAsync(core, scope("/who/async", "tag=p"), plain);
    assert.equal(plain.text, "async:p:true");
    const streamed = new RecordingChannel();
    await assert.rejects(handleHttpAsync(core, scope("/stream"), streamed), /after the status line/);
    assert.equal(streamed.status, 200);
  });
});
