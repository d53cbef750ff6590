/**
 * `GatherClient` against a real space server: `run` semantics, the
 * callback, the generated actions and their docs, heartbeats, log lines
 * and reconnects. Producers that sleep "forever" use unref'd timers: `run`
 * must return without them, and they must not hold the test process open.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";

import { GatherClient, GatherRefusedError, type SpaceBatch } from "../../../examples/space/client/index.js";
import { formatLogLine } from "../../../examples/space/client/log.js";
import { SpaceServer } from "./helpers.js";
import { SEED_ACTIONS } from "./seed-actions.js";

describe("GatherClient", { timeout: 60_000 }, () => {
  let space: SpaceServer;
  before(async () => {
    space = await SpaceServer.start({ heartbeatIntervalMs: 100 });
  });
  after(async () => space.close());

  function client(spaceId: string, extra: Partial<ConstructorParameters<typeof GatherClient>[0]> = {}) {
    const lines: string[] = [];
    const gather = new GatherClient({ apiKey: "key-bob", spaceId, url: space.wsUrl, log: (line) => lines.push(line), ...extra });
    return { gather, lines };
  }

  it("runs a producer like the seed's: statuses, then a sleep; the socket closes when it returns", async () => {
    const observer = await space.join("key-alice", "gc/Seed");
    const { gather, lines } = client("gc/Seed");
    const result = await gather.run(async (c) => {
      await c.setTextStatus("new status text");
      await c.setEmojiStatus("😁");
      await sleep(200);
      return "done";
    });
    assert.equal(result, "done");
    const text = await observer.next("playerSetsTextStatus");
    assert.equal(text.playerSetsTextStatus.textStatus, "new status text");
    assert.equal((await observer.next("playerSetsEmojiStatus")).playerSetsEmojiStatus.emojiStatus, "😁");
    await observer.next("playerExits", (e) => e.playerExits.id === gather.id);
    assert.match(lines[0]!, /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\]\[INFO\] Connected to ws:\/\/127\.0\.0\.1:\d+\/space$/);
    assert.ok(lines.some((l) => l.endsWith(`[INFO] Connected as user ${gather.id}`)), lines.join("\n"));
    assert.equal(lines.some((l) => l.includes("[DEBUG]")), false, "INFO hides DEBUG lines");
    observer.close();
  });

  it("passes extra arguments to the producer", async () => {
    const { gather } = client("gc/Args");
    const seen = await gather.run(async (_c, a: string, k: { k: string }) => [a, k], "arg", { k: "kwarg" });
    assert.deepEqual(seen, ["arg", { k: "kwarg" }]);
  });

  it("hands every batch to the callback, with each event's kind", async () => {
    const kinds: string[] = [];
    const { gather } = client("gc/Callback", {
      callback: (_c, batch: SpaceBatch) => {
        for (const event of batch.events) kinds.push(event.event!);
      },
    });
    await gather.run(async (c) => {
      await c.setTextStatus("x");
      for (let i = 0; i < 100 && !(kinds.includes("serverHeartbeat") && kinds.includes("playerSetsTextStatus")); i++) await sleep(20);
    });
    assert.equal(kinds[0], "ready");
    for (const kind of ["transactionStatus", "serverHeartbeat", "playerSetsTextStatus", "mapSetDimensions"]) assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(",")}`);
  });

  it("generates the action methods from the schema, with docs", () => {
    const { gather } = client("gc/Docs");
    assert.equal(SEED_ACTIONS.length, 116);
    assert.deepEqual(gather.availableActions, SEED_ACTIONS.map((name) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())));
    for (const name of SEED_ACTIONS) assert.match(gather.describe(name), /^\w+\nArgs:/, name);
    assert.equal(gather.describe("setTextStatus"), "setTextStatus\nArgs:\n\ttextStatus (string)\n\ttargetId (string)");
    assert.equal(gather.describe("set_text_status"), gather.describe("setTextStatus"));
    assert.equal(gather.describe("mapAddObject"), "mapAddObject\nArgs:\n\tmapId (string)\n\tobject (WireObject)");
    assert.equal(gather.describe("chat"), "chat\nArgs:\n\tchatRecipient (string)\n\tcontents (string)\n\tlocalPlayerIds (string[])\n\tmapId (string)\n\tid (string)\n\tnookId (string)");
    assert.equal(gather.describe("map_set_use_drawn_b_g"), "mapSetUseDrawnBG\nArgs:\n\tmapId (string)\n\tuseDrawnBG (bool)\n\tdelete (bool)");
    assert.equal(gather.describe("craft"), "craft\nArgs:\n\tinputs (map<string, int32>)");
    assert.equal(gather.describe("exit"), "exit\nArgs: none");
    assert.equal(gather.setTextStatus.doc, gather.describe("setTextStatus"));
    assert.equal(typeof gather.move, "function");
    assert.throws(() => gather.describe("fly"), /no action 'fly'/);
  });

  it("sends positional arguments in field order and rejects bad ones", async () => {
    const observer = await space.join("key-alice", "gc/Positional");
    const { gather } = client("gc/Positional");
    await gather.run(async (c) => {
      await c.teleport("", 5, 3, "", 1);
      await assert.rejects(c.setTextStatus("a", "b", "c"), /takes 2 argument/);
      await assert.rejects(c.move("up"), /bad action/);
      await c.chat("LOCAL_CHAT", "hi from the SDK");
    });
    const move = await observer.next("playerMoves", (e) => e.playerMoves.x === 5);
    assert.deepEqual([move.playerMoves.y, move.playerMoves.direction], [3, 1]);
    assert.equal((await observer.next("playerChats")).playerChats.contents, "hi from the SDK");
    observer.close();
  });

  it("logs heartbeats and messages at DEBUG", async () => {
    const { gather, lines } = client("gc/Debug", { logLevel: "DEBUG", heartbeatIntervalMs: 50 });
    await gather.run(async () => {
      for (let i = 0; i < 100 && !lines.some((l) => l.includes("Heartbeat sent")); i++) await sleep(20);
      await sleep(150);
    });
    assert.ok(lines.some((l) => /\]\[DEBUG\] Receiving messages$/.test(l)));
    assert.ok(lines.some((l) => /\]\[DEBUG\] Heartbeat sent$/.test(l)));
    assert.ok(lines.some((l) => /\]\[DEBUG\] Message received: .*"serverHeartbeat"/.test(l)));
  });

  it("sends client heartbeats the server acknowledges and times (lastRTT)", async () => {
    const statuses: boolean[] = [];
    let lastRTTSeen = -1;
    const { gather } = client("gc/Heartbeat", {
      heartbeatIntervalMs: 40,
      callback: (_c, batch) => {
        for (const e of batch.events) {
          if (e.event === "transactionStatus") statuses.push(e.transactionStatus.succeeded);
          if (e.event === "serverHeartbeat") lastRTTSeen = Math.max(lastRTTSeen, e.serverHeartbeat.lastRTT);
        }
      },
    });
    await gather.run(async () => {
      for (let i = 0; i < 150 && (statuses.length < 4 || lastRTTSeen < 0); i++) await sleep(20);
    });
    assert.ok(statuses.length >= 4 && statuses.every(Boolean), `heartbeats succeed: ${statuses.join(",")}`);
    assert.ok(lastRTTSeen >= 0, "a server heartbeat after a client heartbeat carries the round trip");
  });

  it("rejects run with GatherRefusedError on a wrong API key, without waiting for the producer", async () => {
    const gather = new GatherClient({ apiKey: "wrong", spaceId: "gc/Refused", url: space.wsUrl, log: () => {} });
    const started = Date.now();
    await assert.rejects(
      gather.run(() => sleep(30_000, undefined, { ref: false })),
      (error: unknown) => error instanceof GatherRefusedError && error.code === 401,
    );
    assert.ok(Date.now() - started < 10_000);
  });

  it("stops when close() is called, though the producer still sleeps", async () => {
    const { gather } = client("gc/Close", {
      callback: (c, batch) => {
        if (batch.events.some((e) => e.event === "ready")) setTimeout(() => c.close(), 50);
      },
    });
    const result = await gather.run(() => sleep(30_000, undefined, { ref: false }).then(() => "late"));
    assert.equal(result, undefined);
    await assert.rejects(gather.setName("after"), /not running/);
  });

  it("reconnects after the server drops it, says who it is again, and goes on", async () => {
    const observer = await space.join("key-alice", "gc/Reconnect");
    const { gather, lines } = client("gc/Reconnect", { reconnect: { initialDelayMs: 50, maxDelayMs: 200 } });
    await gather.run(async (c) => {
      const firstId = c.id;
      const connection = space.app.hub.spaces.get("gc/Reconnect")!.connections.get(firstId)!;
      await connection.ws.close(1011, "server hiccup");
      for (let i = 0; i < 250 && c.id === firstId; i++) await sleep(20);
      assert.notEqual(c.id, firstId, "a new ready after the reconnect");
      await c.setTextStatus("back again");
    });
    assert.equal(lines.filter((l) => l.includes("Connected as user")).length, 2);
    assert.ok(lines.some((l) => l.includes("Disconnected (1011 server hiccup)")));
    await observer.next("playerSetsTextStatus", (e) => e.playerSetsTextStatus.textStatus === "back again");
    observer.close();
  });

  it("ends run at the first drop with reconnect: false (the seed's behaviour)", async () => {
    const { gather } = client("gc/NoReconnect", { reconnect: false });
    const result = await gather.run(async (c) => {
      const connection = space.app.hub.spaces.get("gc/NoReconnect")!.connections.get(c.id)!;
      await connection.ws.close(1011, "gone");
      await sleep(30_000, undefined, { ref: false });
      return "late";
    });
    assert.equal(result, undefined);
  });

  it("rejects run when the server cannot be reached and reconnect is false", async () => {
    const gather = new GatherClient({ apiKey: "key-bob", spaceId: "gc/Nowhere", url: "ws://127.0.0.1:9/space", reconnect: false, log: () => {} });
    let produced = false;
    await assert.rejects(gather.run(async () => void (produced = true)));
    assert.equal(produced, false);
  });

  it("formats log lines like the Python client", () => {
    assert.equal(formatLogLine("INFO", "Connected as user U", new Date("2023-03-19T22:44:57.340Z")), "[2023-03-19 22:44:57,340][INFO] Connected as user U");
  });
});
