/**
 * `Platform`: what happens to each frame on the channels WebSocket. It logs
 * connections in (`service_login` / `user_login` first), routes users'
 * `message_up` and actions to the channel's service, and the service's
 * `message_down` and `update` to the recipients it names; every request is
 * answered with a `copy` (`status: false` and an error for bad input).
 *
 * @module
 */
import { ChannelStore, publicCharacter, type Account, type Channel, type Session } from "./channel-store.js";
import { CLOSE, PlatformConnection } from "./platform-connection.js";
import {
  MESSAGE_SUBTYPES,
  ProtocolError,
  UPDATE_SUBTYPES,
  id,
  list,
  messageContent,
  newId,
  recipients as checkRecipients,
  record,
  text,
  type Envelope,
  type MessageBody,
  type MessageSubtype,
} from "./protocol.js";

export { CLOSE, PlatformConnection } from "./platform-connection.js";

/** Failed logins one connection may try. */
const MAX_FAILED_LOGINS = 5;
/** Sockets one user may have open at once (tabs, devices). */
const MAX_SOCKETS_PER_USER = 16;


/** The platform: the store, and who is connected. */
export class Platform {
  readonly store: ChannelStore;
  readonly #users = new Map<string, Set<PlatformConnection>>();
  readonly #services = new Map<string, PlatformConnection>();
  readonly #bySession = new Map<string, Set<PlatformConnection>>();

  constructor(store = new ChannelStore()) {
    this.store = store;
    store.accounts.onSessionEnded = (sessionId) => this.#endSession(sessionId);
  }

  /** How many sockets `userId` has logged in. */
  userSockets(userId: string): number {
    return this.#users.get(userId)?.size ?? 0;
  }

  /** Whether the service is connected and logged in. */
  isServiceOnline(serviceId: string): boolean {
    return this.#services.has(serviceId);
  }

  /** Handles one text frame; bad input gets a `copy` with `status: false`, never a throw. */
  receive(connection: PlatformConnection, raw: string): void {
    let frame: Envelope;
    try {
      frame = record(JSON.parse(raw), "a frame") as Envelope;
    } catch (error) {
      this.#copy(connection, undefined, "unknown", false, error instanceof ProtocolError ? error.message : "malformed JSON");
      return;
    }
    const requestId = typeof frame.request_id === "string" ? frame.request_id.slice(0, 64) : undefined;
    const type = typeof frame.type === "string" ? frame.type.slice(0, 64) : "unknown";
    try {
      const context = this.#dispatch(connection, frame, type);
      if (context !== undefined) this.#copy(connection, requestId, type, true, context);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.#copy(connection, requestId, type, false, error.message);
      if (type.endsWith("_login") && connection.account === undefined && ++connection.failedLogins >= MAX_FAILED_LOGINS) {
        connection.ws.close(CLOSE.LOGIN_FAILED, "too many failed logins").catch(() => {});
      }
    }
  }

  /** A connection went away: forget it; when a service goes, its channels' members are told. */
  disconnect(connection: PlatformConnection): void {
    const account = connection.account;
    if (account === undefined) return;
    connection.account = undefined;
    if (connection.session !== undefined) removeFrom(this.#bySession, connection.session.id, connection);
    if (account.role === "user") {
      removeFrom(this.#users, account.id, connection);
    } else if (connection.serviceId !== undefined && this.#services.get(connection.serviceId) === connection) {
      this.#services.delete(connection.serviceId);
      this.#announceServiceStatus(connection.serviceId, false);
    }
  }

  /** Sends `frame` to every socket of every user in `userIds`. */
  deliver(userIds: Iterable<string>, frame: object): void {
    const encoded = JSON.stringify(frame);
    for (const userId of userIds) {
      for (const socket of this.#users.get(userId) ?? []) socket.sendText(encoded);
    }
  }

  /** A session ended (sign-out): its sockets are closed with 4401. */
  #endSession(sessionId: string): void {
    for (const connection of this.#bySession.get(sessionId) ?? []) {
      this.disconnect(connection);
      connection.ws.close(CLOSE.SIGNED_OUT, "signed out").catch(() => {});
    }
    this.#bySession.delete(sessionId);
  }

  /** Runs one frame; returns the `copy` context for success, `undefined` for no copy. */
  #dispatch(connection: PlatformConnection, frame: Envelope, type: string): string | undefined {
    if (type === "service_login") return this.#serviceLogin(connection, frame);
    if (type === "user_login") return this.#userLogin(connection, frame);
    const account = connection.account;
    if (account === undefined) throw new ProtocolError("log in first: the first frame must be service_login or user_login");
    const body = frame.body === undefined ? {} : record(frame.body, "body");
    switch (type) {
      case "heartbeat":
        return "heartbeat received";
      case "action":
        return this.#action(requireRole(account, "user", type), body, frame);
      case "message_up":
        return this.#messageUp(requireRole(account, "user", type), body, frame);
      case "message_down":
        requireRole(account, "service", type);
        return this.#messageDown(connection.serviceId!, body, frame);
      case "update":
        requireRole(account, "service", type);
        return this.#update(connection.serviceId!, body, frame);
      default:
        throw new ProtocolError(`unknown type ${JSON.stringify(type)}`);
    }
  }

  #serviceLogin(connection: PlatformConnection, frame: Envelope): string {
    const [account, session] = this.#loginAccount(connection, frame, "service");
    const serviceId = typeof frame.service_id === "string" ? frame.service_id : "";
    if (!this.store.accounts.owns(account, serviceId)) throw new ProtocolError("service_id does not belong to this access token");
    if (connection.serviceId !== undefined && connection.serviceId !== serviceId) throw new ProtocolError("this connection is logged in as another service");
    const previous = this.#services.get(serviceId);
    if (previous !== undefined && previous !== connection) {
      this.#forget(previous); // its close must not announce the service offline
      previous.ws.close(CLOSE.REPLACED, "replaced by a newer login").catch(() => {});
    }
    this.#loggedIn(connection, account, session);
    connection.serviceId = serviceId;
    this.#services.set(serviceId, connection);
    this.#announceServiceStatus(serviceId, true);
    return "service logged in";
  }

  #userLogin(connection: PlatformConnection, frame: Envelope): string {
    const [account, session] = this.#loginAccount(connection, frame, "user");
    const sockets = this.#users.get(account.id) ?? new Set();
    if (sockets.size >= MAX_SOCKETS_PER_USER && !sockets.has(connection)) throw new ProtocolError("too many connections for this user");
    this.#loggedIn(connection, account, session);
    sockets.add(connection);
    this.#users.set(account.id, sockets);
    return "user logged in";
  }

  #loginAccount(connection: PlatformConnection, frame: Envelope, role: "user" | "service"): [Account, Session] {
    const session = this.store.accounts.session(frame.access_token);
    const account = session === undefined ? undefined : this.store.accounts.account(session.accountId);
    if (session === undefined || account === undefined || account.role !== role) throw new ProtocolError(`invalid access token for a ${role}`);
    if (connection.account !== undefined && connection.account.id !== account.id) throw new ProtocolError("this connection is logged in as someone else");
    return [account, session];
  }

  /** A login (or a re-login with a newer session) takes effect: the socket belongs to `session`. */
  #loggedIn(connection: PlatformConnection, account: Account, session: Session): void {
    if (connection.session !== undefined) removeFrom(this.#bySession, connection.session.id, connection);
    connection.account = account;
    connection.session = session;
    const sockets = this.#bySession.get(session.id) ?? new Set();
    sockets.add(connection);
    this.#bySession.set(session.id, sockets);
  }

  /** Drops a connection from the registry without announcing anything (it was replaced). */
  #forget(connection: PlatformConnection): void {
    if (connection.session !== undefined) removeFrom(this.#bySession, connection.session.id, connection);
    connection.account = undefined;
    connection.serviceId = undefined;
  }

  #action(user: Account, body: Record<string, unknown>, frame: Envelope): string {
    const subtype = text(body.subtype, "body.subtype", undefined, 64);
    const channelId = id(body.channel_id, "body.channel_id");
    const channel = this.#channel(channelId);
    const base = { channel_id: channelId, sender: user.id, context: {} };
    let forwarded: Record<string, unknown>;
    switch (subtype) {
      case "join_channel":
        // A member joining again (a reload, a reconnect) needs its view again, not a welcome.
        forwarded = { subtype: channel.members.has(user.id) ? "refresh" : "join", ...base };
        channel.members.add(user.id);
        break;
      case "leave_channel":
        if (!channel.members.delete(user.id)) throw new ProtocolError("you are not a member of this channel");
        forwarded = { subtype: "leave", ...base };
        break;
      case "refresh":
        requireMember(channel, user);
        forwarded = { subtype: "refresh", ...base };
        break;
      case "button_click":
        requireMember(channel, user);
        forwarded = {
          subtype,
          ...base,
          button_id: id(body.button_id, "body.button_id"),
          arguments: clickArguments(body.arguments),
          ...(body.bottom_button_id === undefined ? {} : { bottom_button_id: id(body.bottom_button_id, "body.bottom_button_id") }),
        };
        break;
      case "menu_item_click":
        requireMember(channel, user);
        forwarded = {
          subtype,
          ...base,
          menu_item_id: id(body.menu_item_id, "body.menu_item_id"),
          message_id: text(body.message_id, "body.message_id", "", 64),
          message_subtype: text(body.message_subtype, "body.message_subtype", "text", 16),
          message_content: body.message_content === undefined ? {} : messageContent(body.message_content),
          arguments: clickArguments(body.arguments),
        };
        break;
      default:
        throw new ProtocolError(`unknown action subtype ${JSON.stringify(subtype)}`);
    }
    this.#toService(channel, { type: "action", request_id: frameId(frame), user_id: user.id, body: forwarded });
    return `${subtype} done`;
  }

  #messageUp(user: Account, body: Record<string, unknown>, frame: Envelope): string {
    const channel = this.#channel(id(body.channel_id, "body.channel_id"));
    requireMember(channel, user);
    const message = this.#message(body, user.id, channel, "service");
    if (channel.serviceId === undefined || !this.#services.has(channel.serviceId)) throw new ProtocolError("the channel's service is offline");
    this.store.remember(message);
    this.#toService(channel, { type: "message_up", request_id: frameId(frame), user_id: user.id, service_id: channel.serviceId, body: message });
    return "message received";
  }

  #messageDown(serviceId: string, body: Record<string, unknown>, frame: Envelope): string {
    const channel = this.#ownChannel(serviceId, body);
    const sender = id(body.sender, "body.sender");
    const character = this.store.character(sender);
    if (character === undefined || (character.owner !== serviceId && !channel.members.has(sender))) {
      throw new ProtocolError("sender must be one of this service's agents or a member of the channel");
    }
    const message = this.#message(body, sender, channel, body.recipients);
    const to = this.#resolve(channel, message.recipients);
    this.store.remember(message);
    this.deliver(to, { type: "message_down", request_id: frameId(frame), service_id: serviceId, body: message });
    return "message delivered";
  }

  #update(serviceId: string, body: Record<string, unknown>, frame: Envelope): string {
    if (frame.subtype === "channel_info" || body.subtype === "channel_info") return this.#updateChannelInfo(serviceId, body, frame);
    const subtype = text(body.subtype, "body.subtype", undefined, 32);
    if (!(UPDATE_SUBTYPES as readonly string[]).includes(subtype)) throw new ProtocolError(`unknown update subtype ${JSON.stringify(subtype)}`);
    const channel = this.#ownChannel(serviceId, body);
    const to = checkRecipients(body.recipients);
    let content: unknown;
    if (subtype === "characters") {
      const raw = record(body.content, "content");
      const named = checkRecipients(raw.characters);
      const ids = typeof named === "string" ? this.#group(named, channel) : named;
      const characterList = ids.flatMap((characterId) => {
        const character = this.store.character(characterId);
        return character === undefined ? [] : [publicCharacter(character)];
      });
      content = { characters: named, character_list: characterList };
    } else {
      content = list(body.content, "content").map((item, i) => record(item, `content[${i}]`));
    }
    this.deliver(this.#resolve(channel, to), {
      type: "update",
      request_id: frameId(frame),
      service_id: serviceId,
      body: { subtype, channel_id: channel.info.channel_id, content, recipients: to, context: {} },
    });
    return `${subtype} updated`;
  }

  #updateChannelInfo(serviceId: string, body: Record<string, unknown>, frame: Envelope): string {
    const channel = this.#ownChannel(serviceId, { channel_id: frame.channel_id ?? body.channel_id });
    channel.info.channel_name = text(body.channel_name, "body.channel_name", channel.info.channel_name, 100);
    channel.info.channel_description = text(body.channel_description, "body.channel_description", channel.info.channel_description, 1000);
    this.deliver(channel.members, { type: "update", request_id: frameId(frame), subtype: "channel_info", channel_id: channel.info.channel_id, body: { ...channel.info } });
    return "channel_info updated";
  }

  /** A message body, checked, with the platform's id and time. */
  #message(body: Record<string, unknown>, sender: string, channel: Channel, to: unknown): MessageBody {
    const subtype = text(body.subtype, "body.subtype", "text", 16);
    if (!(MESSAGE_SUBTYPES as readonly string[]).includes(subtype)) throw new ProtocolError(`unknown message subtype ${JSON.stringify(subtype)}`);
    return {
      message_id: newId(),
      subtype: subtype as MessageSubtype,
      channel_id: channel.info.channel_id,
      content: messageContent(body.content),
      sender,
      recipients: checkRecipients(to),
      timestamp: Date.now(),
      context: body.context === undefined ? {} : record(body.context, "body.context"),
    };
  }

  /** The user ids a `recipients` value names, among the channel's members (`"service"` names none). */
  #resolve(channel: Channel, to: string | string[]): string[] {
    if (to === "service") return [];
    const ids = typeof to === "string" ? this.#group(to, channel) : to;
    return ids.filter((userId) => channel.members.has(userId));
  }

  #group(groupId: string, channel: Channel): string[] {
    const group = this.store.group(groupId);
    if (group === undefined) throw new ProtocolError(`no group ${groupId}`);
    this.store.noteGroupUse(groupId, channel.info.channel_id);
    return group.characters;
  }

  #channel(channelId: string): Channel {
    const channel = this.store.channel(channelId);
    if (channel === undefined) throw new ProtocolError(`no channel ${channelId}`);
    return channel;
  }

  /** The channel named in `body`, which must be bound to `service`. */
  #ownChannel(serviceId: string, body: Record<string, unknown>): Channel {
    const channel = this.#channel(id(body.channel_id, "channel_id"));
    if (channel.serviceId !== serviceId) throw new ProtocolError("the channel is not bound to this service");
    return channel;
  }

  #toService(channel: Channel, frame: object): void {
    if (channel.serviceId !== undefined) this.#services.get(channel.serviceId)?.send(frame);
  }

  /** Tells the members of a service's channels that it went away or came back (an upie extension: `update` `service_status`). */
  #announceServiceStatus(serviceId: string, online: boolean): void {
    for (const channelId of this.store.boundChannels(serviceId)) {
      const channel = this.store.channel(channelId)!;
      this.deliver(channel.members, {
        type: "update",
        request_id: newId(),
        service_id: serviceId,
        body: { subtype: "service_status", channel_id: channelId, content: { online }, recipients: [...channel.members], context: {} },
      });
    }
  }

  #copy(connection: PlatformConnection, requestId: string | undefined, originType: string, status: boolean, message: string): void {
    const context = status ? { message } : { error: message };
    connection.send({ type: "copy", request_id: requestId ?? null, body: { request_id: requestId ?? null, origin_type: originType, status, context } });
  }
}

function requireRole(account: Account, role: "user" | "service", type: string): Account {
  if (account.role !== role) throw new ProtocolError(`${type} is for ${role}s`);
  return account;
}

function requireMember(channel: Channel, user: Account): void {
  if (!channel.members.has(user.id)) throw new ProtocolError("you are not a member of this channel: join_channel first");
}

/** A button or menu click's arguments: a list of `{ label, value }`. */
function clickArguments(value: unknown): { label: string; value: string }[] {
  if (value === undefined) return [];
  return list(value, "body.arguments").map((entry, i) => {
    const argument = record(entry, `body.arguments[${i}]`);
    return { label: text(argument.label, "argument label", undefined, 200), value: text(String(argument.value ?? ""), "argument value", undefined, 2000) };
  });
}

function frameId(frame: Envelope): string {
  return typeof frame.request_id === "string" ? frame.request_id.slice(0, 64) : newId();
}

/** Removes `value` from the set at `key`, and the key once its set is empty. */
function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  set?.delete(value);
  if (set?.size === 0) map.delete(key);
}
