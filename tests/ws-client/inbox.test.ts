import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { Inbox } from "../../lib/ws-client/inbox.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("Inbox", () => {
  it("runs a synchronous handle at once, in order", () => {
    const seen: string[] = [];
    const inbox = new Inbox((m) => void seen.push(String(m)), () => {});
    for (const m of ["a", "b", "c"]) inbox.push(m);
    assert.deepEqual(seen, ["a", "b", "c"]);
  });

  it("waits for each promise before the next message", async () => {
    const log: string[] = [];
    const gates: Array<() => void> = [];
    const inbox = new Inbox((m) => {
      log.push(`start ${m}`);
      return new Promise<void>((resolve) => gates.push(() => (log.push(`end ${m}`), resolve())));
    }, () => {});
    inbox.push("a");
    inbox.push("b");
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
    }, (error) => errors.push((error as Error).message));
    for (const m of ["a", "bad", "b", "worse", "c"]) inbox.push(m);
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
    }, () => {});
    inbox.attach({ pause: () => flow.push("pause"), resume: () => flow.push("resume") });
    for (let i = 0; i < 1002; i++) inbox.push(String(i));
    assert.deepEqual(flow, ["pause"]);
    release();
    for (let i = 0; i < 100 && handled < 1002; i++) await tick();
    assert.equal(handled, 1002);
    assert.deepEqual(flow, ["pause", "resume"]);
  });
});
