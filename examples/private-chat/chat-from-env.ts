/**
 * What `npm start` and `npm run start:cluster` (app.ts's default export) run the chat with, read from
 * the environment:
 * - `CHAT_DB`: the SQLite file (default `examples/private-chat/data/chat.db`;
 *   `:memory:` for a throwaway store).
 * - `REDIS_URL`: when set, the Redis broker (pub/sub between processes),
 *   Redis sessions and Redis presence; `REDIS_PREFIX` prefixes their keys
 *   (default `chat:`). Unset: everything stays in this process.
 *
 * `upie/redis` is imported only when `REDIS_URL` is set, so `npm start` needs
 * no Redis client loaded.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

import type { PrivateChatOptions } from "./app.js";
import { InMemoryChatStore, type ChatStore } from "./chat-store.js";
import { SqliteChatStore } from "./sqlite-chat-store.js";

/** The options for `new PrivateChatApp`, and what to run at startup and shutdown. */
export interface ChatSetup {
  options: PrivateChatOptions;
  /** A startup handler: resolves once the broker reads its stream. */
  ready: () => Promise<void>;
  /** A shutdown handler: closes the broker, sessions and the store. */
  close: () => Promise<void>;
  /** One line for the start-up log. */
  description: string;
}

/** The default SQLite file, inside the example's (gitignored) `data/` folder. */
export const DEFAULT_CHAT_DB = fileURLToPath(new URL("./data/chat.db", import.meta.url));

/**
 * @param env - usually `process.env`.
 * @returns the chat's options built from `env`.
 */
export async function chatFromEnv(env: Record<string, string | undefined>): Promise<ChatSetup> {
  const path = env.CHAT_DB || DEFAULT_CHAT_DB;
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const closers: (() => Promise<void> | void)[] = [];
  let store: ChatStore;
  let storage: string;
  try {
    const sqlite = await SqliteChatStore.open(path);
    closers.push(() => sqlite.close());
    store = sqlite;
    storage = `SQLite ${path} (${sqlite.driver})`;
  } catch (error) {
    // No driver (a production install without better-sqlite3 on a Node without node:sqlite): still start, and say so.
    console.error(`[chat] no SQLite driver (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); data stays in memory until restart`);
    store = new InMemoryChatStore();
    storage = "in memory (no SQLite driver)";
  }
  const options: PrivateChatOptions = { store };
  let ready = async () => {};
  let description = `${storage}, one process`;
  const url = env.REDIS_URL;
  if (url) {
    const keyPrefix = env.REDIS_PREFIX ?? "chat:";
    const { RedisBroker, RedisSessionBackend } = await import("upie/redis");
    const { RedisPresence } = await import("./redis-presence.js");
    const broker = new RedisBroker({ url, keyPrefix });
    const sessions = new RedisSessionBackend({ url, keyPrefix });
    const presence = new RedisPresence(url, { keyPrefix });
    Object.assign(options, { websocket: { broker }, sessionBackend: sessions, presence });
    ready = () => broker.ready();
    // The app closes presence itself (ChatService.close); these are ours.
    closers.push(() => broker.close(), () => sessions.close());
    description = `${storage}, Redis ${redact(url)}`;
  }
  return {
    options,
    ready,
    description,
    close: async () => {
      for (const close of closers.reverse()) await close(); // the store, opened first, closes last
    },
  };
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable URL)";
  }
}
