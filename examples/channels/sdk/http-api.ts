/**
 * `HttpApi`: the platform's HTTP API as the SDK uses it (sign-in, channels,
 * agents, groups, history, uploads), with the access token attached.
 *
 * @module
 */
import type { ChannelInfo, Character, MessageBody } from "../protocol.js";

/** An HTTP call the platform refused: its status and error text. */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;

  constructor(status: number, message: string) {
    super(`HTTP ${status}: ${message}`);
    this.status = status;
  }
}

/** What `signIn` returns. */
export interface SignIn {
  access_token: string;
  refresh_token: string;
  id: string;
  username: string;
  role: "user" | "service";
}

/** A group as the platform describes it. */
export interface GroupInfo {
  group_id: string;
  characters: string[];
  name: string | null;
  channel_id: string | null;
  temporary: boolean;
}

export class HttpApi {
  readonly baseUrl: string;
  token: string | undefined;
  refreshToken: string | undefined;
  /** The service a service account acts as (sent as `X-Service-Id`); its own by default. */
  serviceId: string | undefined;

  /** @param baseUrl - the platform's origin, e.g. `http://127.0.0.1:8000`. */
  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, "");
  }

  /** Creates an account (`role` "user" or "service"). */
  signUp(username: string, password: string, role: "user" | "service", name?: string): Promise<{ id: string }> {
    return this.#call("POST", "/api/sign_up", { username, password, role, ...(name === undefined ? {} : { name }) });
  }

  /** Signs in; the token is kept for the following calls. */
  async signIn(username: string, password: string): Promise<SignIn> {
    const result = await this.#call<SignIn>("POST", "/api/sign_in", { username, password });
    this.token = result.access_token;
    this.refreshToken = result.refresh_token;
    return result;
  }

  /** Ends the session: the token stops working and the platform closes its sockets (4401). */
  async signOut(): Promise<void> {
    await this.#call("POST", "/api/sign_out", {});
    this.token = undefined;
    this.refreshToken = undefined;
  }

  /** A new access token for this session (its sockets stay logged in); returns it. */
  async refresh(): Promise<string> {
    const result = await this.#call<{ access_token: string }>("POST", "/api/refresh", { refresh_token: this.refreshToken });
    this.token = result.access_token;
    return result.access_token;
  }

  /** Who the token belongs to. */
  fetchMe(): Promise<{ id: string; username: string; role: "user" | "service"; service_ids?: string[]; character?: Character }> {
    return this.#call("GET", "/api/me");
  }

  /** Changes the signed-in user's name, avatar or description. */
  updateMe(changes: { name?: string; avatar?: string; description?: string }): Promise<Character> {
    return this.#call("POST", "/api/me/update", changes);
  }

  async fetchServices(): Promise<{ service_id: string; description: string }[]> {
    return (await this.#call<{ services: { service_id: string; description: string }[] }>("GET", "/api/services")).services;
  }

  createService(description: string): Promise<{ service_id: string; description: string }> {
    return this.#call("POST", "/api/services/create", { description });
  }

  async fetchServiceChannels(serviceId: string): Promise<string[]> {
    return (await this.#call<{ channel_ids: string[] }>("GET", `/api/services/${encodeURIComponent(serviceId)}/channels`)).channel_ids;
  }

  async fetchPopularChannels(): Promise<string[]> {
    return (await this.#call<{ channel_ids: string[] }>("GET", "/api/popular_channels")).channel_ids;
  }

  async fetchChannelBindings(): Promise<Record<string, string>> {
    return (await this.#call<{ bindings: Record<string, string> }>("GET", "/api/channel_bindings")).bindings;
  }

  async fetchChannelList(): Promise<(ChannelInfo & { service_online: boolean })[]> {
    return (await this.#call<{ channels: (ChannelInfo & { service_online: boolean })[] }>("GET", "/api/channels")).channels;
  }

  fetchChannel(channelId: string): Promise<ChannelInfo & { service_online: boolean }> {
    return this.#call("GET", `/api/channels/${encodeURIComponent(channelId)}`);
  }

  createChannel(name: string, description: string, bind: boolean): Promise<ChannelInfo> {
    return this.#call("POST", "/api/channels/create", { channel_name: name, channel_desc: description, bind: String(bind) });
  }

  async bind(channelId: string): Promise<void> {
    await this.#call("POST", `/api/channels/${encodeURIComponent(channelId)}/bind`, {});
  }

  async unbind(channelId: string): Promise<void> {
    await this.#call("POST", `/api/channels/${encodeURIComponent(channelId)}/unbind`, {});
  }

  async fetchCharacters(channelId: string): Promise<Character[]> {
    return (await this.#call<{ characters: Character[] }>("GET", `/api/channels/${encodeURIComponent(channelId)}/characters`)).characters;
  }

  async fetchMemberIds(channelId: string): Promise<string[]> {
    return (await this.#call<{ member_ids: string[] }>("GET", `/api/channels/${encodeURIComponent(channelId)}/members`)).member_ids;
  }

  async fetchMessageHistory(channelId: string, limit = 1024, before?: number): Promise<MessageBody[]> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (before !== undefined) query.set("before", String(before));
    return (await this.#call<{ messages: MessageBody[] }>("GET", `/api/channels/${encodeURIComponent(channelId)}/history?${query}`)).messages;
  }

  createAgent(name: string, avatar?: string, description?: string): Promise<Character> {
    return this.#call("POST", "/api/agents/create", { name, ...(avatar === undefined ? {} : { avatar }), ...(description === undefined ? {} : { description }) });
  }

  async fetchAgents(): Promise<Character[]> {
    return (await this.#call<{ agents: Character[] }>("GET", "/api/agents")).agents;
  }

  updateAgent(characterId: string, changes: { name?: string; avatar?: string; description?: string }): Promise<Character> {
    return this.#call("POST", `/api/agents/${encodeURIComponent(characterId)}/update`, changes);
  }

  /** Character profiles (members or agents) by id. */
  async fetchCharacterProfiles(characterIds: string[]): Promise<Character[]> {
    const query = new URLSearchParams({ ids: characterIds.join(",") });
    return (await this.#call<{ characters: Character[] }>("GET", `/api/characters?${query}`)).characters;
  }

  /** A service group, or (with a channel and a name) a channel group; returns its id. */
  async createGroup(characterIds: string[], channel?: { channelId: string; name: string }): Promise<string> {
    const named = channel === undefined ? {} : { channel_id: channel.channelId, group_name: channel.name };
    return (await this.#call<{ group_id: string }>("POST", "/api/groups/create", { characters: characterIds, ...named })).group_id;
  }

  fetchGroup(groupId: string): Promise<GroupInfo> {
    return this.#call("GET", `/api/groups/${encodeURIComponent(groupId)}`);
  }

  /** This service's channel groups in a channel, or (`temporary`) the service groups it used there. */
  async fetchChannelGroups(channelId: string, temporary: boolean): Promise<GroupInfo[]> {
    return (await this.#call<{ groups: GroupInfo[] }>("GET", `/api/channels/${encodeURIComponent(channelId)}/groups?temporary=${temporary}`)).groups;
  }

  /** Uploads bytes as a file; returns the `path` (and size) to put in an image or file message. */
  async upload(bytes: Uint8Array, filename: string, contentType = "application/octet-stream"): Promise<{ path: string; size: number; filename: string }> {
    const form = new FormData();
    form.append("file", new Blob([bytes], { type: contentType }), filename);
    const res = await fetch(`${this.baseUrl}/api/upload`, { method: "POST", body: form, headers: this.authHeaders() });
    return this.#read(res);
  }

  /** The headers that say who is calling. */
  authHeaders(): Record<string, string> {
    const headers: Record<string, string> = this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
    if (this.serviceId !== undefined) headers["x-service-id"] = this.serviceId;
    return headers;
  }

  async #call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = this.authHeaders();
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return this.#read(res);
  }

  async #read<T>(res: Response): Promise<T> {
    const raw = await res.text();
    if (!res.ok) throw new ApiError(res.status, raw.slice(0, 300));
    return JSON.parse(raw) as T;
  }
}
