/**
 * Property tests (fast-check): whatever bytes a client sends after init,
 * and whatever values an action's fields carry, the server answers or
 * closes with a documented code, and never crashes or stops serving.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import fc from "fast-check";
import protobuf from "protobufjs";

import { schema, SpaceServer } from "./helpers.js";

/** Close codes the server uses for bad input. */
const EXPECTED_CLOSES = new Set([1003, 1007, 1008, 1009]);

describe("examples/space under arbitrary input", { timeout: 120_000 }, () => {
  let space: SpaceServer;
  before(async () => {
    space = await SpaceServer.start({ tickHz: 100, actionRate: { perSecond: 1000, burst: 1000 } });
  });
  after(async () => space.close());

  /** The oneof's field numbers: every action. */
  const actionFields = schema.ClientServerAction.oneofs!.action!.fieldsArray.map((f) => f.id);

  /** A frame naming action `field` whose body is `body` (any bytes): valid protobuf framing, arbitrary content. */
  function frame(txnId: number, field: number, body: Uint8Array): Uint8Array {
    return protobuf.Writer.create().uint32(8).uint32(txnId).uint32((field << 3) | 2).bytes(body).finish();
  }

  /** Sends `frames`, then a heartbeat; the heartbeat is answered unless the server closed with a documented code. */
  async function survives(frames: Uint8Array[]): Promise<void> {
    const client = await space.join("key-alice", "fuzz/One");
    for (const f of frames) client.sendRaw(Buffer.from(f));
    const probe = client.send({ clientHeartbeat: {} }, 4_000_000_000);
    // Whichever comes first: the probe's answer, or a close (then no answer will come: do not wait for one).
    const outcome = await Promise.race([
      client.next("transactionStatus", (e) => e.transactionStatus.txnId === probe, 5000).then((e) => ({ succeeded: e.transactionStatus.succeeded as boolean })),
      client.closed.then(({ code }) => ({ code })),
    ]);
    if ("code" in outcome) assert.ok(EXPECTED_CLOSES.has(outcome.code), `closed with ${outcome.code}`);
    else assert.equal(outcome.succeeded, true);
    client.close();
  }

  it("answers or closes cleanly on arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 80 }), { minLength: 1, maxLength: 12 }), (frames) => survives(frames)),
      { numRuns: 40 },
    );
  });

  it("answers every action with arbitrary field contents", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...actionFields), fc.uint8Array({ maxLength: 60 })), { minLength: 1, maxLength: 15 }),
        (actions) => survives(actions.map(([field, body], i) => frame(1000 + i, field, body))),
      ),
      { numRuns: 60 },
    );
  });

  it("still serves a new client afterwards", async () => {
    const client = await space.join("key-bob", "fuzz/Two");
    assert.equal((await client.act({ setTextStatus: { textStatus: "fine" } })).succeeded, true);
    client.close();
  });
});
