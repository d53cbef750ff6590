/**
 * The bots: they join, take names, walk and do the rest of the mix (chat,
 * statuses, emotes, speaking, rings, whispers…), and everyone sees it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { botAction, runBots } from "../../../examples/space/bots.js";
import { SpaceServer } from "./helpers.js";

describe("examples/space bots", { timeout: 30_000 }, () => {
  let space: SpaceServer;
  before(async () => {
    space = await SpaceServer.start({ actionRate: { perSecond: 100, burst: 100 } });
  });
  after(async () => space.close());

  it("mixes many kinds of action, each one a guest may send", () => {
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const names = new Set(Array.from({ length: 2000 }, () => botAction(["someone"], random)[0]));
    assert.ok(names.size >= 15, [...names].join(", "));
  });

  it("runs N bots that name themselves, move and act, then leave", async () => {
    const observer = await space.join("key-alice", "bots/One");
    const ran = await runBots({ url: space.wsUrl, apiKey: "guest", spaceId: "bots/One", count: 5, durationMs: 2000, actionsPerSecond: 15, otherChance: 0.6 });
    assert.equal(ran, 5);
    const names = new Set<string>();
    for (let i = 0; i < 5; i++) names.add((await observer.next("playerSetsName")).playerSetsName.name);
    assert.deepEqual([...names].sort(), ["Bot 1", "Bot 2", "Bot 3", "Bot 4", "Bot 5"]);
    await observer.next("playerMoves", (e) => e.playerMoves.encId !== observer.encId);
    for (let i = 0; i < 5; i++) await observer.next("playerExits");
    const kinds = new Set(observer.events.map((e) => e.event));
    const bots = ["playerChats", "playerSetsTextStatus", "playerSetsEmoteV2", "playerActivelySpeaks", "playerSetsAway", "playerWaves", "playerSetsPronouns", "playerSetsCity"].filter((k) => kinds.has(k));
    assert.ok(bots.length >= 5, `the observer saw a wide mix: ${[...kinds].join(", ")}`);
    observer.close();
  });
});
