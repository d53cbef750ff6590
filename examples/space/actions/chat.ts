/**
 * Chat: to the map, the space, a nook, nearby players or one player; and
 * likes on a line (chatMessageUpdated). A map's recent lines reach newcomers.
 *
 * @module
 */
import { randomUUID } from "node:crypto";

import { badString, LIMITS, playerNamed, refuse, type ActionDef } from "./define.js";

/** The chat kinds a map can enable (mapSetEnabledChats). */
export const CHAT_KINDS = ["LOCAL_CHAT", "GLOBAL_CHAT", "NOOK_CHAT", "DM"] as const;

export const CHAT: Record<string, ActionDef> = {
  chat: {
    role: "guest",
    event: "`playerChats` to the map (LOCAL_CHAT), every map (GLOBAL_CHAT), a nook's players (NOOK_CHAT), localPlayerIds, or both ends (a player id)",
    does: "Sends a chat line; the map's enabled chats (mapSetEnabledChats) and blocks apply; map lines are kept for newcomers.",
    handle(space, connection, { chatRecipient, contents, localPlayerIds, mapId, id, nookId }) {
      const problem = badString(contents, LIMITS.chat, "contents") ?? badString(chatRecipient, LIMITS.id, "chatRecipient") ?? badString(id, LIMITS.id, "id") ?? badString(nookId, LIMITS.id, "nookId");
      if (problem !== undefined) refuse(problem);
      if (contents.trim() === "") refuse("contents must not be empty");
      const player = connection.player;
      const recipient = chatRecipient === "" || chatRecipient === "ROOM_CHAT" ? "LOCAL_CHAT" : chatRecipient;
      const kind = (CHAT_KINDS as readonly string[]).includes(recipient) ? recipient : "DM";
      const map = player.mapId === undefined ? undefined : space.maps.get(player.mapId);
      if (map?.enabledChats !== undefined && !map.enabledChats.has(kind)) refuse(`${kind} is not enabled on this map`);
      const message = { id: id || randomUUID(), senderId: player.id, senderName: player.name, recipient, contents, unixTime: Date.now() / 1000, encId: player.encId, mapId: player.mapId ?? "", nookId: "", messageType: kind };
      if (kind === "GLOBAL_CHAT") {
        space.toSpace({ playerChats: message });
        return;
      }
      if (map === undefined) refuse("not in a map: enter first, or chat to GLOBAL_CHAT");
      if (kind === "LOCAL_CHAT" && mapId !== "" && mapId !== map.id) refuse("map chat goes to your own map only");
      const direct = (ids: Iterable<string>) => {
        for (const other of new Set(ids)) space.byId(other)?.push({ playerChats: message });
      };
      if (kind === "NOOK_CHAT") {
        const nook = map.nooks.get(nookId);
        if (nook === undefined) refuse(`no nook '${nookId}' on your map`);
        message.nookId = nookId;
        const inside = space.playersOn(map.id).filter((p) => nook.tiles.some((t) => t.x === p.x && t.y === p.y)).map((p) => p.id);
        if (!inside.includes(player.id)) refuse("you are not in that nook");
        direct(inside);
      } else if (kind === "DM") {
        const other = playerNamed(space, connection, recipient, "chatRecipient");
        direct([other.player.id, player.id]);
      } else if (Array.isArray(localPlayerIds) && localPlayerIds.length > 0) {
        const nearby = localPlayerIds.filter((other: string) => space.byId(other)?.player.mapId === map.id && !space.blocked(connection, space.byId(other)!));
        direct([...nearby, player.id]);
      } else {
        space.toMap(map.id, { playerChats: message });
        space.logChat(map.id, message);
      }
    },
  },

  chatMessageUpdated: {
    role: "guest",
    event: "`playerEditsChatMessage { id, likes }` to the map",
    does: "Likes a recent line of your map's chat (again: unlikes); newcomers see the count.",
    handle(space, connection, { id }) {
      const mapId = connection.player.mapId;
      const line = mapId === undefined ? undefined : space.chatLog.get(mapId)?.find((l) => l.message.id === id);
      if (line === undefined) refuse(`no recent chat line '${String(id).slice(0, LIMITS.id)}' on your map`);
      const me = connection.player.id;
      if (line.likedBy.has(me)) line.likedBy.delete(me);
      else line.likedBy.add(me);
      space.toMap(mapId!, { playerEditsChatMessage: { id, likes: line.likedBy.size } });
    },
  },
};
