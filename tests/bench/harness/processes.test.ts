import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cpuSeconds, cpuTimes } from "../../../bench/harness/processes.js";

/** Spins in JavaScript: user time, no system calls. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  assert.ok(x > 0);
}

describe("cpuTimes", () => {
  it("splits a process's CPU time into user and system seconds, which add up to cpuSeconds", () => {
    const times = cpuTimes(process.pid);
    assert.ok(times !== null);
    assert.ok(times.user >= 0 && times.system >= 0);
    const total = cpuSeconds(process.pid)!;
    // Read a moment apart, so within a few clock ticks of each other.
    assert.ok(Math.abs(total - (times.user + times.system)) < 0.1, `${total} vs ${times.user} + ${times.system}`);
  });

  it("charges a spin in JavaScript to user time", () => {
    const before = cpuTimes(process.pid)!;
    spin(300);
    const after = cpuTimes(process.pid)!;
    assert.ok(after.user - before.user >= 0.2, `user time grew by ${after.user - before.user} s`);
    assert.ok(after.system - before.system < 0.1, `system time grew by ${after.system - before.system} s`);
  });

  it("is null once the process is gone", () => {
    assert.equal(cpuTimes(2 ** 22 + 1), null);
  });
});
