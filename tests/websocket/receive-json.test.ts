import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as v from "valibot";
import { z } from "zod";

import { App, InvalidMessageError, type WebSocket } from "../../lib/index.js";
import { testClientAdapter, uwsAdapter, type AdapterUnderTest } from "../../lib/testing/index.js";

const ZodMove = z.object({ x: z.number().int(), y: z.number().int(), note: z.string().default("") });
const ValibotMove = v.object({ x: v.pipe(v.number(), v.integer()), y: v.pipe(v.number(), v.integer()) });

class Board extends App {
  /** Answers each move; a bad one is caught and answered, and the loop goes on. */
  async ws_zod(ws: WebSocket) {
    await ws.accept();
    for (;;) {
      try {
        const move = await ws.receiveJson(ZodMove);
        await ws.sendJson({ ok: move.x + move.y, note: move.note });
      } catch (error) {
        if (!(error instanceof InvalidMessageError)) throw error;
        await ws.sendJson({ code: error.code, issues: error.issues });
      }
    }
  }

  /** Lets the error escape: the socket closes with 1007. */
  async ws_valibot(ws: WebSocket) {
    await ws.accept();
    for (;;) {
      const move = await ws.receiveJson(ValibotMove);
      await ws.sendJson({ ok: move.x * move.y });
    }
  }

  /** No schema: parsed JSON, and malformed JSON escapes as InvalidMessageError too. */
  async ws_plain(ws: WebSocket) {
    await ws.accept();
    const value = await ws.receiveJson<{ a: number[] }>();
    await ws.sendJson(value.a.length);
    await ws.receiveJson();
  }
}

function suite(adapter: AdapterUnderTest): void {
  describe(`ws.receiveJson(schema) on ${adapter.name}`, () => {
    it("returns the schema's output (defaults applied) and hands issues to a handler that catches", async () => {
      const harness = await adapter.serve(new Board());
      try {
        const socket = await harness.websocket("/zod");
        socket.sendText(JSON.stringify({ x: 2, y: 3 }));
        assert.deepEqual(JSON.parse((await socket.next()) as string), { ok: 5, note: "" });
        socket.sendText(JSON.stringify({ x: 2.5, y: "3" }));
        const refused = JSON.parse((await socket.next()) as string);
        assert.equal(refused.code, "UPIE_ERR_WS_INVALID_MESSAGE");
        assert.deepEqual(refused.issues.map((i: { path: unknown[] }) => i.path), [["x"], ["y"]]);
        assert.ok(refused.issues.every((i: { message: unknown }) => typeof i.message === "string" && i.message !== ""));
        socket.sendText("{not json");
        const malformed = JSON.parse((await socket.next()) as string);
        assert.match(malformed.issues[0].message, /^Malformed JSON/);
        assert.deepEqual(malformed.issues[0].path, []);
        socket.sendText(JSON.stringify({ x: 1, y: 1, note: "still open" }));
        assert.deepEqual(JSON.parse((await socket.next()) as string), { ok: 2, note: "still open" });
        socket.close();
      } finally {
        await harness.close();
      }
    });

    it("closes with 1007 when the handler lets an invalid message escape", async () => {
      const harness = await adapter.serve(new Board());
      try {
        const socket = await harness.websocket("/valibot");
        socket.sendText(JSON.stringify({ x: 4, y: 5 }));
        assert.deepEqual(JSON.parse((await socket.next()) as string), { ok: 20 });
        socket.sendText(JSON.stringify({ x: 4 }));
        assert.equal((await socket.closed).code, 1007);
      } finally {
        await harness.close();
      }
    });

    it("parses without a schema, and closes with 1007 on malformed JSON", async () => {
      const harness = await adapter.serve(new Board());
      try {
        const socket = await harness.websocket("/plain");
        socket.sendBytes(new TextEncoder().encode(JSON.stringify({ a: [1, 2, 3] })));
        assert.equal(await socket.next(), "3");
        socket.sendText("[1,");
        assert.equal((await socket.closed).code, 1007);
      } finally {
        await harness.close();
      }
    });
  });
}

suite(testClientAdapter);
suite(uwsAdapter);
