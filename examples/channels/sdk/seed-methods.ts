/**
 * Seed 001's `Moobius` methods, each with the SDK method that implements it
 * and how it works here. The README's table is generated from this list
 * (`npx tsx examples/channels/sdk/seed-methods.ts`), and a test checks that
 * every seed method has a row and every row names a real method.
 *
 * @module
 */
import { pathToFileURL } from "node:url";

/** One seed method: its Python name, the SDK's name, its group, and a note on how it works here. */
export interface SeedMethod {
  seed: string;
  sdk: string;
  group: string;
  note: string;
}

const M = (group: string, seed: string, sdk: string, note: string): SeedMethod => ({ seed, sdk, group, note });

export const SEED_METHODS: readonly SeedMethod[] = [
  M("lifecycle", "start", "start", "authenticate → connect → bind/join → heartbeats and token refresh → `onStart` → `beforeChannelInit`, `onChannelInit` per channel → the wand's loop; resolves then (`stop()` ends it)"),
  M("lifecycle", "listen_loop", "listenLoop", "reads `wand.spell(obj)`s in order into `onSpell` until `stop()` (bounded queue)"),
  M("lifecycle", "true_channel_list", "trueChannelList", "the configured `channels`, else those already bound to the service"),
  M("lifecycle", "user_join_service_channels", "userJoinServiceChannels", "user mode: joins a config's `channels` (object or JSON file), default the options'"),
  M("lifecycle", "before_channel_init", "beforeChannelInit", "callback, once before the channels' `onChannelInit`"),
  M("lifecycle", "on_channel_init", "onChannelInit", "callback per channel at start; default: `onChannelCheckin`"),
  M("lifecycle", "on_channel_checkin", "onChannelCheckin", "default: `doMemberSync` for every member"),
  M("lifecycle", "do_member_sync", "doMemberSync", "default: the channel's characters to that member; override to add buttons, menu, canvas"),
  M("lifecycle", "on_start", "onStart", "callback; inbound frames wait for it"),
  M("lifecycle", "on_spell", "onSpell", "callback for each wand spell"),
  M("accounts", "authenticate", "authenticate", "`POST /api/sign_in`; resolves `[access, refresh]`"),
  M("accounts", "refresh_authentication", "refreshAuthentication", "`POST /api/refresh`: a new access token, sockets stay; also hourly while started"),
  M("accounts", "sign_up", "signUp", "`POST /api/sign_up` with the options' name, password and mode"),
  M("accounts", "sign_out", "signOut", "`stop()`, then `POST /api/sign_out` (the platform closes that session's sockets: 4401)"),
  M("accounts", "create_new_service", "createNewService", "`POST /api/services/create`; the SDK runs as the new service from then on"),
  M("accounts", "update_current_user", "updateCurrentUser", "`POST /api/me/update` (a local avatar is uploaded first)"),
  M("accounts", "update_agent", "updateAgent", "`POST /api/agents/<id>/update` (a local avatar is uploaded first)"),
  M("accounts", "send_service_login", "sendServiceLogin", "`service_login` frame; sent after every connect"),
  M("accounts", "send_user_login", "sendUserLogin", "`user_login` frame; sent after every connect"),
  M("accounts", "send_heartbeat", "sendHeartbeat", "`heartbeat` frame now; `WSClient` also sends one every `heartbeatMs`"),
  M("channels", "create_channel", "createChannel", "`POST /api/channels/create`, bound unless `bind` is false; resolves the id"),
  M("channels", "update_channel", "updateChannel", "`update` `channel_info` frame; every member hears it"),
  M("channels", "bind_service_to_channel", "bindServiceToChannel", "`POST /api/channels/<id>/bind`; resolves true/false rather than throwing"),
  M("channels", "unbind_service_from_channel", "unbindServiceFromChannel", "`POST /api/channels/<id>/unbind`"),
  M("channels", "fetch_channel_list", "fetchChannelList", "`GET /api/channels`: every channel id"),
  M("channels", "fetch_popular_channels", "fetchPopularChannels", "`GET /api/popular_channels`: ids by member count"),
  M("channels", "fetch_service_id_each_channel", "fetchServiceIdEachChannel", "`GET /api/channel_bindings`: `{channel id: service id}`"),
  M("channels", "fetch_bound_channels", "fetchBoundChannels", "`GET /api/services/<id>/channels`"),
  M("channels", "fetch_service_id_list", "fetchServiceIdList", "`GET /api/services`: the account's service ids"),
  M("characters", "create_agent", "createAgent", "`POST /api/agents/create`: a bot character of this service"),
  M("characters", "fetch_agents", "fetchAgents", "`GET /api/agents`"),
  M("characters", "fetch_characters", "fetchCharacters", "`GET /api/channels/<id>/characters`: members and this service's agents"),
  M("characters", "fetch_member_ids", "fetchMemberIds", "`GET /api/channels/<id>/members`; `raiseEmptyListErr` throws on none"),
  M("characters", "fetch_character_profile", "fetchCharacterProfile", "`GET /api/characters?ids=`: one Character, or a list for a list"),
  M("groups", "create_service_group", "createServiceGroup", "`POST /api/groups/create`: resolves `{group_id, characters}`"),
  M("groups", "create_channel_group", "createChannelGroup", "`POST /api/groups/create` with `channel_id` and `group_name`: resolves the id"),
  M("groups", "character_ids_of_channel_group", "characterIdsOfChannelGroup", "`GET /api/groups/<id>` (a list passes through; `\"service\"` or nothing gives [])"),
  M("groups", "character_ids_of_service_group", "characterIdsOfServiceGroup", "`GET /api/groups/<id>`; falsy input gives []"),
  M("groups", "fetch_channel_group_list", "fetchChannelGroupList", "`GET /api/channels/<id>/groups`: this service's channel groups"),
  M("groups", "fetch_channel_temp_group", "fetchChannelTempGroup", "`GET /api/channels/<id>/groups?temporary=true`: the service groups it used there"),
  M("groups", "fetch_user_from_group", "fetchUserFromGroup", "unimplemented in the seed; here: the user's Character if the group holds it, else a throw"),
  M("groups", "fetch_target_group", "fetchTargetGroup", "unimplemented in the seed; here: the group's data and `includes_user`"),
  M("history and files", "fetch_message_history", "fetchMessageHistory", "`GET /api/channels/<id>/history`; `limit` 1024 by default, cut to the platform's page (200)"),
  M("history and files", "upload", "upload", "`POST /api/upload`: resolves the file's path"),
  M("history and files", "download", "download", "a URL, path or message's file to a file (or bytes); `headers: \"self\"` sends the credentials; 64 MiB bound"),
  M("sending", "send", "send", "any frame; every send takes `dryRun` and resolves with the frame"),
  M("sending", "send_message", "sendMessage", "`message_down` (service) / `message_up` (user): text, image, audio, file, card; a local file is uploaded first"),
  M("sending", "send_update", "sendUpdate", "a generic `update` frame"),
  M("sending", "send_characters", "sendCharacters", "`update` `characters` (also `sendButtons`, `sendMenu`)"),
  M("sending", "send_style", "sendStyle", "`update` `style` (one item becomes a list)"),
  M("sending", "send_canvas", "sendCanvas", "`update` `canvas`"),
  M("sending", "send_join_channel", "sendJoinChannel", "user mode: `action` `join_channel` (a second join is a refresh for the service)"),
  M("sending", "send_leave_channel", "sendLeaveChannel", "user mode: `action` `leave_channel`"),
  M("sending", "send_refresh", "sendRefresh", "user mode: `action` `refresh` (also `sendButtonClick`, `sendMenuItemClick`)"),
  M("receiving", "handle_received_payload", "handleReceivedPayload", "decodes a frame and calls the callback for its type, one at a time, in order"),
  M("receiving", "on_action", "onAction", "dispatches to `onJoin`, `onLeave`, `onButtonClick`, `onMenuItemClick`, `onRefresh`"),
  M("receiving", "on_update", "onUpdate", "user mode: dispatches to the `onUpdate*` callbacks"),
  M("receiving", "on_message_up", "onMessageUp", "callback"),
  M("receiving", "on_join", "onJoin", "callback: a new member"),
  M("receiving", "on_leave", "onLeave", "callback"),
  M("receiving", "on_refresh", "onRefresh", "callback: a member asked for a resync, or joined again (a reload)"),
  M("receiving", "on_copy_client", "onCopyClient", "callback for each `copy`; a refused login signs in again first"),
  M("receiving", "on_unknown_payload", "onUnknownPayload", "callback"),
  M("receiving", "on_message_down", "onMessageDown", "user mode callback"),
  M("receiving", "on_update_characters", "onUpdateCharacters", "user mode callback (also `onUpdateButtons`, `onUpdateMenu`, `onUpdateServiceStatus`)"),
  M("receiving", "on_update_channel_info", "onUpdateChannelInfo", "user mode callback"),
  M("receiving", "on_update_canvas", "onUpdateCanvas", "user mode callback"),
  M("receiving", "on_update_style", "onUpdateStyle", "user mode callback"),
];

/** The README's table: one row per seed method. */
export function seedMethodTable(): string {
  const rows = SEED_METHODS.map((m) => `| ${m.group} | \`${m.seed}\` | \`${m.sdk}\` | ${m.note} |`);
  return ["| group | seed 001 (Python) | SDK (TypeScript) | here |", "|---|---|---|---|", ...rows].join("\n");
}

// Run directly: print the table (paste it into the README between the seed-table markers).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(seedMethodTable());
}
