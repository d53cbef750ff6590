import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ResponseInit } from "../../lib/core/response.js";
import { StreamStartError, writeResponse } from "../../lib/core/write-response.js";
import type { Channel, SendEvent } from "../../lib/protocol/protocol.js";

/** A channel that records every event; `wait` makes send return a promise, `failAfter` rejects from that event on. */
function recorder(options: { wait?: boolean; failAfter?: number } = {}) {
  const events: SendEvent[] = [];
  const channel: Channel = {
    receive: () => Promise.reject(new Error("not used")),
    send(event) {
      events.push(event);
      if (options.failAfter !== undefined && events.length > options.failAfter) return Promise.reject(new Error("client gone"));
      return options.wait ? new Promise((resolve) => setImmediate(resolve)) : undefined;
    },
  };
  return { channel, events };
}

const response = (body: ResponseInit["body"], headers: ResponseInit["headers"] = {}, status = 200): ResponseInit => ({ status, body, headers });

function text(event: SendEvent | undefined): string {
  assert.equal(event?.type, "http.response.body");
  const body = (event as { body: string | Uint8Array }).body;
  return typeof body === "string" ? body : Buffer.from(body).toString();
}

describe("writeResponse", () => {
  describe("a whole body", () => {
    it("goes out synchronously, framed by its UTF-8 length, when the adapter takes it so", () => {
      const { channel, events } = recorder();
      assert.equal(writeResponse(response("héllo", { "x-a": "1" }), channel, false), undefined);
      assert.deepEqual(events, [
        { type: "http.response.start", status: 200, headers: { "x-a": "1" }, length: 6 },
        { type: "http.response.body", body: "héllo", more: false },
      ]);
    });

    it("waits for an adapter that answers with a promise before sending the body", async () => {
      const { channel, events } = recorder({ wait: true });
      const pending = writeResponse(response(new Uint8Array(3)), channel, false);
      assert.ok(pending instanceof Promise);
      assert.equal(events.length, 1);
      await pending;
      assert.equal(events.length, 2);
    });

    it("drops the app's content-length and transfer-encoding: its own length frames it", () => {
      const { channel, events } = recorder();
      const headers = { "content-length": "999", "transfer-encoding": "chunked", "x-kept": "yes" };
      writeResponse(response("abc", headers), channel, false);
      assert.deepEqual(events[0], { type: "http.response.start", status: 200, headers: { "x-kept": "yes" }, length: 3 });
    });

    it("sends no body for 204, 304 and 1xx, whatever the handler returned", () => {
      for (const status of [204, 304, 103]) {
        const { channel, events } = recorder();
        writeResponse(response("ignored", {}, status), channel, false);
        assert.equal((events[0] as { length: number }).length, 0, String(status));
        assert.equal(text(events[1]), "");
      }
    });

    it("frames a null body as empty", () => {
      const { channel, events } = recorder();
      writeResponse(response(null, {}, 404), channel, false);
      assert.equal((events[0] as { length: number }).length, 0);
    });
  });

  describe("HEAD", () => {
    it("takes the declared length of an empty body (what a GET would send), and only a plain decimal one", () => {
      const lengths = (["1234", "12abc", "1e3", " 5", "1234567890123456"] as const).map((declared) => {
        const { channel, events } = recorder();
        writeResponse(response("", { "content-length": declared }), channel, true);
        assert.equal("content-length" in (events[0] as { headers: object }).headers, false);
        return (events[0] as { length: number }).length;
      });
      assert.deepEqual(lengths, [1234, 0, 0, 0, 0]);
    });

    it("frames a body that was built by its own length, the declared one notwithstanding", () => {
      const { channel, events } = recorder();
      writeResponse(response("four", { "content-length": "1000" }), channel, true);
      assert.equal((events[0] as { length: number }).length, 4);
    });

    it("never starts a streamed body, and cancels one that can be cancelled", async () => {
      let pulled = false;
      let cancelled = false;
      const body = {
        [Symbol.asyncIterator]: () => ({ next: async () => ((pulled = true), { done: true as const, value: undefined }) }),
        cancel: async () => void (cancelled = true),
      };
      const { channel, events } = recorder();
      await writeResponse(response(body, { "content-length": "50" }), channel, true);
      assert.deepEqual([pulled, cancelled], [false, true]);
      assert.deepEqual(events.map((e) => e.type), ["http.response.start", "http.response.body"]);
      assert.equal((events[0] as { length: number | null }).length, 50);
    });
  });

  describe("a streamed body", () => {
    it("is framed with length null, unless the app declared a valid content-length", async () => {
      async function* body() { yield "a"; }
      for (const [headers, length] of [[{}, null], [{ "content-length": "1" }, 1], [{ "content-length": "x" }, null]] as const) {
        const { channel, events } = recorder();
        await writeResponse(response(body(), { ...headers }), channel, false);
        assert.equal((events[0] as { length: number | null }).length, length);
      }
    });

    it("sends each chunk with more: true, as text or bytes, then an empty last one", async () => {
      async function* body() {
        yield "text";
        yield new Uint8Array([65]);
        yield new Uint8Array([66]).buffer;
        yield 42;
        yield null;
      }
      const { channel, events } = recorder({ wait: true });
      await writeResponse(response(body()), channel, false);
      const chunks = events.slice(1) as Array<{ body: string | Uint8Array; more: boolean }>;
      assert.deepEqual(chunks.map((c) => [typeof c.body === "string" ? c.body : Buffer.from(c.body).toString(), c.more]), [
        ["text", true], ["A", true], ["B", true], ["42", true], ["", true], ["", false],
      ]);
    });

    it("sends nothing and rejects with StreamStartError when the first chunk fails", async () => {
      const cause = new Error("no data");
      async function* body(): AsyncGenerator<string> { throw cause; }
      const { channel, events } = recorder();
      await assert.rejects(writeResponse(response(body()), channel, false)!, (error: unknown) => error instanceof StreamStartError && error.cause === cause);
      assert.deepEqual(events, []);
    });

    it("closes the source (a generator's finally) when the client leaves mid-stream, and rejects", async () => {
      let finished = false;
      async function* body() {
        try {
          for (let i = 0; ; i++) yield String(i);
        } finally {
          finished = true;
        }
      }
      const { channel, events } = recorder({ failAfter: 2 });
      await assert.rejects(writeResponse(response(body()), channel, false)!, /client gone/);
      assert.equal(finished, true);
      assert.equal(events.length, 3, "start, one chunk, and the refused one");
    });
  });
});
