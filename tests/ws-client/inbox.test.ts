import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Inbox } from "../../lib/ws-client/inbox.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const limits = { maxMessages: 1000, maxBytes: 16 * 1024 * 1024 };

describe("Inbox", () => {
  it("runs a synchronous handle at once, in order", () => {
    const seen: string[] = [];
    const inbox = new Inbox((m) => void seen.push(String(m)), () => {}, limits);
    for (const m of ["a", "b", "c"]) inbox.push(m, 1);
    assert.deepEqual(seen, ["a", "b", "c"]);
  });

  it("waits for each promise before the next message", async () => {
    const log: string[] = [];
    const gates: Array<() => void> = [];
    const inbox = new Inbox((m) => {
      log.push(`start ${m}`);
      return new Promise<void>((resolve) => gates.push(() => (log.push(`end ${m}`), resolve())));
    }, () => {}, limits);
    inbox.push("a", 1);
    inbox.push("b", 1);
    await tick();
    assert.deepEqual(log, ["start a"]);
    gates.shift()!();
    await tick();
    assert.deepEqual(log, ["start a", "end a", "start b"]);
    gates.shift()!();
    await tick();
    assert.deepEqual(log, ["start a", "end a", "start b", "end b"]);
  });

  it("reports throws and rejections, and goes on", async () => {
    const errors: string[] = [];
    const seen: string[] = [];
    const inbox = new Inbox(async (m) => {
      seen.push(String(m));
      if (m === "bad") throw new Error("boom");
      if (m === "worse") throw new Error("bang");
    }, (error) => errors.push((error as Error).message), limits);
    for (const m of ["a", "bad", "b", "worse", "c"]) inbox.push(m, 1);
    for (let i = 0; i < 10 && seen.length < 5; i++) await tick();
    assert.deepEqual(seen, ["a", "bad", "b", "worse", "c"]);
    assert.deepEqual(errors, ["boom", "bang"]);
  });

  it("pauses the connection above 1000 waiting messages and resumes at half", async () => {
    const flow: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let handled = 0;
    const inbox = new Inbox(async () => {
      await gate;
      handled++;
    }, () => {}, limits);
    inbox.attach({ pause: () => flow.push("pause"), resume: () => flow.push("resume") });
    for (let i = 0; i < 1002; i++) inbox.push(String(i), 1);
    assert.deepEqual(flow, ["pause"]);
    release();
    for (let i = 0; i < 100 && handled < 1002; i++) await tick();
    assert.equal(handled, 1002);
    assert.deepEqual(flow, ["pause", "resume"]);
  });

  it("pauses the connection past maxBytes waiting, resumes below half, and then says it caught up", async () => {
    const flow: string[] = [];
    const gates: Array<() => void> = [];
    let handled = 0;
    const inbox = new Inbox(async () => {
      await new Promise<void>((resolve) => gates.push(resolve));
      handled++;
    }, () => {}, { maxMessages: 1000, maxBytes: 100 });
    inbox.attach({ pause: () => flow.push("pause"), resume: () => flow.push("resume") });
    inbox.push("first", 40); // handled at once: it is not waiting
    for (let i = 0; i < 3; i++) inbox.push(`m${i}`, 40);
    assert.equal(inbox.waitingBytes, 120);
    assert.deepEqual(flow, ["pause"]);
    assert.equal(inbox.paused, true);
    let caughtUp = false;
    void inbox.caughtUp().then(() => (caughtUp = true));
    gates.shift()!(); // "first" done: m0 starts, 80 bytes wait (not below half)
    await tick();
    assert.deepEqual(flow, ["pause"]);
    assert.equal(caughtUp, false);
    gates.shift()!(); // m0 done: m1 starts, 40 bytes wait
    await tick();
    assert.deepEqual(flow, ["pause", "resume"]);
    assert.equal(caughtUp, true);
    while (gates.length > 0 || handled < 4) {
      gates.shift()?.();
      await tick();
    }
    assert.equal(handled, 4);
    assert.equal(inbox.waitingBytes, 0);
  });

  it("pauses a connection attached while too much is waiting", async () => {
    const flow: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inbox = new Inbox(() => gate, () => {}, { maxMessages: 2, maxBytes: 1000 });
    for (let i = 0; i < 4; i++) inbox.push(String(i), 1);
    inbox.attach({ pause: () => flow.push("pause"), resume: () => flow.push("resume") });
    assert.deepEqual(flow, ["pause"]);
    release();
    await inbox.caughtUp();
    assert.equal(inbox.waiting <= 1, true);
  });
});
