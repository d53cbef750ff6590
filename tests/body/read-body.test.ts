import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HttpError } from "../../lib/protocol/errors.js";
import { ClientGoneError } from "../../lib/body/client-gone-error.js";
import { bodyChunks, readBody } from "../../lib/body/read-body.js";
import { bodyEvents, scriptedReceive } from "./helpers.js";

describe("readBody", () => {
  it("concatenates every chunk until more is false", async () => {
    const script = scriptedReceive(bodyEvents(["hel", "lo ", "world"]));
    const body = await readBody(script.receive, 100);
    assert.equal(body.toString(), "hello world");
    assert.equal(script.pulls, 3);
  });

  it("returns an empty buffer for an empty body", async () => {
    const body = await readBody(scriptedReceive(bodyEvents([])).receive, 10);
    assert.equal(body.byteLength, 0);
  });

  it("accepts a body of exactly the limit", async () => {
    const body = await readBody(scriptedReceive(bodyEvents(["12345", "67890"])).receive, 10);
    assert.equal(body.toString(), "1234567890");
  });

  it("rejects a body over the limit with 413 and stops reading it", async () => {
    const script = scriptedReceive(bodyEvents(Array.from({ length: 100 }, () => "x".repeat(10))));
    await assert.rejects(
      readBody(script.receive, 25),
      (error: unknown) =>
        error instanceof HttpError && error.status === 413 && error.code === "UPIE_ERR_BODY_TOO_LARGE",
    );
    // The third chunk takes the total to 30 > 25: nothing after it is pulled.
    assert.equal(script.pulls, 3);
  });

  it("throws ClientGoneError when the client disconnects", async () => {
    const script = scriptedReceive([
      { type: "http.request", body: Buffer.from("par"), more: true },
      { type: "http.disconnect" },
    ]);
    await assert.rejects(readBody(script.receive, 100), (error: unknown) => {
      assert.ok(error instanceof ClientGoneError);
      assert.equal(error.name, "ClientGoneError");
      assert.equal(error.code, "UPIE_ERR_CLIENT_GONE");
      return true;
    });
  });
});

describe("bodyChunks", () => {
  it("yields each non-empty chunk and stops after the last", async () => {
    const script = scriptedReceive([
      { type: "http.request", body: Buffer.from("a"), more: true },
      { type: "http.request", body: new Uint8Array(0), more: true },
      { type: "http.request", body: Buffer.from("b"), more: false },
    ]);
    const seen: string[] = [];
    for await (const chunk of bodyChunks(script.receive)) seen.push(Buffer.from(chunk).toString());
    assert.deepEqual(seen, ["a", "b"]);
    assert.equal(script.pulls, 3);
  });

  it("throws ClientGoneError on disconnect", async () => {
    const script = scriptedReceive([
      { type: "http.request", body: Buffer.from("a"), more: true },
      { type: "http.disconnect" },
    ]);
    await assert.rejects(async () => {
      for await (const _chunk of bodyChunks(script.receive)) {
        // consume
      }
    }, ClientGoneError);
  });

  it("stops pulling when the consumer stops early", async () => {
    const script = scriptedReceive(bodyEvents(["a", "b", "c", "d"]));
    for await (const _chunk of bodyChunks(script.receive)) break;
    assert.equal(script.pulls, 1);
  });
});
