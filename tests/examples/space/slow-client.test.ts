/**
 * A client that stops reading does not stall the tick: the others keep
 * getting their batches, and the slow one is closed with 1013 once its
 * buffer passes the subscriber limit.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { SpaceServer } from "./helpers.js";

describe("examples/space with a slow client", { timeout: 60_000 }, () => {
  let space: SpaceServer;
  before(async () => {
    space = await SpaceServer.start({
      actionRate: { perSecond: 2000, burst: 2000 },
      websocket: { maxBackpressure: 16 * 1024, maxSubscriberBackpressure: 64 * 1024 },
    });
  });
  after(async () => space.close());

  it("closes a subscriber that stops reading with 1013, and the tick goes on for the others", async () => {
    const fast = await space.join("key-alice", "slow/One");
    const slow = await space.join("key-bob", "slow/One");
    await fast.next("playerJoins", (e) => e.playerJoins.id === slow.id);
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause(); // stop reading: the kernel buffers fill, then the server's
    assert.equal((await fast.act({ mapSetDimensions: { mapId: "main", width: 256, height: 256 } })).succeeded, true);
    const mask = new Uint8Array(256 * 256); // 64 KiB per event, sent to both players
    let closedCode: number | undefined;
    void slow.closed.then(({ code }) => (closedCode = code));
    for (let round = 0; round < 40 && closedCode === undefined; round++) {
      const statuses = [];
      for (let i = 0; i < 20; i++) statuses.push(fast.act({ mapSetCollisions: { mapId: "main", x: 0, y: 0, w: 256, h: 256, mask } }));
      const started = Date.now();
      for (const status of await Promise.all(statuses)) assert.equal(status.succeeded, true);
      assert.ok(Date.now() - started < 5000, "the fast client's answers keep coming while the slow one stalls");
      fast.events.length = 0; // the copies of the mask
      if (round === 10) socket.resume(); // the server has given up on it by now: read the close frame
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    socket.resume();
    const { code } = await slow.closed;
    assert.equal(code, 1013);
    assert.equal((await fast.act({ setTextStatus: { textStatus: "still ticking" } })).succeeded, true);
    fast.close();
  });
});
