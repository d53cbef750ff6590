/**
 * The private chat's stores, timed: messages added per second and history
 * pages read per second, for the in-memory store and SQLite (a file in a
 * temporary directory) with each driver this Node has.
 *
 * Run: `npx tsx bench/chat-store.ts [--messages 20000]`
 *
 * @module
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

import { InMemoryChatStore, type ChatStore } from "../examples/private-chat/chat-store.js";
import { SqliteChatStore } from "../examples/private-chat/sqlite-chat-store.js";

const { values } = parseArgs({ options: { messages: { type: "string" } } });
const messages = Number(values.messages ?? 20_000);
const dir = await mkdtemp(join(tmpdir(), "upie-chat-bench-"));

async function time(store: ChatStore): Promise<{ add: number; page: number }> {
  const users = Array.from({ length: 100 }, (_, i) => `user${i}`);
  for (const user of users) await store.registerUser(user);
  let start = performance.now();
  for (let i = 0; i < messages; i++) await store.addMessage(users[i % 100]!, users[(i * 7 + 1) % 100]!, `message number ${i}`);
  const add = messages / ((performance.now() - start) / 1000);
  const reads = 5000;
  start = performance.now();
  for (let i = 0; i < reads; i++) await store.history(users[i % 100]!, users[(i * 7 + 1) % 100]!, { limit: 30 });
  const page = reads / ((performance.now() - start) / 1000);
  return { add, page };
}

console.log(`Node ${process.version}, ${messages} messages over 100 users, then 5000 history pages of 30`);
console.log("| store | messages added/s | history pages/s |");
console.log("|---|---:|---:|");
const f = (n: number) => Math.round(n).toLocaleString("en-US");
try {
  const memory = await time(new InMemoryChatStore());
  console.log(`| InMemoryChatStore | ${f(memory.add)} | ${f(memory.page)} |`);
  for (const driver of ["better-sqlite3", "node:sqlite"] as const) {
    let store: SqliteChatStore;
    try {
      store = await SqliteChatStore.open(join(dir, `${driver.replace(":", "-")}.db`), { driver });
    } catch {
      console.log(`| SqliteChatStore (${driver}) | not available on Node ${process.version} | |`);
      continue;
    }
    const result = await time(store);
    store.close();
    console.log(`| SqliteChatStore (${driver}, file, WAL) | ${f(result.add)} | ${f(result.page)} |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
