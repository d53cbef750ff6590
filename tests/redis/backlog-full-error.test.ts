import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERRORS, HttpError } from "../../lib/protocol/errors.js";
import { BacklogFullError } from "../../lib/redis/backlog-full-error.js";

describe("BacklogFullError", () => {
  it("carries UPIE_ERR_BROKER_BACKLOG_FULL and 503", () => {
    const error = new BacklogFullError(10_000, 2048);
    assert.ok(error instanceof Error);
    assert.equal(error.name, "BacklogFullError");
    assert.equal(error.code, "UPIE_ERR_BROKER_BACKLOG_FULL");
    assert.equal(error.status, 503);
    assert.equal(error.status, ERRORS.BROKER_BACKLOG_FULL.status);
  });

  it("says how much is held, after the catalogue's message", () => {
    assert.equal(new BacklogFullError(3, 12).message, "Broker unreachable and its backlog is full: 3 messages (12 bytes) wait for Redis");
  });

  it("turns into the response its docs suggest", () => {
    const response = new HttpError(new BacklogFullError(1, 1).status);
    assert.equal(response.status, 503);
    assert.equal(response.message, "Service Unavailable");
  });
});
