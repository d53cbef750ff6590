/**
 * Effects, commands and sessions: sounds, notifications, custom events,
 * shakes, chat commands, speaker and player session settings, recordings,
 * subscriptions and heartbeats.
 *
 * @module
 */
import { loadSchema } from "../schema.js";
import type { SpaceConnection } from "../space-connection.js";
import type { Space } from "../space.js";
import { badString, badUrl, checkString, inRange, LIMITS, mapEvent, mapOf, myMap, nookOn, objectOn, playerNamed, refuse, type ActionDef } from "./define.js";
import { tellNook } from "./nooks.js";

/** Events a client cannot turn off: without them it cannot follow the protocol. */
const ALWAYS = new Set(["ready", "error", "transactionStatus", "serverHeartbeat", "subscriptionsUpdated"]);
let eventNames: string[] | undefined;

/** A client heartbeat answers the last server heartbeat: that gap is the round trip. */
function heartbeat(connection: SpaceConnection): void {
  if (connection.heartbeatSentAt !== undefined) {
    connection.lastRTT = Math.round(performance.now() - connection.heartbeatSentAt);
    connection.heartbeatSentAt = undefined;
  }
}

/** Sends `event` to the player `targetId` names, or ("") to the sender's map. */
function toPlayerOrMap(space: Space, connection: SpaceConnection, targetId: unknown, event: object): void {
  if (targetId !== "") playerNamed(space, connection, targetId, "targetId").push(event);
  else space.toMap(myMap(space, connection).id, event);
}

/** Refuses a shake stronger than 10 or longer than 10 s. */
function checkShake(intensity: unknown, durationMs: unknown): void {
  if (!inRange(intensity, 0, 10) || !inRange(durationMs, 0, 10_000)) refuse("intensity must be 0..10 and durationMs 0..10000");
}

export const EFFECTS: Record<string, ActionDef> = {
  clientHeartbeat: { role: "guest", event: "none (times the next `serverHeartbeat.lastRTT`)", does: "Answers the server's heartbeat; the gap is your round trip.", handle: (_s, c) => heartbeat(c) },
  clientBackupHeartbeat: { role: "guest", event: "none (times the next `serverHeartbeat.lastRTT`)", does: "The web client's second heartbeat; counts as clientHeartbeat.", handle: (_s, c) => heartbeat(c) },

  updateSubscriptions: {
    role: "guest",
    event: "`subscriptionsUpdated` to you",
    does: "Turns event kinds off (false) or on again for you; the server stops sending them (mapUpdateIds: accepted, this server keeps no map versions).",
    handle(space, connection, { subscriptions }) {
      eventNames ??= loadSchema().ServerClientEvent.oneofs!.event!.fieldsArray.map((f) => f.name);
      const wasFiltered = connection.filtered;
      const changes = Object.entries((subscriptions ?? {}) as Record<string, boolean>);
      for (const [name, on] of changes) {
        if (!eventNames.includes(name)) refuse(`no event '${name.slice(0, LIMITS.id)}'`);
        if (ALWAYS.has(name) && on === false) refuse(`${name} is always sent`);
      }
      for (const [name, on] of changes) {
        if (on === false) connection.unsubscribed.add(name);
        else connection.unsubscribed.delete(name);
      }
      if (wasFiltered !== connection.filtered) space.resubscribe(connection, connection.player.mapId);
      connection.push({ subscriptionsUpdated: { subscriptions: eventNames.filter((n) => !connection.unsubscribed.has(n)) } });
    },
  },

  playSound: {
    role: "member",
    event: "`spacePlaysSound` to the map, or to one player (targetId)",
    does: "Plays a sound (an http(s) URL or a path; volume 0..1); the page shows a 🔊 cue.",
    handle(space, connection, { src, volume, targetId }) {
      const problem = badString(src, LIMITS.url, "src") ?? (src === "" ? "src is required" : badUrl(src, "src"));
      if (problem !== undefined) refuse(problem);
      if (!inRange(volume, 0, 1)) refuse("volume must be 0..1");
      return toPlayerOrMap(space, connection, targetId, { spacePlaysSound: { src, volume, encId: connection.player.encId } });
    },
  },

  stopSound: {
    role: "member",
    event: "`spaceStopsSound` to the map, or to one player (targetId)",
    does: "Stops a sound that playSound started.",
    handle(space, connection, { src, targetId }) {
      const problem = badString(src, LIMITS.url, "src") ?? badUrl(src, "src");
      if (problem !== undefined) refuse(problem);
      return toPlayerOrMap(space, connection, targetId, { spaceStopsSound: { src, encId: connection.player.encId } });
    },
  },

  notify: {
    role: "member",
    event: "`playerNotifies` to the whole space",
    does: "Shows a notification to everyone in the space.",
    handle(space, connection, { notification }) {
      checkString(notification, LIMITS.notification, "notification");
      if (notification.trim() === "") refuse("notification must not be empty");
      space.toSpace({ playerNotifies: { encId: connection.player.encId, notification } });
    },
  },

  customAction: {
    role: "member",
    event: "`customEvent` to the recipients, or the whole space (sendToAll)",
    does: "Sends your own event (name, payload) to players (up to 100) or everyone.",
    handle(space, connection, { name, payload, recipients, sendToAll }) {
      const problem = badString(name, LIMITS.id, "name") ?? badString(payload, LIMITS.payload, "payload");
      if (problem !== undefined) refuse(problem);
      const event = { customEvent: { name, payload, senderId: connection.player.id } };
      if (sendToAll === true) {
        space.toSpace(event);
        return;
      }
      if (!Array.isArray(recipients) || recipients.length === 0 || recipients.length > 100) refuse("recipients: 1..100 player ids, or sendToAll");
      const targets = new Set(recipients.map((id) => playerNamed(space, connection, id, "recipient")));
      for (const target of targets) target.push(event);
    },
  },

  fxShakeObject: {
    role: "member",
    event: "`fxShakeObject` to the map",
    does: "Shakes an object (targetId: its id) for durationMs (≤ 10 000) at intensity 0..10; the page jiggles it.",
    handle(space, connection, { mapId, targetId, intensity, durationMs, mode }) {
      const map = mapOf(space, connection, mapId);
      objectOn(map, targetId);
      checkShake(intensity, durationMs);
      space.toMap(map.id, { fxShakeObject: { mapId: map.id, targetId, intensity, durationMs, mode } });
    },
  },

  fxShakeCamera: {
    role: "member",
    event: "`fxShakeCamera` to the map, or to one player (targetUserId)",
    does: "Shakes the view of everyone on a map (\"\" = yours) or of one player.",
    handle(space, connection, { intensity, durationMs, mapId, targetUserId }) {
      checkShake(intensity, durationMs);
      if (targetUserId !== "") {
        const target = playerNamed(space, connection, targetUserId, "targetUserId");
        target.push({ fxShakeCamera: { intensity, durationMs, mapId: target.player.mapId ?? "", targetUserId } });
        return;
      }
      const map = mapOf(space, connection, mapId);
      space.toMap(map.id, { fxShakeCamera: { intensity, durationMs, mapId: map.id, targetUserId } });
    },
  },

  registerCommand: {
    role: "member",
    event: "`spaceRegistersCommand` to the space",
    does: "Registers a chat command (a word): sendCommand with it reaches you.",
    handle(space, connection, { command }) {
      if (typeof command !== "string" || !/^[a-z][a-z0-9_-]{0,31}$/i.test(command)) refuse("command must be a word (letters, digits, _ -), 1..32");
      let handlers = space.commands.get(command);
      if (handlers === undefined) {
        if (space.commands.size >= 256) refuse("a space has at most 256 commands");
        space.commands.set(command, (handlers = new Set()));
      }
      handlers.add(connection);
      space.toSpace({ spaceRegistersCommand: { command } });
    },
  },

  sendCommand: {
    role: "guest",
    event: "`playerSendsCommand` to the command's registrants (or targetId, one of them)",
    does: "Sends a registered command (its text after the word is the argument).",
    handle(space, connection, { command, targetId }) {
      checkString(command, LIMITS.notification, "command");
      const handlers = space.commands.get(command.split(" ")[0]!);
      if (handlers === undefined || handlers.size === 0) refuse(`no command '${command.split(" ")[0]!.slice(0, LIMITS.id)}' is registered`);
      const event = { playerSendsCommand: { encId: connection.player.encId, command } };
      for (const handler of handlers) if (targetId === "" || handler.player.id === targetId) handler.push(event);
    },
  },

  playerUpdatesSession: mapEvent("playerUpdatesSession", {
    does: "Records which panels of a speaker session (roomId) you have open (room, chat, Q&A, approvals).",
    handle(_space, _connection, { roomChecked, chatChecked, qaChecked, approveQuestionsChecked, roomId }) {
      checkString(roomId, LIMITS.id, "roomId");
      return { roomChecked, chatChecked, qaChecked, approveQuestionsChecked, roomId };
    },
    keep: () => true,
  }),

  speakerUpdatesSession: {
    role: "member",
    event: "`speakerUpdatesSession` to the space",
    does: "Sets a speaker session's switches (room customising, chat, Q&A, approvals, mass mute).",
    handle(space, _connection, args) {
      const problem = badString(args.sessionId, LIMITS.id, "sessionId");
      if (problem !== undefined || args.sessionId === "") refuse(problem ?? "sessionId is required");
      if (!space.sessions.has(args.sessionId) && space.sessions.size >= 64) refuse("a space has at most 64 sessions");
      space.sessions.set(args.sessionId, { ...args });
      space.toSpace({ speakerUpdatesSession: { ...args } });
    },
  },

  startRecording: mapEvent("playerStartsRecording", {
    role: "member",
    does: "Starts recording a nook of your map (initializing: still starting).",
    note: "and `mapSetNooks` with the nook's recordingInfo",
    handle(space, connection, { nookId, initializing }) {
      const map = myMap(space, connection);
      const nook = nookOn(map, nookId, "your map");
      nook.recording = { active: true, initiatingPlayer: connection.player.id };
      tellNook(space, map, nook);
      return { nookId, initializing: initializing === true };
    },
    keep: () => true,
  }),
};
