/**
 * Where the private chat keeps users, dialogs and messages: the
 * {@link ChatStore} interface and {@link InMemoryChatStore}, the default.
 *
 * Every method is async so that a database-backed store (SQLite, Postgres,
 * Redis) can implement the same interface; the in-memory one answers
 * synchronously inside a resolved promise.
 *
 * @module
 */
import { randomUUID } from "node:crypto";

/** Someone who has logged in at least once. */
export interface ChatUser {
  username: string;
  /** A random UUID given at first login; stable for the life of the store. */
  uuid: string;
}

/** One stored message. */
export interface ChatMessage {
  /** Increasing across the whole store: a later message has a larger id. */
  id: number;
  sender: string;
  recipient: string;
  text: string;
  /** ISO 8601, UTC. */
  created: string;
  /** True once the recipient has read it (or a later message of the same dialog). */
  read: boolean;
}

/** One line of a user's dialog list. */
export interface DialogSummary {
  /** The other participant. */
  partner: string;
  /** Messages the partner sent that the owner has not read yet. */
  unread: number;
  /** The newest message, if any. */
  last: ChatMessage | undefined;
}

/** Which page of a dialog's history to read. */
export interface HistoryQuery {
  /** Only messages with a smaller id; omitted: from the newest. */
  before?: number;
  /** Most messages returned. */
  limit: number;
}

/** A page of history, oldest first (newest last). */
export interface HistoryPage {
  messages: ChatMessage[];
  /** True when older messages exist before `messages[0]`. */
  hasMore: boolean;
}

/**
 * Storage for the chat. Usernames are compared exactly (the app validates
 * them as `[A-Za-z0-9_]{1,32}` before they get here).
 */
export interface ChatStore {
  /** Registers `username` (idempotent) and returns the user, with the uuid of the first registration. */
  registerUser(username: string): Promise<ChatUser>;
  /** The user, or undefined if `username` never logged in. */
  getUser(username: string): Promise<ChatUser | undefined>;
  /** Makes sure a dialog between `a` and `b` exists (both see it in their lists). */
  openDialog(a: string, b: string): Promise<void>;
  /** Everyone `username` has a dialog with, sorted. */
  partners(username: string): Promise<string[]>;
  /** `username`'s dialogs, the most recently active first. */
  dialogs(username: string): Promise<DialogSummary[]>;
  /** Stores a message (opening the dialog if needed) and returns it with its id and time. */
  addMessage(sender: string, recipient: string, text: string): Promise<ChatMessage>;
  /** One message by id, or undefined. */
  getMessage(id: number): Promise<ChatMessage | undefined>;
  /**
   * Marks message `id` read by `reader`, together with every earlier message
   * of the same dialog sent to `reader` (having seen the newest, they saw the rest).
   *
   * @returns the message, or undefined when it does not exist or `reader` is not its recipient.
   */
  markRead(reader: string, id: number): Promise<ChatMessage | undefined>;
  /** A page of the dialog between `a` and `b`. */
  history(a: string, b: string, query: HistoryQuery): Promise<HistoryPage>;
}

/** Options for {@link InMemoryChatStore}. */
export interface InMemoryChatStoreOptions {
  /** Most messages kept per dialog; the oldest are forgotten first. Default 10 000. */
  maxMessagesPerDialog?: number;
  /** Most users registered; `registerUser` throws {@link ChatStoreFullError} past it. Default 100 000. */
  maxUsers?: number;
}

/** Thrown by {@link InMemoryChatStore.registerUser} when `maxUsers` is reached. */
export class ChatStoreFullError extends Error {
  override name = "ChatStoreFullError";
}

interface Dialog {
  /** The two participants, sorted. */
  users: [string, string];
  /** Oldest first; ids increase. */
  messages: ChatMessage[];
  /** How many messages each participant has not read yet, by username. */
  unread: Map<string, number>;
  /** Index in `messages` below which each participant has read everything sent to them. */
  readCursor: Map<string, number>;
  /** When the dialog was opened or last got a message, for ordering the list. */
  activity: number;
}

/**
 * Everything in memory, for the life of the process. Bounded: at most
 * `maxUsers` users and `maxMessagesPerDialog` messages per dialog.
 *
 * @example
 * ```ts
 * const store = new InMemoryChatStore();
 * await store.registerUser("alice");
 * await store.registerUser("bob");
 * const msg = await store.addMessage("alice", "bob", "hi");
 * await store.markRead("bob", msg.id);
 * ```
 */
export class InMemoryChatStore implements ChatStore {
  readonly maxMessagesPerDialog: number;
  readonly maxUsers: number;
  readonly #users = new Map<string, ChatUser>();
  readonly #dialogs = new Map<string, Dialog>();
  /** Dialogs by participant. */
  readonly #dialogsOf = new Map<string, Set<Dialog>>();
  /** Messages by id, for `getMessage`/`markRead` (pruned with the dialogs). */
  readonly #messages = new Map<number, { message: ChatMessage; dialog: Dialog }>();
  #nextId = 1;
  #clock = 0;

  constructor(options: InMemoryChatStoreOptions = {}) {
    const { maxMessagesPerDialog = 10_000, maxUsers = 100_000 } = options;
    if (!Number.isSafeInteger(maxMessagesPerDialog) || maxMessagesPerDialog < 1) throw new RangeError("maxMessagesPerDialog must be a whole number >= 1");
    if (!Number.isSafeInteger(maxUsers) || maxUsers < 1) throw new RangeError("maxUsers must be a whole number >= 1");
    this.maxMessagesPerDialog = maxMessagesPerDialog;
    this.maxUsers = maxUsers;
  }

  async registerUser(username: string): Promise<ChatUser> {
    const known = this.#users.get(username);
    if (known !== undefined) return known;
    if (this.#users.size >= this.maxUsers) throw new ChatStoreFullError(`the chat is full (${this.maxUsers} users)`);
    const user = { username, uuid: randomUUID() };
    this.#users.set(username, user);
    return user;
  }

  async getUser(username: string): Promise<ChatUser | undefined> {
    return this.#users.get(username);
  }

  async openDialog(a: string, b: string): Promise<void> {
    this.#dialog(a, b);
  }

  async partners(username: string): Promise<string[]> {
    return [...(this.#dialogsOf.get(username) ?? [])].map((d) => partnerIn(d, username)).sort();
  }

  async dialogs(username: string): Promise<DialogSummary[]> {
    return [...(this.#dialogsOf.get(username) ?? [])]
      .sort((x, y) => y.activity - x.activity)
      .map((d) => ({ partner: partnerIn(d, username), unread: d.unread.get(username) ?? 0, last: d.messages.at(-1) }));
  }

  async addMessage(sender: string, recipient: string, text: string): Promise<ChatMessage> {
    const dialog = this.#dialog(sender, recipient);
    const message: ChatMessage = { id: this.#nextId++, sender, recipient, text, created: new Date().toISOString(), read: false };
    dialog.messages.push(message);
    dialog.unread.set(recipient, (dialog.unread.get(recipient) ?? 0) + 1);
    dialog.activity = ++this.#clock;
    this.#messages.set(message.id, { message, dialog });
    if (dialog.messages.length > this.maxMessagesPerDialog) this.#prune(dialog);
    return message;
  }

  async getMessage(id: number): Promise<ChatMessage | undefined> {
    return this.#messages.get(id)?.message;
  }

  async markRead(reader: string, id: number): Promise<ChatMessage | undefined> {
    const entry = this.#messages.get(id);
    if (entry === undefined || entry.message.recipient !== reader) return undefined;
    const { dialog } = entry;
    const end = lowerBound(dialog.messages, id) + 1;
    let unread = dialog.unread.get(reader) ?? 0;
    // The cursor makes marking amortised O(1) per message: nothing below it is looked at again.
    for (let i = dialog.readCursor.get(reader) ?? 0; i < end; i++) {
      const m = dialog.messages[i]!;
      if (m.recipient === reader && !m.read) {
        m.read = true;
        unread--;
      }
    }
    dialog.unread.set(reader, unread);
    dialog.readCursor.set(reader, Math.max(dialog.readCursor.get(reader) ?? 0, end));
    return entry.message;
  }

  async history(a: string, b: string, query: HistoryQuery): Promise<HistoryPage> {
    const messages = this.#dialogs.get(dialogKey(a, b))?.messages ?? [];
    const end = query.before === undefined ? messages.length : lowerBound(messages, query.before);
    const start = Math.max(0, end - query.limit);
    return { messages: messages.slice(start, end), hasMore: start > 0 };
  }

  #dialog(a: string, b: string): Dialog {
    const key = dialogKey(a, b);
    let dialog = this.#dialogs.get(key);
    if (dialog === undefined) {
      const users: [string, string] = a < b ? [a, b] : [b, a];
      dialog = { users, messages: [], unread: new Map(), readCursor: new Map(), activity: ++this.#clock };
      this.#dialogs.set(key, dialog);
      for (const user of users) {
        let set = this.#dialogsOf.get(user);
        if (set === undefined) this.#dialogsOf.set(user, (set = new Set()));
        set.add(dialog);
      }
    }
    return dialog;
  }

  /** Forgets the oldest tenth of a full dialog at once, so pruning is amortised. */
  #prune(dialog: Dialog): void {
    const drop = Math.max(1, Math.floor(this.maxMessagesPerDialog / 10));
    for (const m of dialog.messages.splice(0, drop)) {
      this.#messages.delete(m.id);
      if (!m.read) dialog.unread.set(m.recipient, (dialog.unread.get(m.recipient) ?? 1) - 1);
    }
    for (const user of dialog.users) dialog.readCursor.set(user, Math.max(0, (dialog.readCursor.get(user) ?? 0) - drop));
  }
}

/** One key per unordered pair; NUL cannot occur in a username. */
function dialogKey(a: string, b: string): string {
  return a < b ? `${a}\0${b}` : `${b}\0${a}`;
}

function partnerIn(dialog: Dialog, username: string): string {
  return dialog.users[0] === username ? dialog.users[1] : dialog.users[0];
}

/** The first index whose message id is >= `id` (messages are sorted by id). */
function lowerBound(messages: readonly ChatMessage[], id: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (messages[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
