/**
 * The harness interfaces (harness.ts) as the contract suite relies on them,
 * held by both harnesses upie ships: a response collected with lower-case
 * header names, a refused handshake's status, next() that times out and ends
 * with the connection, and closed with what the client saw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, ERRORS, type WebSocket } from "../../lib/index.js";
import { testClientAdapter, TimedOutError, uwsAdapter, type AdapterUnderTest } from "../../lib/testing/index.js";
import { recordingLogger } from "../core/helpers.js";

class Site extends App {
  async index() { return [200, "hi", { "X-Mixed-Case": "yes" }]; }
  async ws_never(_ws: WebSocket) {}
  async ws_later(ws: WebSocket) {
    await ws.accept();
    const first = await ws.receiveText();
    await ws.sendText(`got ${first}`);
    await ws.close(4002, "bye");
  }
}

for (const adapter of [uwsAdapter, testClientAdapter] satisfies AdapterUnderTest[]) {
  describe(`the ${adapter.name} harness`, () => {
    it("collects the status, the headers under lower-case names, and the text", async () => {
      const harness = await adapter.serve(new Site({ logger: recordingLogger() }));
      try {
        const res = await harness.request("GET", "/");
        assert.equal(res.status, 200);
        assert.equal(res.headers["x-mixed-case"], "yes");
        assert.ok(Object.keys(res.headers).every((name) => name === name.toLowerCase()), JSON.stringify(res.headers));
        assert.equal(res.text, "hi");
      } finally {
        await harness.close();
      }
    });

    it("gives a refused handshake's status instead of 101", async () => {
      const harness = await adapter.serve(new Site({ logger: recordingLogger() }));
      try {
        assert.equal((await harness.websocket("/never")).status, 403);
      } finally {
        await harness.close();
      }
    });

    it("times next() out with UPIE_ERR_TIMED_OUT, then ends it with the connection", async () => {
      const harness = await adapter.serve(new Site({ logger: recordingLogger() }));
      try {
        const socket = await harness.websocket("/later");
        assert.equal(socket.status, 101);
        await assert.rejects(socket.next(50), (error: unknown) => error instanceof TimedOutError && error.code === ERRORS.TIMED_OUT.code);
        socket.sendText("one");
        assert.equal(await socket.next(), "got one");
        assert.deepEqual(await socket.closed, { code: 4002, reason: "bye" });
        await assert.rejects(socket.next(), { code: ERRORS.INVALID_STATE.code });
      } finally {
        await harness.close();
      }
    });
  });
}
