import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERRORS } from "../../lib/protocol/errors.js";
import { MessageTooLargeError } from "../../lib/redis/message-too-large-error.js";

describe("MessageTooLargeError", () => {
  it("carries UPIE_ERR_BROKER_MESSAGE_TOO_LARGE and 413", () => {
    const error = new MessageTooLargeError(2_000_000, 1_048_576);
    assert.ok(error instanceof Error);
    assert.equal(error.name, "MessageTooLargeError");
    assert.equal(error.code, "UPIE_ERR_BROKER_MESSAGE_TOO_LARGE");
    assert.equal(error.status, 413);
    assert.equal(error.status, ERRORS.BROKER_MESSAGE_TOO_LARGE.status);
  });

  it("names the size and the bound, after the catalogue's message", () => {
    assert.equal(new MessageTooLargeError(101, 100).message, "Published message larger than the broker's maxMessageBytes: 101 bytes, at most 100");
  });
});
