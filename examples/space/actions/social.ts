/**
 * Social: chat, reactions, rings, spotlight, whispers, pointers, and the
 * ways one player stops another (block, kick, ban).
 *
 * @module
 */
import { randomUUID } from "node:crypto";

import type { SpaceConnection } from "../space-connection.js";
import type { Space } from "../space.js";
import { checkString, forSelf, inRange, LIMITS, mapEvent, myMap, objectOn, otherOnMyMap, playerById, playerEvent, playerNamed, refuse, type ActionDef } from "./define.js";
import { CHAT } from "./chat.js";

/** Hides a and b from each other while either blocks the other, and moves them off or onto the shared batch. */
function setBlock(space: Space, blocker: SpaceConnection, other: SpaceConnection, blocked: boolean): void {
  if (blocked) blocker.blocking.add(other.player.id);
  else blocker.blocking.delete(other.player.id);
  const hidden = blocker.blocking.has(other.player.id) || other.blocking.has(blocker.player.id);
  for (const [a, b] of [[blocker, other], [other, blocker]] as const) {
    const wasFiltered = a.filtered;
    if (hidden) {
      a.hiddenIds.add(b.player.id);
      a.hiddenEncIds.add(b.player.encId);
    } else {
      a.hiddenIds.delete(b.player.id);
      a.hiddenEncIds.delete(b.player.encId);
    }
    if (wasFiltered !== a.filtered) space.resubscribe(a, a.player.mapId);
  }
}

/** Ends a whisper: both ends leave it, the map hears each leave. */
export function leaveWhisper(space: Space, connection: SpaceConnection): boolean {
  const whisper = connection.player.state.get("playerEntersWhisperV2");
  if (whisper === undefined) return false;
  for (const c of space.connections.values()) {
    if (c.player.state.get("playerEntersWhisperV2")?.whisperId !== whisper.whisperId) continue;
    c.player.state.delete("playerEntersWhisperV2");
    space.toPlayersMap(c.player, { playerLeavesWhisper: { encId: c.player.encId } });
  }
  return true;
}

/** Closes every connection of `key` in the space, after telling it why. */
function removeKey(space: Space, key: string, message: string, code: number): void {
  for (const c of space.connections.values()) {
    if (c.player.key !== key) continue;
    c.push({ error: { message, code: 403 } });
    c.flush();
    void c.ws.close(code, message.slice(0, 100)).catch(() => {});
  }
}

export const SOCIAL: Record<string, ActionDef> = {
  ...CHAT,

  wave: mapEvent("playerWaves", {
    does: "Waves (at user, if given; isReply: waving back).",
    handle(space, connection, { user, isReply }) {
      myMap(space, connection);
      if (user !== "") playerNamed(space, connection, user, "user");
      return { targetId: user, isReply };
    },
  }),

  shootConfetti: mapEvent("playerShootsConfetti", {
    does: "Shoots confetti from your avatar.",
    handle(space, connection, { targetId }) {
      forSelf(connection, targetId);
      myMap(space, connection);
      return {};
    },
  }),

  setEmoteV2: mapEvent("playerSetsEmoteV2", {
    does: "Shows an emote over you (count: how many; \"\" clears it).",
    handle(space, connection, { emote, targetId, count }) {
      forSelf(connection, targetId);
      myMap(space, connection);
      checkString(emote, LIMITS.emoji, "emote");
      return { emote, count: Math.min(count, 100) };
    },
    keep: ({ emote }) => emote !== "",
  }),

  ring: playerEvent("playerRings", {
    to: "user",
    does: "Rings a player on any map to get their attention (the page shows a bell and a pulse).",
    handle: ({ player: me }) => ({ encId: me.encId, id: me.id, name: me.name }),
  }),

  spotlight: {
    role: "member",
    event: "`playerSpotlights` to the whole space",
    does: "Spotlights a player (everyone in the space hears them; the page draws a halo) or ends it.",
    handle(space, connection, { spotlightedUser, isSpotlighted }) {
      const other = playerNamed(space, connection, spotlightedUser, "spotlightedUser");
      const fields = { spotlightedBy: connection.player.encId, spotlighted: isSpotlighted === true };
      if (fields.spotlighted) other.player.state.set("playerSpotlights", fields);
      else other.player.state.delete("playerSpotlights");
      space.toSpace({ playerSpotlights: { encId: other.player.encId, ...fields } });
    },
  },

  highFive: mapEvent("playerHighFives", {
    does: "High-fives a player on your map, within 3 tiles (emote: the hand shown).",
    handle(space, connection, { targetId, emote }) {
      const them = otherOnMyMap(space, connection, targetId, "targetId", "high-five", "high-fives need both players on one map").player;
      const me = connection.player;
      if (Math.abs(me.x - them.x) > 3 || Math.abs(me.y - them.y) > 3) refuse("too far for a high-five: walk within 3 tiles");
      checkString(emote, LIMITS.emoji, "emote");
      return { encIdTarget: them.encId, emote: emote || "✋" };
    },
  }),

  hipToBeSquare: mapEvent("hipToBeSquare", {
    does: "Starts the map's dance (data: which one; the page spins everyone there).",
    handle(space, connection, { data }) {
      myMap(space, connection);
      checkString(data, LIMITS.notification, "data");
      return { data };
    },
  }),

  enterWhisper: {
    role: "guest",
    event: "`playerEntersWhisperV2` to the map",
    does: "Starts a whisper with a player on your map: the two of you hear only each other.",
    handle(space, connection, { recipientId }) {
      const other = otherOnMyMap(space, connection, recipientId, "recipientId", "whisper to", "whispers need both players on one map");
      const me = connection.player;
      leaveWhisper(space, connection);
      leaveWhisper(space, other);
      const whisperId = randomUUID();
      me.state.set("playerEntersWhisperV2", { encIdTarget: other.player.encId, whisperId });
      other.player.state.set("playerEntersWhisperV2", { encIdTarget: me.encId, whisperId });
      space.toMap(me.mapId!, { playerEntersWhisperV2: { encId: me.encId, encIdTarget: other.player.encId, whisperId } });
    },
  },

  leaveWhisper: {
    role: "guest",
    event: "`playerLeavesWhisper` to the map, for both ends",
    does: "Ends your whisper.",
    handle(space, connection) {
      if (!leaveWhisper(space, connection)) refuse("not in a whisper");
    },
  },

  requestMute: playerEvent("gotRequestMute", {
    role: "member",
    to: "target",
    does: "Asks a player to mute their microphone (video: their camera).",
    handle: (connection, { video }) => ({ muterId: connection.player.id, video: video === true }),
  }),

  requestToLead: playerEvent("playerRequestsToLead", {
    to: "target",
    does: "Asks a player to follow you (snapshot: what you show them).",
    handle(connection, { snapshot }) {
      checkString(snapshot, LIMITS.long, "snapshot");
      return { encId: connection.player.encId, snapshot };
    },
  }),

  setScreenPointer: mapEvent("setScreenPointerServer", {
    does: "Points at (x, y) (0..1) on the screen player screenId shares, when they allow it.",
    handle(space, connection, { screenId, x, y }) {
      const owner = playerNamed(space, connection, screenId, "screenId");
      if (owner.player.state.get("playerSetsAllowScreenPointer")?.allowScreenPointer !== true) refuse("that player does not allow screen pointers");
      if (!inRange(x, 0, 1) || !inRange(y, 0, 1)) refuse("x and y must be 0..1");
      return { screenId, x, y, color: colorOf(connection.player.id) };
    },
    keep: () => true,
  }),

  setImagePointer: mapEvent("playerSetsImagePointer", {
    does: "Points at (x, y) (0..1) on an object of your map (a poster, an image).",
    handle(space, connection, { objectId, x, y }) {
      objectOn(myMap(space, connection), objectId, "your map");
      if (!inRange(x, 0, 1) || !inRange(y, 0, 1)) refuse("x and y must be 0..1");
      return { objectId, x, y };
    },
    keep: () => true,
  }),

  block: {
    role: "guest",
    event: "`playerBlocks` to both players; from then on neither gets the other's events",
    does: "Blocks (or unblocks) a player: each stops seeing the other, and direct actions between you are refused.",
    handle(space, connection, { blockedUserId, blocked }) {
      const other = playerById(space, blockedUserId);
      if (other === connection) refuse("you cannot block yourself");
      const event = { playerBlocks: { blockedBy: connection.player.id, blocked: blocked === true, blockedUserId } };
      connection.push(event);
      other.push(event);
      setBlock(space, connection, other, blocked === true);
    },
  },

  kick: {
    role: "owner",
    event: "`error {403}` and close 4001 to that player; `playerExits` to its map",
    does: "Sends a player out of the space (it may come back).",
    handle(space, connection, { user }) {
      const other = playerById(space, user);
      if (other === connection) refuse("you cannot kick yourself");
      other.push({ error: { message: `kicked by ${connection.player.name}`, code: 403 } });
      other.flush();
      void other.ws.close(4001, "kicked").catch(() => {});
    },
  },

  ban: {
    role: "owner",
    event: "`spaceBansPlayer` to the space; close 4403 to the banned key's players",
    does: "Bans the key of player user from this space until lifted (lift: true, with the same id); owners cannot be banned.",
    handle(space, connection, { user, lift }) {
      if (typeof user !== "string" || user === "" || user.length > LIMITS.id) refuse("user: a player id is required");
      if (lift === true) {
        const ban = space.bans.get(user);
        if (ban === undefined) refuse(`no ban on '${user}'`);
        space.bans.delete(user);
        space.toSpace({ spaceBansPlayer: { id: user, name: ban.name, banned: false } });
        return;
      }
      const other = playerById(space, user);
      if (other.player.role === "owner") refuse("owners cannot be banned");
      if (space.bans.size >= 1000) refuse("a space has at most 1000 bans: lift some");
      space.bans.set(user, { key: other.player.key, name: other.player.name });
      space.toSpace({ spaceBansPlayer: { id: user, name: other.player.name, banned: true } });
      removeKey(space, other.player.key, `banned from this space by ${connection.player.name}`, 4403);
    },
  },
};

/** A player's colour: the page draws its avatar, pointer and name in it. */
export function colorOf(id: string): string {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return `hsl(${Math.abs(hash) % 360} 65% 60%)`;
}
