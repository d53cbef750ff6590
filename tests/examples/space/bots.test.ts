/**
 * The bots: they join, take names and walk, and everyone sees it.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { runBots } from "../../../examples/space/bots.js";
import { SpaceServer } from "./helpers.js";

describe("examples/space bots", { timeout: 30_000 }, () => {
  let space: SpaceServer;
  before(async () => {
    space = await SpaceServer.start();
  });
  after(async () => space.close());

  it("runs N bots that name themselves, move and chat, then leave", async () => {
    const observer = await space.join("key-alice", "bots/One");
    const ran = await runBots({ url: space.wsUrl, apiKey: "guest", spaceId: "bots/One", count: 5, durationMs: 1500, actionsPerSecond: 10, chatChance: 0.2 });
    assert.equal(ran, 5);
    const names = new Set<string>();
    for (let i = 0; i < 5; i++) names.add((await observer.next("playerSetsName")).playerSetsName.name);
    assert.deepEqual([...names].sort(), ["Bot 1", "Bot 2", "Bot 3", "Bot 4", "Bot 5"]);
    await observer.next("playerMoves", (e) => e.playerMoves.encId !== observer.encId);
    await observer.next("playerChats");
    for (let i = 0; i < 5; i++) await observer.next("playerExits");
    observer.close();
  });
});
