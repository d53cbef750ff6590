/**
 * `ChannelStore`: the platform's state, in memory and bounded: accounts and
 * sessions ({@link AccountStore}), characters (users and agents), channels
 * with their bound service and members, groups, message history and
 * uploaded files.
 *
 * Every bound is enforced per account first (a {@link QuotaError}, HTTP
 * 403), then for the platform (a {@link StoreFullError}, HTTP 507). Nothing
 * one account owns is ever evicted to make room for another's. History is
 * the one thing that is trimmed: in bytes per channel (oldest first), and in
 * bytes in all (the biggest channel's oldest first).
 *
 * @module
 */
import { AccountStore, type Account, type AccountLimits, type Role } from "./account-store.js";
import { ProtocolError, newId, type ChannelInfo, type Character, type MessageBody } from "./protocol.js";
import { QuotaError, StoreFullError } from "./store-errors.js";

export { QuotaError, StoreFullError } from "./store-errors.js";
export type { Account, Role, Session, Service } from "./account-store.js";

/** A channel, its bound service, who created it, its members (user ids) and its history. */
export interface Channel {
  info: ChannelInfo;
  serviceId: string | undefined;
  owner: string | undefined;
  members: Set<string>;
  history: MessageBody[];
  /** Each history entry's size (JSON bytes), in the same order. */
  historySizes: number[];
  /** The history's size in bytes. */
  historyBytes: number;
}

/** A named list of character ids, used as `recipients` and `characters`. */
export interface Group {
  group_id: string;
  /** The service that made it. */
  owner: string;
  characters: string[];
  /** A channel group's name and channel; a service ("temporary") group has neither. */
  name?: string;
  channel_id?: string;
  /** The channels a service group was used in (newest last, bounded). */
  usedIn: string[];
}

/** A file someone uploaded, served back at `/files/<id>`. */
export interface StoredFile {
  id: string;
  owner: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

/** How much the store holds at most, per account and in all. */
export interface StoreLimits extends AccountLimits {
  channels: number;
  channelsPerAccount: number;
  agentsPerService: number;
  groups: number;
  groupsPerService: number;
  historyPerChannel: number;
  historyBytesPerChannel: number;
  historyBytes: number;
  files: number;
  fileBytes: number;
  filesPerAccount: number;
  fileBytesPerAccount: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  accounts: 10_000,
  sessions: 50_000,
  sessionsPerAccount: 16,
  servicesPerAccount: 8,
  channels: 1_000,
  channelsPerAccount: 20,
  agentsPerService: 100,
  groups: 100_000,
  groupsPerService: 2_000,
  historyPerChannel: 500,
  historyBytesPerChannel: 1 * MiB,
  historyBytes: 64 * MiB,
  files: 1_000,
  fileBytes: 64 * MiB,
  filesPerAccount: 50,
  fileBytesPerAccount: 8 * MiB,
};

const MAX_GROUP_USES = 64;

type StoredCharacter = Character & { owner?: string };

export class ChannelStore {
  readonly limits: StoreLimits;
  readonly accounts: AccountStore;
  readonly #characters = new Map<string, StoredCharacter>();
  readonly #channels = new Map<string, Channel>();
  readonly #groups = new Map<string, Group>();
  readonly #groupCount = new Map<string, number>();
  readonly #files = new Map<string, StoredFile>();
  #fileBytes = 0;
  #historyBytes = 0;

  constructor(limits: Partial<StoreLimits> = {}) {
    this.limits = { ...DEFAULT_STORE_LIMITS, ...limits };
    this.accounts = new AccountStore(this.limits);
  }

  /** Creates an account (and a user's character, named `name`). */
  async signUp(username: string, password: string, role: Role, name = username): Promise<Account> {
    const account = await this.accounts.signUp(username, password, role, name);
    if (role === "user") this.#characters.set(account.id, { character_id: account.id, name });
    return account;
  }

  /** The account of an access token. */
  accountForToken(token: unknown): Account | undefined {
    return this.accounts.accountForToken(token);
  }

  character(characterId: string): StoredCharacter | undefined {
    return this.#characters.get(characterId);
  }

  /** Changes a character's name, avatar or description (what is undefined stays). */
  updateCharacter(characterId: string, changes: { name?: string; avatar?: string; description?: string }): Character {
    const character = this.#characters.get(characterId);
    if (character === undefined) throw new ProtocolError(`no character ${characterId}`);
    for (const key of ["name", "avatar", "description"] as const) if (changes[key] !== undefined) character[key] = changes[key];
    return publicCharacter(character);
  }

  /** Creates an agent: a character owned by `serviceId`, with no socket of its own. */
  createAgent(serviceId: string, name: string, avatar?: string, description?: string): Character {
    if (this.agents(serviceId).length >= this.limits.agentsPerService) throw new QuotaError(`quota: at most ${this.limits.agentsPerService} agents per service`);
    const agent: StoredCharacter = { character_id: `a_${newId()}`, name, owner: serviceId };
    if (avatar !== undefined) agent.avatar = avatar;
    if (description !== undefined) agent.description = description;
    this.#characters.set(agent.character_id, agent);
    return publicCharacter(agent);
  }

  /** The agents `serviceId` created. */
  agents(serviceId: string): Character[] {
    return [...this.#characters.values()].filter((c) => c.owner === serviceId).map(publicCharacter);
  }

  /** Creates a channel (bound to `serviceId` when given), counted against `owner`'s quota. */
  createChannel(name: string, description: string, serviceId?: string, owner?: string): ChannelInfo {
    if (owner !== undefined && [...this.#channels.values()].filter((c) => c.owner === owner).length >= this.limits.channelsPerAccount) {
      throw new QuotaError(`quota: at most ${this.limits.channelsPerAccount} channels per account`);
    }
    if (this.#channels.size >= this.limits.channels) throw new StoreFullError("too many channels on the platform");
    const info: ChannelInfo = { channel_id: `c_${newId()}`, channel_name: name, channel_description: description, channel_type: "ccs" };
    this.#channels.set(info.channel_id, { info, serviceId, owner, members: new Set(), history: [], historySizes: [], historyBytes: 0 });
    return { ...info };
  }

  channel(channelId: string): Channel | undefined {
    return this.#channels.get(channelId);
  }

  channels(): ChannelInfo[] {
    return [...this.#channels.values()].map((c) => ({ ...c.info }));
  }

  /** The ids of the `count` channels with the most members. */
  popularChannels(count = 20): string[] {
    return [...this.#channels.values()].sort((a, b) => b.members.size - a.members.size).slice(0, count).map((c) => c.info.channel_id);
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

  /** Which service each bound channel is bound to. */
  bindings(): Record<string, string> {
    const bindings: Record<string, string> = {};
    for (const c of this.#channels.values()) if (c.serviceId !== undefined) bindings[c.info.channel_id] = c.serviceId;
    return bindings;
  }

  /** The channels `userId` is a member of. */
  memberships(userId: string): string[] {
    return [...this.#channels.values()].filter((c) => c.members.has(userId)).map((c) => c.info.channel_id);
  }

  /** Creates a group of `serviceId`: a channel group (named, in a channel) or a service group. Refused past the quotas, never evicting. */
  createGroup(serviceId: string, characterIds: string[], named?: { name: string; channelId: string }): string {
    const mine = this.#groupCount.get(serviceId) ?? 0;
    if (mine >= this.limits.groupsPerService) throw new QuotaError(`quota: at most ${this.limits.groupsPerService} groups per service`);
    if (this.#groups.size >= this.limits.groups) throw new StoreFullError("too many groups on the platform");
    const group: Group = { group_id: `g_${newId()}`, owner: serviceId, characters: [...new Set(characterIds)], usedIn: [] };
    if (named !== undefined) Object.assign(group, { name: named.name, channel_id: named.channelId });
    this.#groups.set(group.group_id, group);
    this.#groupCount.set(serviceId, mine + 1);
    return group.group_id;
  }

  group(groupId: string): Group | undefined {
    return this.#groups.get(groupId);
  }

  /** `serviceId`'s groups in a channel: its channel groups, or (`temporary`) the service groups it used there. */
  channelGroups(serviceId: string, channelId: string, temporary: boolean): Group[] {
    return [...this.#groups.values()].filter((g) => g.owner === serviceId && (temporary ? g.channel_id === undefined && g.usedIn.includes(channelId) : g.channel_id === channelId));
  }

  /** Records that a service group was used in a channel (for {@link channelGroups}). */
  noteGroupUse(groupId: string, channelId: string): void {
    const group = this.#groups.get(groupId);
    if (group === undefined || group.channel_id !== undefined || group.usedIn.includes(channelId)) return;
    group.usedIn.push(channelId);
    if (group.usedIn.length > MAX_GROUP_USES) group.usedIn.shift();
  }

  /** Records a message in its channel's history, within the count and byte bounds. */
  remember(message: MessageBody, bytes = Buffer.byteLength(JSON.stringify(message))): void {
    const channel = this.#requireChannel(message.channel_id);
    if (bytes > this.limits.historyBytesPerChannel) return; // could never be kept
    channel.history.push(message);
    channel.historyBytes += bytes;
    this.#historyBytes += bytes;
    channel.historySizes.push(bytes);
    while (channel.history.length > this.limits.historyPerChannel || channel.historyBytes > this.limits.historyBytesPerChannel) this.#forgetOldest(channel);
    while (this.#historyBytes > this.limits.historyBytes) this.#forgetOldest(this.#biggestHistory());
  }

  /** All history's size in bytes. */
  get historyBytes(): number {
    return this.#historyBytes;
  }

  #forgetOldest(channel: Channel): void {
    if (channel.history.shift() === undefined) return;
    const bytes = channel.historySizes.shift()!;
    channel.historyBytes -= bytes;
    this.#historyBytes -= bytes;
  }

  #biggestHistory(): Channel {
    let biggest: Channel | undefined;
    for (const channel of this.#channels.values()) if (biggest === undefined || channel.historyBytes > biggest.historyBytes) biggest = channel;
    return biggest!;
  }

  /** Keeps an uploaded file of `owner`; refused past its quota or the platform's bound. */
  storeFile(owner: string, filename: string, contentType: string, bytes: Uint8Array): StoredFile {
    const mine = [...this.#files.values()].filter((f) => f.owner === owner);
    if (mine.length >= this.limits.filesPerAccount) throw new QuotaError(`quota: at most ${this.limits.filesPerAccount} files per account`);
    if (mine.reduce((sum, f) => sum + f.bytes.byteLength, 0) + bytes.byteLength > this.limits.fileBytesPerAccount) {
      throw new QuotaError(`quota: at most ${this.limits.fileBytesPerAccount} bytes of files per account`);
    }
    if (this.#files.size >= this.limits.files || this.#fileBytes + bytes.byteLength > this.limits.fileBytes) throw new StoreFullError("the file store is full");
    const file = { id: newId(), owner, filename, contentType, bytes };
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
export function publicCharacter(character: StoredCharacter): Character {
  const { owner: _owner, ...rest } = character;
  return rest;
}
