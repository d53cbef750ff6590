/**
 * The demo service: one program on the SDK that shows every feature of the
 * platform. A bot agent answers messages; buttons open a dialog (text,
 * dropdown, number); a context menu acts on messages; a canvas changes with
 * what happens; `card`, `image` and `file` get those kinds of messages; the
 * first member of a channel (its host) sees one more button than the others.
 *
 * Run alone against a platform: `npx tsx examples/channels/demo-service.ts
 * http://127.0.0.1:8000 <username> <password> <channel id>…` (the account is
 * created if it does not exist). `npm run channels` starts both.
 *
 * @module
 */
import { pathToFileURL } from "node:url";

import { ApiError, HttpApi, Moobius, type Action, type Character, type MessageBody, type MoobiusOptions } from "./sdk/index.js";

/** A 16×16 PNG (blue and orange squares), uploaded for the `image` message. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAIUlEQVR4nGOQz3+NFX3tlsOKGEY10EQDLglcBo1qoIkGAMgDi5DWB4vOAAAAAElFTkSuQmCC", "base64");

/** The survey dialog: a text field, a dropdown and a number. */
const SURVEY = {
  button_id: "survey",
  button_text: "Survey",
  dialog: {
    title: "A short survey",
    components: [
      { label: "Name", type: "text", required: true, placeholder: "Your name" },
      { label: "Color", type: "dropdown", choices: ["red", "green", "blue"], required: true },
      { label: "Count", type: "number", placeholder: "1-10" },
    ],
    bottom_buttons: [
      { id: "send", text: "Send", submit: true },
      { id: "cancel", text: "Cancel", submit: false },
    ],
  },
};
const ROLL = { button_id: "roll", button_text: "Roll a die" };
/** Only the channel's host sees this one. */
const RESET = { button_id: "reset", button_text: "Reset canvas" };
const MENU = [
  { menu_item_id: "quote", menu_item_text: "Quote", message_subtypes: ["text"] },
  { menu_item_id: "shout", menu_item_text: "Shout", message_subtypes: ["text"] },
];

export class DemoService extends Moobius {
  /** The bot agent. */
  bot: Character | undefined;
  readonly #hosts = new Map<string, string>();
  readonly #canvas = new Map<string, { version: number; text: string }>();
  readonly #names = new Map<string, string>();
  #imagePath: string | undefined;

  override async onStart(): Promise<void> {
    this.bot = (await this.fetchAgents()).find((agent) => agent.name === "Helper Bot") ?? (await this.createAgent("Helper Bot", undefined, "The demo service's bot"));
    this.defaultSender = this.bot.character_id;
  }

  /** At start (and after a restart): everyone already in the channel gets the full picture again (the base class's check-in, plus the host). */
  override async onChannelInit(channelId: string): Promise<void> {
    const members = await this.fetchMemberIds(channelId);
    if (members.length > 0 && !this.#hosts.has(channelId)) this.#hosts.set(channelId, members[0]!);
    await this.#sendCharacters(channelId, members);
    for (const member of members) await this.doMemberSync(channelId, member);
  }

  /** What one member sees: buttons (the host gets one more), the menu, the canvas and its style (seed 001's `do_member_sync`). */
  override async doMemberSync(channelId: string, character: string | Character): Promise<void> {
    const member = typeof character === "string" ? character : character.character_id;
    const buttons = this.#hosts.get(channelId) === member ? [SURVEY, ROLL, RESET] : [SURVEY, ROLL];
    await this.sendButtons(buttons, channelId, [member]);
    await this.sendMenu(MENU, channelId, [member]);
    await this.sendCanvas({ text: this.#canvasOf(channelId).text }, channelId, [member]);
    await this.sendStyle({ widget: "canvas", display: "visible", expand: true }, channelId, [member]);
  }

  override async onJoin(action: Action): Promise<void> {
    const channelId = action.channel_id;
    if (!this.#hosts.has(channelId)) this.#hosts.set(channelId, action.sender);
    const members = await this.fetchMemberIds(channelId);
    await this.#sendCharacters(channelId, members);
    await this.doMemberSync(channelId, action.sender);
    await this.sendMessage(`Welcome, ${await this.#name(channelId, action.sender)}! Try the buttons, right-click a message, or type "card", "image" or "file".`, { channelId, recipients: members });
  }

  override async onLeave(action: Action): Promise<void> {
    const members = await this.fetchMemberIds(action.channel_id);
    if (this.#hosts.get(action.channel_id) === action.sender) this.#hosts.delete(action.channel_id);
    await this.#sendCharacters(action.channel_id, members);
  }

  override async onRefresh(action: Action): Promise<void> {
    await this.#sendCharacters(action.channel_id, await this.fetchMemberIds(action.channel_id));
    await this.doMemberSync(action.channel_id, action.sender);
  }

  /** Shows the message to everyone (as its author), then the bot answers. */
  override async onMessageUp(message: MessageBody): Promise<void> {
    const channelId = message.channel_id;
    const members = await this.fetchMemberIds(channelId);
    await this.sendMessage({ channelId, recipients: members, sender: message.sender, subtype: message.subtype, ...message.content, ...(message.content.path === undefined ? {} : { path: message.content.path }) });
    const text = (message.content.text ?? "").trim();
    const command = text.toLowerCase();
    if (command === "card") {
      await this.sendMessage({ channelId, recipients: members, link: "https://github.com/", title: "A card from the bot", button: "Open" });
    } else if (command === "image") {
      this.#imagePath ??= (await this.http.upload(PNG, "squares.png", "image/png")).path;
      await this.sendMessage({ channelId, recipients: members, image: this.#imagePath });
    } else if (command === "file") {
      const uploaded = await this.http.upload(Buffer.from("Notes from the demo service.\n"), "notes.txt", "text/plain");
      await this.sendMessage({ channelId, recipients: members, path: uploaded.path, fileDisplayName: "notes.txt" });
    } else {
      await this.sendMessage(`${await this.#name(channelId, message.sender)} said ${text.length} characters: "${text.slice(0, 200)}"`, { channelId, recipients: members });
    }
  }

  override async onButtonClick(action: Action): Promise<void> {
    const channelId = action.channel_id;
    const members = await this.fetchMemberIds(channelId);
    const who = await this.#name(channelId, action.sender);
    const args = (action.arguments as { label: string; value: string }[] | undefined) ?? [];
    if (action.button_id === "survey") {
      if (action.bottom_button_id === "cancel") {
        await this.sendMessage(`${who} cancelled the survey`, { channelId, recipients: [action.sender] });
        return;
      }
      const answers = args.map((a) => `${a.label}=${a.value}`).join(", ");
      await this.sendMessage(`Survey from ${who}: ${answers}`, { channelId, recipients: members });
      await this.#setCanvas(channelId, members, `Last survey: ${who} likes ${args.find((a) => a.label === "Color")?.value ?? "?"}`);
    } else if (action.button_id === "roll") {
      const roll = 1 + Math.floor(Math.random() * 6);
      await this.sendMessage(`${who} rolled a ${roll}`, { channelId, recipients: members });
      await this.#setCanvas(channelId, members, `Die: ${roll} (rolled by ${who})`);
    } else if (action.button_id === "reset" && this.#hosts.get(channelId) === action.sender) {
      this.#canvas.delete(channelId);
      await this.#setCanvas(channelId, members, "A fresh canvas");
    }
  }

  override async onMenuItemClick(action: Action): Promise<void> {
    const members = await this.fetchMemberIds(action.channel_id);
    const quoted = String((action.message_content as { text?: string } | undefined)?.text ?? "").slice(0, 200);
    const text = action.menu_item_id === "shout" ? `${quoted.toUpperCase()}!` : `> ${quoted}`;
    await this.sendMessage(`${await this.#name(action.channel_id, action.sender)} picked ${action.menu_item_id}: ${text}`, { channelId: action.channel_id, recipients: members });
  }

  async #sendCharacters(channelId: string, members: string[]): Promise<void> {
    if (members.length === 0) return;
    await this.sendCharacters([...members, this.bot!.character_id], channelId, members);
  }

  #canvasOf(channelId: string): { version: number; text: string } {
    let canvas = this.#canvas.get(channelId);
    if (canvas === undefined) this.#canvas.set(channelId, (canvas = { version: 1, text: "Welcome! The canvas changes as you use the buttons." }));
    return canvas;
  }

  async #setCanvas(channelId: string, members: string[], text: string): Promise<void> {
    const canvas = this.#canvasOf(channelId);
    canvas.version++;
    canvas.text = text;
    await this.sendCanvas({ text }, channelId, members);
  }

  async #name(channelId: string, characterId: string): Promise<string> {
    if (!this.#names.has(characterId)) {
      for (const character of await this.fetchCharacters(channelId)) this.#names.set(character.character_id, character.name);
      if (this.#names.size > 10_000) this.#names.clear(); // a bounded cache
    }
    return this.#names.get(characterId) ?? "someone";
  }
}

/** Signs the service account up if it does not exist yet. */
export async function ensureServiceAccount(httpUrl: string, username: string, password: string): Promise<void> {
  try {
    await new HttpApi(httpUrl).signUp(username, password, "service", username);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) throw error;
  }
}

/** Starts the demo service on `channels` (its account created if need be). */
export async function startDemoService(options: MoobiusOptions): Promise<DemoService> {
  await ensureServiceAccount(options.httpUrl, options.username, options.password);
  const service = new DemoService({ ...options, mode: "service" });
  await service.start();
  return service;
}

// Started directly: `tsx demo-service.ts <http url> <username> <password> <channel id>…`
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [httpUrl = "http://127.0.0.1:8000", username = "demo_service", password = "demo-service-password", ...channels] = process.argv.slice(2);
  const service = await startDemoService({ httpUrl, username, password, channels, reconnect: { initialDelayMs: 100, maxDelayMs: 2_000 } });
  console.log(`demo service ${service.clientId} on ${channels.join(", ") || "no channels"}`);
  const stop = () => void service.stop().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
