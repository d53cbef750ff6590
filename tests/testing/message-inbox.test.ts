/** MessageInbox: what a harness client received, handed out in order by next(). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERRORS, InvalidStateError } from "../../lib/index.js";
import { TimedOutError } from "../../lib/testing/index.js";
import { MessageInbox } from "../../lib/testing/message-inbox.js";

describe("MessageInbox", () => {
  it("hands out messages in arrival order, text and bytes as pushed", async () => {
    const inbox = new MessageInbox();
    inbox.push("a");
    inbox.push(new Uint8Array([1]));
    inbox.push("c");
    assert.equal(await inbox.next(), "a");
    assert.deepEqual(await inbox.next(), new Uint8Array([1]));
    assert.equal(await inbox.next(), "c");
  });

  it("wakes a waiting next() as soon as a message arrives", async () => {
    const inbox = new MessageInbox();
    const started = Date.now();
    const waiting = inbox.next(5000);
    setTimeout(() => inbox.push("late"), 20);
    assert.equal(await waiting, "late");
    assert.ok(Date.now() - started < 1000);
  });

  it("rejects with UPIE_ERR_TIMED_OUT when nothing arrives in time", async () => {
    const inbox = new MessageInbox();
    const started = Date.now();
    await assert.rejects(inbox.next(30), (error: unknown) => error instanceof TimedOutError && error.code === ERRORS.TIMED_OUT.code && /30 ms/.test(error.message));
    assert.ok(Date.now() - started >= 25);
  });

  it("still hands out what arrived before end(), then rejects with UPIE_ERR_INVALID_STATE", async () => {
    const inbox = new MessageInbox();
    inbox.push("last words");
    inbox.end();
    assert.equal(await inbox.next(), "last words");
    await assert.rejects(inbox.next(), (error: unknown) => error instanceof InvalidStateError && error.code === ERRORS.INVALID_STATE.code);
  });

  it("ends a next() that was already waiting", async () => {
    const inbox = new MessageInbox();
    const waiting = inbox.next(5000);
    setTimeout(() => inbox.end(), 10);
    await assert.rejects(waiting, InvalidStateError);
  });
});
