/**
 * Type-level tests: `tsc -p tsconfig.json` (run by `npm test` and CI) fails
 * when the type stops flowing from a schema to what `receiveJson` returns.
 * The runtime half checks that the values match the types claimed.
 */
import assert from "node:assert/strict";
import { it } from "node:test";

import * as v from "valibot";
import { z } from "zod";

import { App, TestClient, type InferOutput, type StandardSchemaV1, type WebSocket } from "../../lib/index.js";

/** True only when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_proof: T): void {}

const Zod = z.object({ text: z.string(), at: z.coerce.date() });
const Valibot = v.object({ n: v.pipe(v.string(), v.transform(Number)), tags: v.optional(v.array(v.string())) });
const Handmade: StandardSchemaV1<unknown, readonly [number, number]> = {
  "~standard": { version: 1, vendor: "test", validate: (value) => ({ value: value as readonly [number, number] }) },
};

class Typed extends App {
  async ws_types(ws: WebSocket) {
    await ws.accept();
    const zod = await ws.receiveJson(Zod);
    expectType<Equal<typeof zod, { text: string; at: Date }>>(true);
    const valibot = await ws.receiveJson(Valibot);
    expectType<Equal<typeof valibot, { n: number; tags?: string[] | undefined }>>(true);
    const pair = await ws.receiveJson(Handmade);
    expectType<Equal<typeof pair, readonly [number, number]>>(true);
    const untyped = await ws.receiveJson();
    expectType<Equal<typeof untyped, unknown>>(true);
    const claimed = await ws.receiveJson<{ id: string }>();
    expectType<Equal<typeof claimed, { id: string }>>(true);
    // @ts-expect-error a schema's output is not a string
    const wrong: string = await ws.receiveJson(Zod);
    void wrong;
    await ws.sendJson({ at: zod.at.getUTCFullYear(), n: valibot.n + 1, sum: pair[0] + pair[1], id: claimed.id });
  }
}

expectType<Equal<InferOutput<typeof Zod>, { text: string; at: Date }>>(true);

it("returns values of the types the schemas claim", async () => {
  const ws = await new TestClient(new Typed()).websocket("/types");
  await ws.sendText(JSON.stringify({ text: "hi", at: "2026-12-04T00:00:00Z" }));
  await ws.sendText(JSON.stringify({ n: "41" }));
  await ws.sendText("[1, 2]");
  await ws.sendText("{}");
  await ws.sendText('{"id":"x"}');
  await ws.sendText('{"text":"again","at":0}');
  assert.deepEqual(await ws.receiveJson(), { at: 2026, n: 42, sum: 3, id: "x" });
  await ws.close();
});
