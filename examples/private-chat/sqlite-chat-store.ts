/**
 * The chat's default store: users, dialogs and messages in an embedded
 * SQLite file, so a restart loses nothing. Several processes on one machine
 * may share the file (WAL mode, a busy timeout, `BEGIN IMMEDIATE` writes);
 * processes on several machines need a server database behind the same
 * {@link ChatStore} interface.
 *
 * @module
 */
import { randomUUID } from "node:crypto";

import { ChatStoreFullError, type ChatMessage, type ChatStore, type ChatUser, type DialogSummary, type HistoryPage, type HistoryQuery } from "./chat-store.js";
import { openDatabase, type SqlDatabase, type SqliteDriver, type SqlStatement } from "./sqlite.js";

/** Options for {@link SqliteChatStore.open}. */
export interface SqliteChatStoreOptions {
  /** Most users registered; `registerUser` throws {@link ChatStoreFullError} past it. Default 100 000. */
  maxUsers?: number;
  /** Force a driver; default better-sqlite3 when installed, else `node:sqlite`. */
  driver?: SqliteDriver;
}

interface MessageRow {
  id: number;
  sender: string;
  recipient: string;
  text: string;
  created: string;
  read: number;
}

// busy_timeout first: switching to WAL takes a lock, and node:sqlite (unlike better-sqlite3)
// waits 0 ms by default, so a second process opening the file at the same moment failed.
const SCHEMA = `
  PRAGMA busy_timeout = 5000;
  PRAGMA journal_mode = WAL;
  PRAGMA synchronous = NORMAL;
  CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, uuid TEXT NOT NULL);
  -- a < b: one row per unordered pair.
  CREATE TABLE IF NOT EXISTS dialogs (a TEXT NOT NULL, b TEXT NOT NULL, activity INTEGER NOT NULL, PRIMARY KEY (a, b));
  CREATE INDEX IF NOT EXISTS dialogs_by_b ON dialogs (b);
  CREATE INDEX IF NOT EXISTS dialogs_by_activity ON dialogs (activity);
  CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    a TEXT NOT NULL, b TEXT NOT NULL,
    sender TEXT NOT NULL, recipient TEXT NOT NULL,
    text TEXT NOT NULL, created TEXT NOT NULL, read INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS messages_by_dialog ON messages (a, b, id);
  CREATE INDEX IF NOT EXISTS messages_unread ON messages (a, b, recipient, read);
`;

const COLUMNS = "id, sender, recipient, text, created, read";

/**
 * A {@link ChatStore} in SQLite. Open it with {@link SqliteChatStore.open}.
 *
 * @example
 * ```ts
 * const store = await SqliteChatStore.open(process.env.CHAT_DB ?? "chat.db");
 * const app = new PrivateChatApp({ store });
 * ```
 */
export class SqliteChatStore implements ChatStore {
  /** The driver in use. */
  readonly driver: SqliteDriver;
  readonly maxUsers: number;
  readonly #db: SqlDatabase;
  readonly #sql: Record<string, SqlStatement>;

  private constructor(db: SqlDatabase, driver: SqliteDriver, maxUsers: number) {
    this.#db = db;
    this.driver = driver;
    this.maxUsers = maxUsers;
    db.exec(SCHEMA);
    const prepare = (sql: string) => db.prepare(sql);
    this.#sql = {
      getUser: prepare("SELECT username, uuid FROM users WHERE username = ?"),
      countUsers: prepare("SELECT COUNT(*) AS n FROM users"),
      insertUser: prepare("INSERT OR IGNORE INTO users (username, uuid) VALUES (?, ?)"),
      openDialog: prepare("INSERT OR IGNORE INTO dialogs (a, b, activity) VALUES (?, ?, (SELECT COALESCE(MAX(activity), 0) + 1 FROM dialogs))"),
      touchDialog: prepare("UPDATE dialogs SET activity = (SELECT COALESCE(MAX(activity), 0) + 1 FROM dialogs) WHERE a = ? AND b = ?"),
      dialogsOf: prepare("SELECT a, b FROM dialogs WHERE a = ? OR b = ? ORDER BY activity DESC"),
      insertMessage: prepare("INSERT INTO messages (a, b, sender, recipient, text, created) VALUES (?, ?, ?, ?, ?, ?)"),
      getMessage: prepare(`SELECT ${COLUMNS} FROM messages WHERE id = ?`),
      lastMessage: prepare(`SELECT ${COLUMNS} FROM messages WHERE a = ? AND b = ? ORDER BY id DESC LIMIT 1`),
      unread: prepare("SELECT COUNT(*) AS n FROM messages WHERE a = ? AND b = ? AND recipient = ? AND read = 0"),
      markRead: prepare("UPDATE messages SET read = 1 WHERE a = ? AND b = ? AND recipient = ? AND read = 0 AND id <= ?"),
      history: prepare(`SELECT ${COLUMNS} FROM messages WHERE a = ? AND b = ? AND id < ? ORDER BY id DESC LIMIT ?`),
    };
  }

  /**
   * Opens (creating if needed) the store in the file at `path`.
   *
   * @param path - a file path, or `":memory:"` for a throwaway store.
   * @param options - see {@link SqliteChatStoreOptions}.
   */
  static async open(path: string, options: SqliteChatStoreOptions = {}): Promise<SqliteChatStore> {
    const { maxUsers = 100_000, driver } = options;
    if (!Number.isSafeInteger(maxUsers) || maxUsers < 1) throw new RangeError("maxUsers must be a whole number >= 1");
    const opened = await openDatabase(path, driver);
    return new SqliteChatStore(opened.db, opened.driver, maxUsers);
  }

  async registerUser(username: string): Promise<ChatUser> {
    const known = this.#user(username);
    if (known !== undefined) return known;
    if ((this.#sql.countUsers!.get() as { n: number }).n >= this.maxUsers) throw new ChatStoreFullError(`the chat is full (${this.maxUsers} users)`);
    // OR IGNORE: another process may register the same name at the same moment; the first uuid wins.
    this.#sql.insertUser!.run(username, randomUUID());
    return this.#user(username)!;
  }

  async getUser(username: string): Promise<ChatUser | undefined> {
    return this.#user(username);
  }

  async openDialog(a: string, b: string): Promise<void> {
    this.#sql.openDialog!.run(...pair(a, b));
  }

  async partners(username: string): Promise<string[]> {
    return this.#dialogsOf(username).map(([a, b]) => (a === username ? b : a)).sort();
  }

  async dialogs(username: string): Promise<DialogSummary[]> {
    return this.#dialogsOf(username).map(([a, b]) => {
      const last = this.#sql.lastMessage!.get(a, b) as MessageRow | undefined;
      const unread = (this.#sql.unread!.get(a, b, username) as { n: number }).n;
      return { partner: a === username ? b : a, unread, last: last === undefined ? undefined : toMessage(last) };
    });
  }

  async addMessage(sender: string, recipient: string, text: string): Promise<ChatMessage> {
    const [a, b] = pair(sender, recipient);
    const created = new Date().toISOString();
    return this.#transaction(() => {
      this.#sql.openDialog!.run(a, b);
      this.#sql.touchDialog!.run(a, b);
      const { lastInsertRowid } = this.#sql.insertMessage!.run(a, b, sender, recipient, text, created);
      return { id: Number(lastInsertRowid), sender, recipient, text, created, read: false };
    });
  }

  async getMessage(id: number): Promise<ChatMessage | undefined> {
    const row = this.#sql.getMessage!.get(id) as MessageRow | undefined;
    return row === undefined ? undefined : toMessage(row);
  }

  async markRead(reader: string, id: number): Promise<ChatMessage | undefined> {
    const message = await this.getMessage(id);
    if (message === undefined || message.recipient !== reader) return undefined;
    this.#sql.markRead!.run(...pair(message.sender, message.recipient), reader, id);
    return { ...message, read: true };
  }

  async history(a: string, b: string, query: HistoryQuery): Promise<HistoryPage> {
    const rows = this.#sql.history!.all(...pair(a, b), query.before ?? Number.MAX_SAFE_INTEGER, query.limit + 1) as MessageRow[];
    const hasMore = rows.length > query.limit;
    return { messages: rows.slice(0, query.limit).reverse().map(toMessage), hasMore };
  }

  /** Closes the file. */
  close(): void {
    this.#db.close();
  }

  #user(username: string): ChatUser | undefined {
    const row = this.#sql.getUser!.get(username) as ChatUser | undefined;
    return row === undefined ? undefined : { username: row.username, uuid: row.uuid };
  }

  #dialogsOf(username: string): [string, string][] {
    return (this.#sql.dialogsOf!.all(username, username) as { a: string; b: string }[]).map((row) => [row.a, row.b]);
  }

  #transaction<T>(work: () => T): T {
    // IMMEDIATE takes the write lock up front, so two processes never deadlock upgrading read locks.
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = work();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      this.#db.exec("ROLLBACK");
      throw error;
    }
  }
}

/** The dialog's key columns: the two names, sorted. */
function pair(x: string, y: string): [string, string] {
  return x < y ? [x, y] : [y, x];
}

function toMessage(row: MessageRow): ChatMessage {
  return { id: Number(row.id), sender: row.sender, recipient: row.recipient, text: row.text, created: row.created, read: row.read === 1 };
}
