import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { ConnectionClosed, QueueFullError } from "../../lib/ws-client/errors.js";
import { SendQueue, type Outgoing } from "../../lib/ws-client/send-queue.js";

/** An entry that records how it settled in `log`. */
function entry(log: string[], data: string, options: { first?: boolean; deadline?: number; id?: string } = {}): Outgoing {
  return {
    data,
    id: options.id,
    first: options.first ?? false,
    deadline: options.deadline ?? 0,
    state: "waiting",
    connection: 0,
    resolve: () => void log.push(`ok ${data}`),
    reject: (error) => void log.push(`${error.name} ${data}`),
  };
}

describe("SendQueue", () => {
  it("hands entries out in push order, onConnect's first", () => {
    const log: string[] = [];
    const queue = new SendQueue(10);
    queue.push(entry(log, "a"));
    queue.push(entry(log, "b"));
    queue.push(entry(log, "login", { first: true }));
    assert.equal(queue.take(1, true)?.data, "login");
    assert.equal(queue.take(1, true), undefined, "only onConnect's sends while it runs");
    assert.deepEqual([queue.take(1, false)?.data, queue.take(1, false)?.data, queue.take(1, false)], ["a", "b", undefined]);
  });

  it("settles in call order even when confirmations come out of order", () => {
    const log: string[] = [];
    const queue = new SendQueue(10);
    for (const data of ["a", "b", "c"]) queue.push(entry(log, data));
    const [a, b, c] = [queue.take(1, false)!, queue.take(1, false)!, queue.take(1, false)!];
    queue.confirm(c);
    queue.confirm(b);
    assert.deepEqual(log, []);
    queue.confirm(a);
    assert.deepEqual(log, ["ok a", "ok b", "ok c"]);
    assert.equal(queue.inflight, 0);
  });

  it("puts what a dead connection did not confirm back in front of later sends", () => {
    const log: string[] = [];
    const queue = new SendQueue(10);
    for (const data of ["a", "b", "c"]) queue.push(entry(log, data));
    queue.push(entry(log, "login", { first: true }));
    const login = queue.take(1, true)!;
    queue.confirm(login);
    queue.take(1, false);
    queue.take(1, false);
    queue.push(entry(log, "d"));
    queue.push(entry(log, "login2", { first: true }));
    queue.requeue(new ConnectionClosed(1006, "lost"));
    assert.deepEqual(log, ["ok login", "ConnectionClosed login2"], "onConnect's sends are not carried over");
    const order: string[] = [];
    for (let next = queue.take(2, false); next; next = queue.take(2, false)) order.push(String(next.data));
    assert.deepEqual(order, ["a", "b", "c", "d"]);
  });

  it("refuses beyond maxQueue and never refuses onConnect's sends", () => {
    const log: string[] = [];
    const queue = new SendQueue(2);
    queue.push(entry(log, "a"));
    queue.push(entry(log, "b"));
    assert.throws(() => queue.push(entry(log, "c")), (error: unknown) => error instanceof QueueFullError && error.code === "UPIE_ERR_WS_CLIENT_QUEUE_FULL");
    queue.push(entry(log, "login", { first: true }));
    assert.equal(queue.waiting, 3);
  });

  it("expires the oldest waiting entries and reports the next deadline", () => {
    const log: string[] = [];
    const queue = new SendQueue(10);
    queue.push(entry(log, "a", { deadline: 100 }));
    queue.push(entry(log, "b", { deadline: 200 }));
    const next = queue.expire(150, false, () => new Error("late"));
    assert.deepEqual(log, ["Error a"]);
    assert.equal(next, 200);
    assert.equal(queue.expire(250, false, () => new Error("late")), undefined);
    assert.deepEqual(log, ["Error a", "Error b"]);
  });

  it("rejects everything on rejectAll, but resolves what was already confirmed", () => {
    const log: string[] = [];
    const queue = new SendQueue(10);
    for (const data of ["a", "b", "c"]) queue.push(entry(log, data));
    const a = queue.take(1, false)!;
    const b = queue.take(1, false)!;
    queue.confirm(b);
    void a;
    queue.rejectAll(new ConnectionClosed(1000, "bye"), true);
    assert.deepEqual(log.sort(), ["ConnectionClosed a", "ConnectionClosed c", "ok b"]);
  });
});
