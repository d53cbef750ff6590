/**
 * Bots for the space: each one is a `GatherClient` that wanders the map
 * and, now and then, does what people do: chats, sets statuses and profile
 * fields, emotes, waves, rings, whispers, follows, speaks, goes away.
 * Good for watching the page fill up, and for load (bench/space-load.ts
 * uses the same mix, {@link botAction}).
 * Run: `npx tsx examples/space/bots.ts [count] [seconds]` against `npm run space`
 * (URL in SPACE_URL, default ws://127.0.0.1:8100/space; key in SPACE_API_KEY, default guest).
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { pathToFileURL } from "node:url";

import { GatherClient, type SpaceBatch } from "./client/index.js";

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
  /** Per action, the chance of something other than a move (see {@link botAction}). Default 0.3. */
  otherChance?: number;
  /** Stops the bots early. */
  signal?: AbortSignal;
}

const LINES = ["hi all", "anyone for coffee?", "brb", "nice map", "standup in 5", "👋", "shipping it", "who broke main?"];
const STATUSES = ["focusing", "in a meeting", "lunch", "pairing", "reviewing PRs"];
const EMOJIS = ["😁", "☕", "🎧", "🚀", "🌱", "🐛"];

const PRONOUNS = ["she/her", "he/him", "they/them"];
const CITIES = ["Lyon", "Osaka", "Recife", "Tartu", "Accra"];
const EMOTES = ["🎉", "👍", "❤️", "😂", "🙌"];

const pick = <T>(items: readonly T[], random: () => number = Math.random): T => items[Math.floor(random() * items.length)]!;

/**
 * One action that is not a move, as a guest may send it: [action name, positional arguments].
 * `others` are the ids of the other players the bot knows (for rings, whispers, follows).
 */
export function botAction(others: readonly string[], random: () => number = Math.random): [string, unknown[]] {
  const other = others.length > 0 ? pick(others, random) : "";
  const mix: Array<[number, () => [string, unknown[]]]> = [
    [10, () => ["chat", ["LOCAL_CHAT", pick(LINES, random)]]],
    [10, () => ["setTextStatus", [pick(STATUSES, random)]]],
    [8, () => ["setEmojiStatus", [pick(EMOJIS, random)]]],
    [10, () => ["setEmoteV2", [pick(EMOTES, random), "", 1 + Math.floor(random() * 3)]]],
    [6, () => ["wave", [other, false]]],
    [3, () => ["shootConfetti", [""]]],
    [6, () => ["setAway", [random() < 0.3]]],
    [10, () => ["activelySpeaking", [random() < 0.5]]],
    [5, () => ["setSubtitle", [random() < 0.5 ? "" : pick(LINES, random)]]],
    [4, () => ["setPronouns", [pick(PRONOUNS, random)]]],
    [4, () => ["setCity", [pick(CITIES, random)]]],
    [4, () => ["setTimezone", [pick(["Europe/Paris", "Asia/Tokyo", "America/Recife", "UTC"], random)]]],
    [5, () => (other === "" ? ["setIsAlone", [true]] : ["ring", [other]])],
    [4, () => (other === "" ? ["setIsAlone", [true]] : ["enterWhisper", [other, 0]])],
    [3, () => ["leaveWhisper", []]],
    [4, () => ["setFollowTarget", [random() < 0.5 ? "" : other]]],
    [4, () => ["setFocusModeEndTime", [random() < 0.5 ? "" : new Date(Date.now() + 60_000).toISOString()]]],
  ];
  let roll = random() * mix.reduce((sum, [weight]) => sum + weight, 0);
  for (const [weight, make] of mix) {
    roll -= weight;
    if (roll < 0) return make();
  }
  return mix[0]![1]();
}

/** One bot's life: a name, then moves and the rest of the mix at its rate until the time is up. */
async function botLife(client: GatherClient, n: number, others: Set<string>, options: BotOptions): Promise<void> {
  const { durationMs, actionsPerSecond = 2, otherChance = 0.3, signal } = options;
  await client.setName(`Bot ${n}`);
  await client.setEmojiStatus(pick(EMOJIS));
  const end = Date.now() + durationMs;
  let dir = Math.floor(Math.random() * 4);
  while (Date.now() < end && signal?.aborted !== true) {
    if (Math.random() < otherChance) {
      const [name, args] = botAction([...others]);
      await client[name](...args);
    } else {
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
    // The ids of the players on the bot's map, for rings, whispers and follows (at most 50 kept).
    const others = new Set<string>();
    const callback = (_c: GatherClient, batch: SpaceBatch) => {
      for (const e of batch.events) {
        if (e.event === "playerJoins" && e.playerJoins.id !== client.id && others.size < 50) others.add(e.playerJoins.id);
        else if (e.event === "playerExits") others.delete(e.playerExits.id);
      }
    };
    const client = new GatherClient({ url: options.url, apiKey: options.apiKey, spaceId: options.spaceId, logLevel: "WARNING", callback });
    return client.run((c) => botLife(c, i + 1, others, options)).then(
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
