/**
 * Bots for the space: each one is a `GatherClient` that wanders the map,
 * chats now and then and changes its statuses. Good for watching the page
 * fill up, and for load.
 * Run: `npx tsx examples/space/bots.ts [count] [seconds]` against `npm run space`
 * (URL in SPACE_URL, default ws://127.0.0.1:8100/space; key in SPACE_API_KEY, default guest).
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";

import { GatherClient } from "./client/index.js";

/** Options for {@link runBots}. */
export interface BotOptions {
  url: string;
  apiKey: string;
  spaceId: string;
  count: number;
  /** How long the bots stay, in ms. */
  durationMs: number;
  /** Moves (and other actions) per second per bot. Default 2. */
  actionsPerSecond?: number;
  /** Per action, the chance of a chat line instead of a move. Default 0.02. */
  chatChance?: number;
  /** Per action, the chance of a new text or emoji status. Default 0.02. */
  statusChance?: number;
  /** Stops the bots early. */
  signal?: AbortSignal;
}

const LINES = ["hi all", "anyone for coffee?", "brb", "nice map", "standup in 5", "👋", "shipping it", "who broke main?"];
const STATUSES = ["focusing", "in a meeting", "lunch", "pairing", "reviewing PRs"];
const EMOJIS = ["😁", "☕", "🎧", "🚀", "🌱", "🐛"];

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** One bot's life: a name, then moves, chats and statuses at its rate until the time is up. */
async function botLife(client: GatherClient, n: number, options: BotOptions): Promise<void> {
  const { durationMs, actionsPerSecond = 2, chatChance = 0.02, statusChance = 0.02, signal } = options;
  await client.setName(`Bot ${n}`);
  await client.setEmojiStatus(pick(EMOJIS));
  const end = Date.now() + durationMs;
  let dir = Math.floor(Math.random() * 4);
  while (Date.now() < end && signal?.aborted !== true) {
    const roll = Math.random();
    if (roll < chatChance) await client.chat("LOCAL_CHAT", pick(LINES));
    else if (roll < chatChance + statusChance) await client.setTextStatus(pick(STATUSES));
    else {
      if (Math.random() < 0.25) dir = Math.floor(Math.random() * 4); // mostly keep walking the same way
      await client.move(dir);
    }
    await sleep(1000 / actionsPerSecond);
  }
}

/**
 * Runs `count` bots at once until `durationMs` has passed.
 * @returns how many bots connected and ran to the end.
 */
export async function runBots(options: BotOptions): Promise<number> {
  const bots = Array.from({ length: options.count }, (_, i) => {
    const client = new GatherClient({ url: options.url, apiKey: options.apiKey, spaceId: options.spaceId, logLevel: "WARNING" });
    return client.run((c) => botLife(c, i + 1, options)).then(
      () => 1,
      (error: unknown) => {
        console.error(`bot ${i + 1}: ${String(error)}`);
        return 0;
      },
    );
  });
  const done = await Promise.all(bots);
  return done.reduce<number>((a, b) => a + b, 0);
}

// Started directly: run the bots.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 10);
  const seconds = Number(process.argv[3] ?? 60);
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  const ok = await runBots({
    url: process.env.SPACE_URL ?? "ws://127.0.0.1:8100/space",
    apiKey: process.env.SPACE_API_KEY ?? "guest",
    spaceId: process.env.SPACE_ID ?? "demo/Office",
    count,
    durationMs: seconds * 1000,
    signal: controller.signal,
  });
  console.log(`${ok} of ${count} bots ran to the end`);
}
