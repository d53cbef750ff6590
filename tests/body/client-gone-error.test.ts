import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClientGoneError } from "../../lib/body/client-gone-error.js";
import { readBody } from "../../lib/body/read-body.js";
import { ERRORS, HttpError } from "../../lib/protocol/errors.js";
import type { ReceiveEvent } from "../../lib/protocol/protocol.js";

describe("ClientGoneError", () => {
  it("carries UPIE_ERR_CLIENT_GONE and the catalogue's message by default", () => {
    const error = new ClientGoneError();
    assert.ok(error instanceof Error);
    assert.equal(error.name, "ClientGoneError");
    assert.equal(error.code, "UPIE_ERR_CLIENT_GONE");
    assert.equal(error.message, ERRORS.CLIENT_GONE.message);
    assert.equal(new ClientGoneError("left mid-chunk").message, "left mid-chunk");
  });

  it("is no HttpError: there is no client left to answer", () => {
    assert.equal(new ClientGoneError() instanceof HttpError, false);
    assert.equal("status" in new ClientGoneError(), false);
  });

  it("is what reading a body throws when the client leaves half way", async () => {
    const events: ReceiveEvent[] = [{ type: "http.request", body: new Uint8Array(3), more: true }, { type: "http.disconnect" }];
    await assert.rejects(readBody(async () => events.shift()!, 1024), (error: unknown) =>
      error instanceof ClientGoneError && error.code === ERRORS.CLIENT_GONE.code);
  });
});
