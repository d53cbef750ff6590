/**
 * `ChannelStore`: the platform's state, in memory and bounded: accounts
 * (hashed passwords), access tokens, characters (users and agents),
 * channels with their bound service and members, groups, message history
 * and uploaded files.
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

import { ProtocolError, newId, type ChannelInfo, type Character, type MessageBody } from "./protocol.js";

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A user (a person, or a program in user mode) or a service. */
export type Role = "user" | "service";

/** An account: who signs in, with what password hash. Its id is its character id (users) or service id. */
export interface Account {
  id: string;
  username: string;
  role: Role;
  salt: Buffer;
  hash: Buffer;
}

/** A channel, its bound service and its members (user ids). */
export interface Channel {
  info: ChannelInfo;
  serviceId: string | undefined;
  members: Set<string>;
  history: MessageBody[];
}

/** A file someone uploaded, served back at `/files/<id>`. */
export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** How much the store holds at most; past a bound, the newest addition is refused (or the oldest history dropped). */
export interface StoreLimits {
  accounts: number;
  channels: number;
  agentsPerService: number;
  groups: number;
  historyPerChannel: number;
  files: number;
  fileBytes: number;
  tokens: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  accounts: 10_000,
  channels: 1_000,
  agentsPerService: 100,
  groups: 10_000,
  historyPerChannel: 500,
  files: 1_000,
  fileBytes: 64 * 1024 * 1024,
  tokens: 20_000,
};

/** Thrown when a bound of {@link StoreLimits} is reached. */
export class StoreFullError extends ProtocolError {
  override name = "StoreFullError";
}

export class ChannelStore {
  readonly limits: StoreLimits;
  readonly #accounts = new Map<string, Account>(); // by username
  readonly #accountsById = new Map<string, Account>();
  readonly #tokens = new Map<string, string>(); // token → account id, oldest first
  readonly #characters = new Map<string, Character & { owner?: string }>();
  readonly #channels = new Map<string, Channel>();
  readonly #groups = new Map<string, string[]>();
  readonly #files = new Map<string, StoredFile>();
  #fileBytes = 0;

  constructor(limits: Partial<StoreLimits> = {}) {
    this.limits = { ...DEFAULT_STORE_LIMITS, ...limits };
  }

  /** Creates an account; the password is kept only as a salted scrypt hash. */
  async signUp(username: string, password: string, role: Role, name = username): Promise<Account> {
    if (this.#accounts.has(username)) throw new ProtocolError(`${username} is taken`);
    if (this.#accounts.size >= this.limits.accounts) throw new StoreFullError("too many accounts");
    const salt = randomBytes(16);
    const hash = await scryptAsync(password, salt, 32);
    if (this.#accounts.has(username)) throw new ProtocolError(`${username} is taken`); // raced while hashing
    const account: Account = { id: `${role === "user" ? "u" : "s"}_${newId()}`, username, role, salt, hash };
    this.#accounts.set(username, account);
    this.#accountsById.set(account.id, account);
    if (role === "user") this.#characters.set(account.id, { character_id: account.id, name });
    return account;
  }

  /** The account if the password matches (constant-time compare), else undefined. */
  async signIn(username: string, password: string): Promise<Account | undefined> {
    const account = this.#accounts.get(username);
    // Hash even for an unknown name, so timing does not tell which names exist.
    const hash = await scryptAsync(password, account?.salt ?? Buffer.alloc(16), 32);
    return account !== undefined && timingSafeEqual(hash, account.hash) ? account : undefined;
  }

  /** A new access token for `account`; the oldest tokens expire past the bound. */
  issueToken(account: Account): string {
    const token = randomBytes(24).toString("base64url");
    this.#tokens.set(token, account.id);
    while (this.#tokens.size > this.limits.tokens) this.#tokens.delete(this.#tokens.keys().next().value!);
    return token;
  }

  revokeToken(token: string): void {
    this.#tokens.delete(token);
  }

  /** The account a token belongs to. */
  accountForToken(token: unknown): Account | undefined {
    if (typeof token !== "string") return undefined;
    const accountId = this.#tokens.get(token);
    return accountId === undefined ? undefined : this.#accountsById.get(accountId);
  }

  account(accountId: string): Account | undefined {
    return this.#accountsById.get(accountId);
  }

  character(characterId: string): (Character & { owner?: string }) | undefined {
    return this.#characters.get(characterId);
  }

  /** Creates an agent: a character owned by `serviceId`, with no socket of its own. */
  createAgent(serviceId: string, name: string, avatar?: string, description?: string): Character {
    const owned = [...this.#characters.values()].filter((c) => c.owner === serviceId).length;
    if (owned >= this.limits.agentsPerService) throw new StoreFullError("too many agents for this service");
    const agent: Character & { owner: string } = { character_id: `a_${newId()}`, name, owner: serviceId };
    if (avatar !== undefined) agent.avatar = avatar;
    if (description !== undefined) agent.description = description;
    this.#characters.set(agent.character_id, agent);
    return publicCharacter(agent);
  }

  /** The agents `serviceId` created. */
  agents(serviceId: string): Character[] {
    return [...this.#characters.values()].filter((c) => c.owner === serviceId).map(publicCharacter);
  }

  /** Creates a channel (bound to `serviceId` when given). */
  createChannel(name: string, description: string, serviceId?: string): ChannelInfo {
    if (this.#channels.size >= this.limits.channels) throw new StoreFullError("too many channels");
    const info: ChannelInfo = { channel_id: `c_${newId()}`, channel_name: name, channel_description: description, channel_type: "ccs" };
    this.#channels.set(info.channel_id, { info, serviceId, members: new Set(), history: [] });
    return { ...info };
  }

  channel(channelId: string): Channel | undefined {
    return this.#channels.get(channelId);
  }

  channels(): ChannelInfo[] {
    return [...this.#channels.values()].map((c) => ({ ...c.info }));
  }

  /** Binds a channel to a service: its messages and actions go there. A channel has one service. */
  bind(channelId: string, serviceId: string): void {
    const channel = this.#requireChannel(channelId);
    if (channel.serviceId !== undefined && channel.serviceId !== serviceId) throw new ProtocolError("the channel is bound to another service");
    channel.serviceId = serviceId;
  }

  unbind(channelId: string, serviceId: string): void {
    const channel = this.#requireChannel(channelId);
    if (channel.serviceId === serviceId) channel.serviceId = undefined;
  }

  /** The channels bound to `serviceId`. */
  boundChannels(serviceId: string): string[] {
    return [...this.#channels.values()].filter((c) => c.serviceId === serviceId).map((c) => c.info.channel_id);
  }

  /** The channels `userId` is a member of. */
  memberships(userId: string): string[] {
    return [...this.#channels.values()].filter((c) => c.members.has(userId)).map((c) => c.info.channel_id);
  }

  /** Creates a named list of character ids (a "group"), used as `recipients` and `characters`. */
  createGroup(characterIds: string[]): string {
    if (this.#groups.size >= this.limits.groups) this.#groups.delete(this.#groups.keys().next().value!); // oldest goes
    const groupId = `g_${newId()}`;
    this.#groups.set(groupId, [...new Set(characterIds)]);
    return groupId;
  }

  group(groupId: string): string[] | undefined {
    return this.#groups.get(groupId);
  }

  /** Records a message in its channel's history; the oldest go past the bound. */
  remember(message: MessageBody): void {
    const channel = this.#requireChannel(message.channel_id);
    channel.history.push(message);
    if (channel.history.length > this.limits.historyPerChannel) channel.history.splice(0, channel.history.length - this.limits.historyPerChannel);
  }

  /** Keeps an uploaded file; refused past the count or byte bound. */
  storeFile(filename: string, contentType: string, bytes: Uint8Array): StoredFile {
    if (this.#files.size >= this.limits.files || this.#fileBytes + bytes.byteLength > this.limits.fileBytes) {
      throw new StoreFullError("the file store is full");
    }
    const file = { id: newId(), filename, contentType, bytes };
    this.#files.set(file.id, file);
    this.#fileBytes += bytes.byteLength;
    return file;
  }

  file(fileId: string): StoredFile | undefined {
    return this.#files.get(fileId);
  }

  #requireChannel(channelId: string): Channel {
    const channel = this.#channels.get(channelId);
    if (channel === undefined) throw new ProtocolError(`no channel ${channelId}`);
    return channel;
  }
}

/** A character without the store's bookkeeping (its owner). */
export function publicCharacter(character: Character & { owner?: string }): Character {
  const { owner: _owner, ...rest } = character;
  return rest;
}
