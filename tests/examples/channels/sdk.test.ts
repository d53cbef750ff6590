/**
 * The SDK: the demo service (in process, over real sockets) driven by
 * user-mode programs on the same SDK; and the service as a separate
 * process that is killed and restarted while users stay connected.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";

import { startDemo, type Demo } from "../../../examples/channels/run.js";
import { ensureServiceAccount } from "../../../examples/channels/demo-service.js";
import { HttpApi, Moobius, type MessageBody, type Update } from "../../../examples/channels/sdk/index.js";
import { Platform } from "./helpers.js";

type Event = { kind: string; data: any };

/** A user-mode program that records what it hears. */
class Listener extends Moobius {
  readonly events: Event[] = [];
  readonly #waiters = new Set<() => void>();

  #push(kind: string, data: unknown): void {
    this.events.push({ kind, data });
    for (const wake of this.#waiters) wake();
  }

  override async onMessageDown(message: MessageBody) {
    this.#push("message", message);
  }
  override async onUpdateButtons(update: Update) {
    this.#push("buttons", update);
  }
  override async onUpdateCanvas(update: Update) {
    this.#push("canvas", update);
  }
  override async onUpdateCharacters(update: Update) {
    this.#push("characters", update);
  }
  override async onUpdateMenu(update: Update) {
    this.#push("menu", update);
  }
  override async onUpdateServiceStatus(update: Update) {
    this.#push("status", update);
  }

  /** Takes the first event of `kind` matching `test`, waiting for it. */
  async next(kind: string, test: (data: any) => boolean = () => true, timeoutMs = 10_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e) => e.kind === kind && test(e.data));
      if (index >= 0) return this.events.splice(index, 1)[0]!.data;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${kind} event within ${timeoutMs} ms; have ${JSON.stringify(this.events).slice(0, 1500)}`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }
}

let counter = 0;
/** A fresh user account, started in user mode on `channels`. */
async function listener(httpUrl: string, channels: string[]): Promise<Listener> {
  const username = `person${++counter}`;
  await new HttpApi(httpUrl).signUp(username, "a long password", "user");
  const user = new Listener({ httpUrl, username, password: "a long password", mode: "user", channels, reconnect: { initialDelayMs: 50, maxDelayMs: 500 } });
  await user.start();
  return user;
}

const text = (m: MessageBody) => m.content.text ?? "";

describe("the demo service in process", () => {
  let demo: Demo;
  const users: Listener[] = [];
  before(async () => {
    demo = await startDemo(0, "127.0.0.1", { authRate: false });
  });
  after(async () => {
    for (const user of users) await user.stop();
    await demo.close();
  });

  it("welcomes members, lists them with the bot, and gives the host one more button", async () => {
    const [lobby] = demo.channels;
    const host = await listener(demo.httpUrl, [lobby!]);
    users.push(host);
    assert.match(text(await host.next("message", (m) => /Welcome/.test(text(m)))), /Welcome, person\d+/);
    const guest = await listener(demo.httpUrl, [lobby!]);
    users.push(guest);
    const hostButtons = await host.next("buttons");
    const guestButtons = await guest.next("buttons");
    assert.deepEqual(hostButtons.content.map((b: any) => b.button_id), ["survey", "roll", "reset"]);
    assert.deepEqual(guestButtons.content.map((b: any) => b.button_id), ["survey", "roll"]);
    const characters = await guest.next("characters", (u) => u.content.character_list.length === 3);
    assert.ok(characters.content.character_list.some((c: any) => c.name === "Helper Bot"));
    assert.equal((await guest.next("menu")).content[0].menu_item_id, "quote");
  });

  it("shows a message to everyone and the bot answers", async () => {
    const [host, guest] = users;
    await host!.sendMessage("hello <script>", { channelId: demo.channels[0]! });
    const echoed = await guest!.next("message", (m) => text(m) === "hello <script>");
    assert.equal(echoed.sender, host!.clientId);
    const answer = await guest!.next("message", (m) => /said 14 characters/.test(text(m)));
    assert.equal(answer.sender, demo.service.bot!.character_id);
  });

  it("answers a submitted dialog and changes the canvas", async () => {
    const [host, guest] = users;
    await guest!.sendButtonClick(demo.channels[0]!, "survey", [
      { label: "Name", value: "Ada" },
      { label: "Color", value: "blue" },
      { label: "Count", value: "3" },
    ], "send");
    assert.match(text(await host!.next("message", (m) => /^Survey from/.test(text(m)))), /Name=Ada, Color=blue, Count=3/);
    const canvas = await host!.next("canvas", (u) => /likes blue/.test(u.content[0].text));
    assert.match(canvas.content[0].text, /likes blue/);
  });

  it("acts on a context-menu pick", async () => {
    const [host, guest] = users;
    const target = await host!.next("message", (m) => text(m) === "hello <script>");
    await guest!.sendMenuItemClick(demo.channels[0]!, "shout", target);
    assert.match(text(await host!.next("message", (m) => /picked shout/.test(text(m)))), /HELLO <SCRIPT>!/);
  });

  it("sends a card, an image and a file message", async () => {
    const [host] = users;
    const channelId = demo.channels[0]!;
    await host!.sendMessage("card", { channelId });
    const card = await host!.next("message", (m) => m.subtype === "card");
    assert.equal(card.content.title, "A card from the bot");
    await host!.sendMessage("image", { channelId });
    const image = await host!.next("message", (m) => m.subtype === "image");
    const res = await fetch(demo.httpUrl + image.content.path);
    assert.equal(res.headers.get("content-type"), "image/png");
    assert.equal((await res.arrayBuffer()).byteLength > 50, true);
    await host!.sendMessage("file", { channelId });
    const file = await host!.next("message", (m) => m.subtype === "file");
    assert.equal(file.content.filename, "notes.txt");
  });

  it("fetches characters, member ids and history over HTTP", async () => {
    const channelId = demo.channels[0]!;
    const members = await demo.service.fetchMemberIds(channelId);
    assert.deepEqual(new Set(members), new Set(users.map((u) => u.clientId)));
    const characters = await demo.service.fetchCharacters(channelId);
    assert.equal(characters.length, 3);
    const history = await demo.service.fetchMessageHistory(channelId, 200);
    assert.ok(history.some((m) => text(m) === "hello <script>"));
    const mine = await users[1]!.fetchMessageHistory(channelId, 5);
    assert.equal(mine.length, 5);
  });

  it("renames a channel with updateChannel and creates channels", async () => {
    const [host] = users;
    const renamed = new Promise<Update>((resolve) => {
      host!.onUpdateChannelInfo = async (update) => resolve(update);
    });
    await demo.service.updateChannel(demo.channels[0]!, "Main hall", "renamed by the service");
    assert.equal((await renamed).content.channel_name, "Main hall");
    const created = await demo.service.createChannel("Extra", "made by the SDK");
    assert.equal((await demo.service.http.fetchChannel(created)).channel_name, "Extra");
  });
});

describe("the demo service as a separate process", () => {
  let platform: Platform;
  let child: ChildProcess | undefined;
  const DEMO = fileURLToPath(new URL("../../../examples/channels/demo-service.ts", import.meta.url));

  const spawnService = (channelId: string) =>
    new Promise<ChildProcess>((resolve, reject) => {
      const proc = spawn(process.execPath, ["--import", "tsx", DEMO, platform.base, "restarting_service", "a long password", channelId], { stdio: ["ignore", "pipe", "inherit"] });
      proc.stdout!.on("data", (chunk) => {
        if (String(chunk).includes("demo service")) resolve(proc);
      });
      proc.once("exit", (code) => reject(new Error(`demo service exited with ${code}`)));
    });

  before(async () => {
    platform = await Platform.start();
  });
  after(async () => {
    child?.kill("SIGKILL");
    await platform.close();
  });

  it("keeps users connected through a crash and a restart, and serves them again", async () => {
    await ensureServiceAccount(platform.base, "restarting_service", "a long password");
    const api = new HttpApi(platform.base);
    await api.signIn("restarting_service", "a long password");
    const channelId = (await api.createChannel("Crashy", "its service restarts", true)).channel_id;
    child = await spawnService(channelId);
    const user = await listener(platform.base, [channelId]);
    try {
      await user.next("message", (m) => /Welcome/.test(text(m)));
      child.kill("SIGKILL");
      const offline = await user.next("status", (u) => u.content.online === false);
      assert.equal(offline.channel_id, channelId);
      assert.equal(user.ws.connected, true);
      user.events.length = 0;
      child = await spawnService(channelId);
      await user.next("status", (u) => u.content.online === true);
      // onChannelInit after the restart gives the member its buttons again.
      assert.deepEqual((await user.next("buttons")).content.map((b: any) => b.button_id), ["survey", "roll", "reset"]);
      await user.sendMessage("back?", { channelId });
      assert.match(text(await user.next("message", (m) => /said 5 characters/.test(text(m)))), /"back\?"/);
    } finally {
      await user.stop();
    }
  });
});
