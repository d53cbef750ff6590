/**
 * Seed 001's `Moobius` class, method by method: every one of its 68
 * methods is on the SDK, the README's table has a row for each (and only
 * real methods), and each group of methods works against the real platform
 * over real sockets: a service and a user-mode program on the SDK.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { HttpApi, Moobius, SEED_METHODS, seedMethodTable, type Action, type Copy, type MessageBody, type Update } from "../../../examples/channels/sdk/index.js";
import { Platform } from "./helpers.js";

/** The 68 methods of seed 001's `Moobius` class, in the seed's order. */
const SEED_001 = [
  "true_channel_list", "create_new_service", "start", "user_join_service_channels", "fetch_service_id_each_channel", "fetch_bound_channels",
  "fetch_characters", "send_message", "send", "create_channel", "send_canvas", "send_heartbeat", "send_refresh", "do_member_sync",
  "before_channel_init", "on_channel_checkin", "send_service_login", "refresh_authentication", "authenticate", "sign_up", "sign_out",
  "update_current_user", "update_agent", "update_channel", "bind_service_to_channel", "unbind_service_from_channel", "create_agent",
  "fetch_popular_channels", "fetch_channel_list", "fetch_member_ids", "fetch_character_profile", "fetch_service_id_list", "fetch_agents",
  "fetch_message_history", "upload", "download", "create_channel_group", "create_service_group", "character_ids_of_channel_group",
  "character_ids_of_service_group", "fetch_channel_temp_group", "fetch_channel_group_list", "fetch_user_from_group", "fetch_target_group",
  "send_user_login", "send_update", "send_characters", "send_style", "send_join_channel", "send_leave_channel", "listen_loop",
  "handle_received_payload", "on_action", "on_update", "on_start", "on_channel_init", "on_spell", "on_message_up", "on_copy_client",
  "on_refresh", "on_join", "on_leave", "on_unknown_payload", "on_message_down", "on_update_characters", "on_update_channel_info",
  "on_update_canvas", "on_update_style",
];

const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const README = fileURLToPath(new URL("../../../examples/channels/README.md", import.meta.url));

describe("seed 001 coverage", () => {
  it("lists 68 seed methods, each mapped to a method of the SDK's Moobius", () => {
    assert.equal(SEED_001.length, 68);
    assert.deepEqual([...SEED_METHODS.map((m) => m.seed)].sort(), [...SEED_001].sort());
    for (const name of SEED_001) {
      const mapped = SEED_METHODS.find((m) => m.seed === name)!;
      assert.equal(mapped.sdk, camel(name), `${name} is ${camel(name)} in camelCase`);
      assert.equal(typeof (Moobius.prototype as unknown as Record<string, unknown>)[mapped.sdk], "function", `Moobius.${mapped.sdk} (${name})`);
    }
  });

  it("has the README table regenerated from the code: a row per seed method, each naming a real method", async () => {
    const readme = await readFile(README, "utf8");
    const table = /<!-- seed-table:start -->\n([\s\S]*?)\n<!-- seed-table:end -->/.exec(readme)?.[1];
    assert.ok(table, "the README has the seed-table markers");
    assert.equal(table, seedMethodTable(), "regenerate with: npx tsx examples/channels/sdk/seed-methods.ts");
    const rows = table.split("\n").slice(2).map((row) => /^\| [^|]+ \| `(\w+)` \| `(\w+)` \|/.exec(row));
    assert.deepEqual(rows.map((r) => r?.[1]).sort(), [...SEED_001].sort());
    for (const row of rows) assert.equal(typeof (Moobius.prototype as unknown as Record<string, unknown>)[row![2]!], "function", row![2]);
  });
});

type Event = { kind: string; data: any };

/** A Moobius (service or user mode) that records every callback. */
class Recorder extends Moobius {
  readonly events: Event[] = [];
  readonly #waiters = new Set<() => void>();

  push(kind: string, data?: unknown): void {
    this.events.push({ kind, data });
    for (const wake of this.#waiters) wake();
  }

  override async onStart() { this.push("start"); }
  override async beforeChannelInit() { this.push("beforeChannelInit"); }
  override async onChannelInit(channelId: string) { this.push("channelInit", channelId); await super.onChannelInit(channelId); }
  override async onSpell(obj: unknown) { this.push("spell", obj); }
  override async onMessageUp(m: MessageBody) { this.push("messageUp", m); }
  override async onJoin(a: Action) { this.push("join", a); }
  override async onLeave(a: Action) { this.push("leave", a); }
  override async onRefresh(a: Action) { this.push("refresh", a); }
  override async onButtonClick(a: Action) { this.push("buttonClick", a); }
  override async onCopyClient(c: Copy) { this.push("copy", c); }
  override async onUnknownPayload(p: unknown) { this.push("unknown", p); }
  override async onMessageDown(m: MessageBody) { this.push("messageDown", m); }
  override async onUpdateCharacters(u: Update) { this.push("characters", u); }
  override async onUpdateChannelInfo(u: Update) { this.push("channelInfo", u); }
  override async onUpdateCanvas(u: Update) { this.push("canvas", u); }
  override async onUpdateStyle(u: Update) { this.push("style", u); }

  /** Waits `ms`, then takes every event of `kind` that arrived. */
  async drain(kind: string, ms = 200): Promise<unknown[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    const taken = this.events.filter((e) => e.kind === kind);
    for (const e of taken) this.events.splice(this.events.indexOf(e), 1);
    return taken.map((e) => e.data);
  }

  /** Takes the first event of `kind` matching `test`, waiting up to 5 s. */
  async next(kind: string, test: (data: any) => boolean = () => true): Promise<any> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const index = this.events.findIndex((e) => e.kind === kind && test(e.data));
      if (index >= 0) return this.events.splice(index, 1)[0]!.data;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind} within 5 s; have ${JSON.stringify(this.events.map((e) => e.kind))}`);
      await new Promise<void>((resolve) => {
        const wake = () => (clearTimeout(timer), this.#waiters.delete(wake), resolve());
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }
}

describe("seed 001's methods against the platform", () => {
  let platform: Platform;
  let service: Recorder;
  let user: Recorder;
  let channelId: string;
  let dir: string;
  const password = "a long password";
  const reconnect = { initialDelayMs: 50, maxDelayMs: 500 };

  before(async () => {
    platform = await Platform.start();
    dir = await mkdtemp(join(tmpdir(), "channels-seed-"));
    service = new Recorder({ httpUrl: platform.base, username: "seed_service", password, reconnect });
    await service.signUp();
    channelId = await (async () => {
      const api = new HttpApi(platform.base);
      await api.signIn("seed_service", password);
      return (await api.createChannel("Seed", "seed 001's methods", true)).channel_id;
    })();
    service = new Recorder({ httpUrl: platform.base, username: "seed_service", password, reconnect, channels: [channelId] });
    await service.start();
    service.defaultSender = (await service.createAgent("Seed Bot")).character_id;
    const config = join(dir, "service.json");
    await writeFile(config, JSON.stringify({ channels: [channelId] }));
    user = new Recorder({ httpUrl: platform.base, username: "seed_user", password, mode: "user", reconnect });
    await user.signUp();
    await user.start();
    assert.deepEqual(await user.userJoinServiceChannels(config), [channelId]);
    await service.next("join", (a) => a.sender === user.clientId);
  });

  after(async () => {
    await user?.stop();
    await service?.stop();
    await platform?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lifecycle: start's steps in order, the channel list, check-in and member sync, the wand", async () => {
    const steps = service.events.filter((e) => ["start", "beforeChannelInit", "channelInit"].includes(e.kind));
    assert.deepEqual(steps.map((e) => e.kind), ["start", "beforeChannelInit", "channelInit"]);
    assert.deepEqual(await service.trueChannelList(), [channelId]);
    await service.onChannelCheckin(channelId); // doMemberSync for each member: the user hears the characters
    const characters = await user.next("characters");
    assert.ok(characters.content.characters.includes(user.clientId));
    assert.ok(characters.content.characters.includes(service.defaultSender));
    await service.doMemberSync(channelId, { character_id: user.clientId, name: "x" });
    await user.next("characters");
    service.wand.spell("abracadabra");
    service.wand.spell({ n: 2 });
    assert.equal(await service.next("spell"), "abracadabra");
    assert.deepEqual(await service.next("spell"), { n: 2 });
  });

  it("accounts: tokens and their refresh, logins and heartbeats as frames, profiles, a second service, sign-up and sign-out", async () => {
    const [access, refresh] = await user.authenticate();
    assert.equal(typeof refresh, "string");
    const fresh = await user.refreshAuthentication();
    assert.notEqual(fresh, access);
    assert.equal((await platform.api("/api/channels", { token: access })).status, 401);
    const login = await user.sendUserLogin();
    assert.equal((await user.next("copy", (c) => c.request_id === login.request_id)).status, true);
    const heartbeat = await service.sendHeartbeat();
    assert.equal((await service.next("copy", (c) => c.request_id === heartbeat.request_id)).status, true);
    assert.equal((await service.sendServiceLogin(true)).service_id, service.clientId);
    const me = await user.updateCurrentUser(undefined, "a tester", "Seedling");
    assert.equal(me.name, "Seedling");
    const agent = await service.updateAgent(service.defaultSender!, undefined, "renamed", "Seed Bot II");
    assert.equal(agent.name, "Seed Bot II");
    const other = new Moobius({ httpUrl: platform.base, username: "seed_other", password });
    await other.signUp();
    await other.authenticate();
    const first = other.clientId;
    const second = await other.createNewService("a second service");
    assert.notEqual(second, first);
    assert.equal(other.clientId, second);
    assert.deepEqual(new Set(await other.fetchServiceIdList()), new Set([first, second]));
    await other.signOut();
    assert.equal(other.http.token, undefined);
  });

  it("channels: create, rename, bind and unbind, the lists and who is bound where", async () => {
    const extra = await service.createChannel("Extra", "made by the SDK");
    assert.ok((await service.fetchChannelList()).includes(extra));
    assert.deepEqual(new Set(await service.fetchBoundChannels()), new Set([channelId, extra]));
    assert.equal((await service.fetchServiceIdEachChannel())[extra], service.clientId);
    assert.equal((await service.fetchPopularChannels())[0], channelId); // the one with a member
    await service.unbindServiceFromChannel(extra);
    assert.equal((await service.fetchServiceIdEachChannel())[extra], undefined);
    assert.equal(await service.bindServiceToChannel(extra), true);
    assert.equal(await service.bindServiceToChannel("c_no_such_channel"), false);
    await service.updateChannel(channelId, "Seed hall", "renamed");
    assert.equal((await user.next("channelInfo")).content.channel_name, "Seed hall");
  });

  it("characters: agents, the channel's characters and members, profiles", async () => {
    const agents = await service.fetchAgents();
    assert.ok(agents.some((a) => a.character_id === service.defaultSender));
    const characters = await service.fetchCharacters(channelId);
    assert.deepEqual(new Set(characters.map((c) => c.character_id)), new Set([user.clientId, ...agents.map((a) => a.character_id)]));
    assert.deepEqual(await service.fetchMemberIds(channelId), [user.clientId]);
    const empty = await service.createChannel("Empty", "");
    await assert.rejects(service.fetchMemberIds(empty, true), /no members/);
    assert.equal((await service.fetchCharacterProfile(user.clientId)).character_id, user.clientId);
    assert.equal((await service.fetchCharacterProfile([user.clientId, service.defaultSender!])).length, 2);
  });

  it("groups: service and channel groups, their ids and members, the channel's lists, one user in a group", async () => {
    const group = await service.createServiceGroup([user.clientId]);
    assert.deepEqual(await service.characterIdsOfServiceGroup(group.group_id), [user.clientId]);
    assert.deepEqual(await service.characterIdsOfServiceGroup(undefined), []);
    await service.sendCanvas({ text: "to the group" }, channelId, group.group_id);
    assert.equal((await user.next("canvas")).content[0].text, "to the group");
    assert.deepEqual((await service.fetchChannelTempGroup(channelId)).map((g) => g.group_id), [group.group_id]);
    const named = await service.createChannelGroup(channelId, "players", [user.clientId, service.defaultSender!]);
    assert.deepEqual((await service.fetchChannelGroupList(channelId)).map((g) => [g.group_id, g.name]), [[named, "players"]]);
    assert.deepEqual(await service.characterIdsOfChannelGroup(user.clientId, channelId, named), [user.clientId, service.defaultSender]);
    assert.deepEqual(await service.characterIdsOfChannelGroup(user.clientId, channelId, "service"), []);
    assert.equal((await service.fetchUserFromGroup(user.clientId, channelId, named)).character_id, user.clientId);
    await assert.rejects(service.fetchUserFromGroup("u_stranger", channelId, named), /not in group/);
    const target = await service.fetchTargetGroup(user.clientId, channelId, named);
    assert.equal(target.name, "players");
    assert.equal(target.includes_user, true);
  });

  it("history and files: history with the seed's default limit, upload and download", async () => {
    await service.sendMessage("for the record", { channelId, recipients: [user.clientId] });
    await user.next("messageDown", (m) => m.content.text === "for the record");
    const history = await user.fetchMessageHistory(channelId);
    assert.ok(history.some((m) => m.content.text === "for the record"));
    const local = join(dir, "note.txt");
    await writeFile(local, "seed file");
    const path = await service.upload(local);
    assert.match(path, /^\/files\//);
    assert.equal(Buffer.from((await service.download(path, { bytes: true })) as Uint8Array).toString(), "seed file");
    const saved = (await service.download({ content: { path } }, { autoDir: dir })) as string;
    assert.equal(await readFile(saved, "utf8"), "seed file");
  });

  it("sending: send and every send* resolve with the frame; dryRun sends nothing", async () => {
    const dry = await service.sendMessage("not sent", { channelId, recipients: [user.clientId], dryRun: true });
    assert.equal(dry.type, "message_down");
    assert.equal((dry.body.content as { text: string }).text, "not sent");
    const sent = await service.sendMessage({ channelId, recipients: [user.clientId], link: "https://example.com/", title: "A card" });
    assert.equal(sent.body.subtype, "card");
    assert.equal((await user.next("messageDown")).content.title, "A card");
    assert.deepEqual(await user.drain("messageDown"), []); // the dry run never arrived
    const style = await service.sendStyle({ widget: "canvas", display: "highlight" }, channelId, [user.clientId]);
    assert.deepEqual(style.body.content, [{ widget: "canvas", display: "highlight" }]);
    assert.equal((await user.next("style")).content[0].display, "highlight");
    await service.sendCharacters([user.clientId], channelId, [user.clientId]);
    await user.next("characters");
    const generic = await service.sendUpdate({ subtype: "canvas", channel_id: channelId, content: [{ text: "generic" }], recipients: [user.clientId] });
    assert.equal(generic.type, "update");
    assert.equal((await user.next("canvas")).content[0].text, "generic");
    const raw = await service.send("heartbeat", {});
    assert.equal((await service.next("copy", (c) => c.request_id === raw.request_id)).status, true);
    await user.sendRefresh(channelId);
    await service.next("refresh", (a) => a.sender === user.clientId);
    await user.sendJoinChannel(channelId); // again: a refresh for the service, not a join
    await service.next("refresh", (a) => a.sender === user.clientId);
    await user.sendLeaveChannel(channelId);
    await service.next("leave", (a) => a.sender === user.clientId);
    await user.sendJoinChannel(channelId);
    await service.next("join", (a) => a.sender === user.clientId);
  });

  it("receiving: frames dispatched by type, actions and updates by subtype, unknown ones caught", async () => {
    const up = await user.sendMessage("up to the service", { channelId });
    assert.equal(up.type, "message_up");
    assert.equal((await service.next("messageUp")).content.text, "up to the service");
    await user.sendButtonClick(channelId, "b1", [], "cancel");
    assert.equal((await service.next("buttonClick")).bottom_button_id, "cancel");
    await service.handleReceivedPayload(JSON.stringify({ type: "mystery", body: {} }));
    assert.equal((await service.next("unknown")).type, "mystery");
    await service.onAction({ subtype: "teleport", channel_id: channelId, sender: "x", context: {} });
    assert.equal((await service.next("unknown")).subtype, "teleport");
    await user.onUpdate({ subtype: "style", channel_id: channelId, content: [] });
    await user.next("style");
    await user.handleReceivedPayload("{not json");
    assert.equal(await user.next("unknown"), "{not json");
  });
});
