// upie space: the browser side. Plain JavaScript; it loads protobufjs' light
// build (/vendor/protobuf.js, a global `protobuf`), the schema with its
// functions compiled ahead of time (/schema.js), and upie's client
// (./upie-client.js, built by `npm run build:client`). Drawing and the lists are in space-view.js.
// User text reaches the page only through textContent and canvas fillText, never as markup.
import { WSClient } from "./upie-client.js";
import { precompiled, schema } from "/schema.js";
import { burst, byId, hideCard, moveObject, nameOf, playerAt, renderObjects, renderPeople, select, showCard, startDrawing, state, toast } from "./space-view.js";

// ---- protobuf without eval ------------------------------------------------------
// protobufjs compiles its encoders with `new Function`, which this page's CSP
// forbids; the server compiled them ahead of time, and this shim hands them out.
// codegenKey is the same function as in examples/space/page-schema.ts.
function codegenKey(scopeKeys, source) {
  const text = `${scopeKeys.join(",")}\n${source}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `${hash.toString(36)}.${text.length}`;
}
const originalCodegen = protobuf.util.codegen;
protobuf.util.codegen = (params, name) => {
  const gen = originalCodegen(params, name);
  const shim = (format, ...rest) => {
    if (typeof format === "string") {
      gen(format, ...rest);
      return shim;
    }
    const scope = format || {};
    const keys = Object.keys(scope);
    const factory = precompiled[codegenKey(keys, gen.toString())];
    if (factory === undefined) throw new Error(`protobuf function ${name} was not compiled ahead of time`);
    return factory(...keys.map((key) => scope[key]));
  };
  shim.toString = gen.toString;
  return shim;
};

const root = protobuf.Root.fromJSON(schema);
const Action = root.lookupType("upie.space.ClientServerAction");
const Batch = root.lookupType("upie.space.ServerClientBatch");
const TO_OBJECT = { oneofs: true, defaults: true, longs: Number, bytes: Array };

const encode = (action) => Action.encode(Action.fromObject({ txnId: 1 + Math.floor(Math.random() * 0xfffffffe), ...action })).finish();
const decode = (bytes) => Batch.toObject(Batch.decode(bytes), TO_OBJECT);

// ---- state ------------------------------------------------------------------------
const params = new URLSearchParams(location.search);
const spaceId = params.get("space") || "demo/Office";
const wantedName = (params.get("name") || `Guest ${Math.floor(Math.random() * 900 + 100)}`).slice(0, 32);
const DIRS = { ArrowLeft: 0, ArrowRight: 1, ArrowUp: 2, ArrowDown: 3 };
const { world, players } = state;
/** Chat line id → its list item (for likes). */
const chatLines = new Map();

const $ = (id) => document.getElementById(id);
const canvas = $("map");

// ---- the connection -------------------------------------------------------------
const scheme = location.protocol === "https:" ? "wss" : "ws";
const client = new WSClient(`${scheme}://${location.host}/space`, {
  protocols: "gather-v2",
  onConnect: (c) => c.send(encode({ init: { spaceId, apiKey: "guest" } })),
  handle: (message) => {
    if (typeof message !== "string") onBatch(decode(message));
  },
  heartbeat: { intervalMs: 10_000, message: () => encode({ clientBackupHeartbeat: {} }) },
  receiveTimeoutMs: 30_000,
  reconnect: { initialDelayMs: 1000, maxDelayMs: 30_000 },
});
client.on("disconnect", () => setBadge("reconnecting…", false));
client.connect().catch(() => {});
const act = (action) => client.send(encode(action)).catch(() => {});

function setBadge(text, online) {
  const badge = $("connection");
  badge.textContent = text;
  badge.classList.toggle("online", online);
}

// ---- events -----------------------------------------------------------------------
/** Events that set one field of a player: event → [the event's field, the player's field]. */
const PLAYER_FIELDS = {
  playerSetsName: ["name", "name"], playerSetsTextStatus: ["textStatus", "textStatus"], playerSetsEmojiStatus: ["emojiStatus", "emojiStatus"],
  playerSetsAway: ["away", "away"], playerGhosts: ["ghost", "ghost"], playerSetsStatus: ["busy", "busy"], playerActivelySpeaks: ["activelySpeaking", "speaking"],
  playerSetsFocusModeEndTime: ["focusModeEndTime", "focusModeEndTime"], playerSetsFollowTarget: ["followTarget", "followTarget"], playerSetsSubtitle: ["subtitle", "subtitle"],
  playerSetsPronouns: ["pronouns", "pronouns"], playerSetsTitle: ["title", "title"], playerSetsTimezone: ["timezone", "timezone"], playerSetsPhone: ["phone", "phone"],
  playerSetsDescription: ["description", "description"], playerSetsCity: ["city", "city"], playerSetsCountry: ["country", "country"], playerSetsStartDate: ["startDate", "startDate"],
  playerSetsAffiliation: ["affiliation", "affiliation"], playerSetsSpeedModifier: ["speedModifier", "speedModifier"],
};

function onBatch(batch) {
  for (const event of batch.events) {
    const e = event[event.event];
    const field = PLAYER_FIELDS[event.event];
    if (field !== undefined) {
      update(e.encId, { [field[1]]: e[field[0]] });
      if (event.event === "playerSetsName" && e.encId === state.me.encId) setBadge(`online as ${e.name}`, true);
      continue;
    }
    onEvent(event.event, e);
  }
  renderPeople();
  renderObjects();
}

function onEvent(kind, e) {
  switch (kind) {
    case "ready":
      state.me = { id: e.id, encId: e.encId };
      players.clear();
      document.body.dataset.me = String(e.encId);
      act({ setName: { name: $("name").value || wantedName } });
      if ($("text-status").value) act({ setTextStatus: { textStatus: $("text-status").value } });
      if ($("emoji").value) act({ setEmojiStatus: { emojiStatus: $("emoji").value } });
      break;
    case "mapSetDimensions":
      if (e.mapId === world.mapId) Object.assign(world, { width: e.width, height: e.height });
      break;
    case "mapSetCollisions":
      if (e.mapId === world.mapId) setCollisions(e);
      break;
    case "mapSetWalls":
      for (const key of Object.keys(e.walls)) {
        const [x, y] = key.split(":").map(Number);
        setCollisions({ x, y, w: 1, h: 1, mask: [e.delete ? 0 : 1] });
      }
      break;
    case "mapSetName":
      if (e.mapId === world.mapId) $("map-name").textContent = e.delete ? "" : e.name;
      break;
    case "mapAddObject":
      if (e.mapId === world.mapId) world.objects.set(e.object.id, { ...world.objects.get(e.object.id), ...e.object });
      break;
    case "mapSetObjects":
      if (e.mapId === world.mapId) for (const object of Object.values(e.objects)) world.objects.set(object.id, { ...world.objects.get(object.id), ...object });
      break;
    case "mapDeleteObject":
      world.objects.delete(e.id);
      break;
    case "mapMoveObject": {
      const object = world.objects.get(e.objectId);
      if (object) moveObject(object, e.targetX, e.targetY, e.duration, e.easing);
      break;
    }
    case "fxShakeObject": {
      const object = world.objects.get(e.targetId);
      if (object) object.shake = { until: performance.now() + e.durationMs, intensity: e.intensity };
      break;
    }
    case "fxShakeCamera":
      state.cameraShake = { until: performance.now() + e.durationMs, intensity: e.intensity };
      toast("shake", "📳 the view shakes");
      break;
    case "playerJoins": {
      const known = players.get(e.encId);
      players.set(e.encId, { ...known, ...e, drawX: known ? known.drawX : e.x, drawY: known ? known.drawY : e.y });
      if (e.encId === state.me.encId) {
        world.mapId = e.mapId;
        setBadge(`online as ${e.name}`, true);
      }
      break;
    }
    case "playerMoves":
      update(e.encId, { x: e.x, y: e.y, direction: e.direction });
      break;
    case "playerExits":
      players.delete(e.encId);
      break;
    case "playerChats":
      addChat(e);
      break;
    case "playerEditsChatMessage": {
      const item = chatLines.get(e.id);
      if (item) item.dataset.likes = String(e.likes), (item.querySelector(".likes").textContent = e.likes ? ` ♥ ${e.likes}` : "");
      break;
    }
    case "playerShootsConfetti":
      burst(players.get(e.encId));
      break;
    case "playerWaves":
      bubble(e.encId, "👋");
      break;
    case "playerSetsEmoteV2":
      update(e.encId, { emote: e.emote, emoteCount: e.count });
      break;
    case "playerHighFives":
      bubble(e.encId, e.emote || "✋");
      bubble(e.encIdTarget, e.emote || "✋");
      toast("high-five", `${e.emote || "✋"} ${nameOf(e.encId)} high-fives ${nameOf(e.encIdTarget)}`);
      break;
    case "hipToBeSquare":
      for (const p of players.values()) bubble(p.encId, "🕺");
      break;
    case "playerSpotlights":
      update(e.encId, { spotlighted: e.spotlighted });
      if (e.spotlighted) toast("spotlight", `🔦 ${nameOf(e.encId)} is in the spotlight`);
      break;
    case "playerRings":
      update(state.me.encId, { ringUntil: performance.now() + 4000 });
      toast("ring", `🔔 ${e.name} rings you`);
      break;
    case "playerEntersWhisperV2":
      update(e.encId, { whisperWith: e.encIdTarget });
      update(e.encIdTarget, { whisperWith: e.encId });
      break;
    case "playerLeavesWhisper":
      update(e.encId, { whisperWith: 0 });
      break;
    case "playerBlocks":
      toast("block", e.blocked ? "🚫 a player is hidden from you now" : "a player is visible again");
      if (e.blocked) for (const p of [...players.values()]) if (p.id === e.blockedBy || p.id === e.blockedUserId) if (p.encId !== state.me.encId) players.delete(p.encId);
      break;
    case "playerUpdatesInventory":
      update(e.encId, { inventory: Object.fromEntries(Object.entries(e.items).map(([id, item]) => [id, item.count])) });
      break;
    case "playerCrafts":
      toast("craft", `🛠️ ${nameOf(e.encId)} crafted ${e.output}`);
      break;
    case "playerNotifies":
      toast("notify", `📣 ${e.notification}`);
      break;
    case "customEvent":
      toast("custom", `⚙️ ${e.name}: ${e.payload.slice(0, 80)}`);
      break;
    case "spacePlaysSound":
      // No audio in the page: a visible cue says what plays.
      toast("sound", `🔊 ${e.src.split("/").pop()} (volume ${Math.round(e.volume * 100)}%)`);
      break;
    case "spaceStopsSound":
      toast("sound", `🔇 ${e.src.split("/").pop()} stopped`);
      break;
    case "gotRequestMute":
      toast("mute", `🎙️ ${byId(e.muterId)?.name ?? "someone"} asks you to mute your ${e.video ? "camera" : "microphone"}`);
      break;
    case "playerRequestsToLead":
      toast("lead", `🧭 ${nameOf(e.encId)} asks you to follow`);
      break;
    case "playerEntersPortal":
      toast("portal", `🚪 portal to ${e.targetUrl}`);
      break;
    case "spaceBansPlayer":
      toast("ban", `${e.banned ? "⛔" : "✅"} ${e.name} ${e.banned ? "is banned" : "may come back"}`);
      break;
    case "error":
      setBadge(`error: ${e.message}`, false);
      break;
  }
}

function update(encId, fields) {
  const player = players.get(encId);
  if (player !== undefined) Object.assign(player, fields);
}

function bubble(encId, text) {
  update(encId, { bubble: { text, until: performance.now() + 2500 } });
}

function setCollisions({ x, y, w, h, mask }) {
  if (world.collisions.length !== world.width * world.height) world.collisions = new Array(world.width * world.height).fill(0);
  for (let row = 0; row < h; row++) for (let col = 0; col < w; col++) world.collisions[(y + row) * world.width + x + col] = mask[row * w + col] ? 1 : 0;
}

function addChat(message) {
  const list = $("messages");
  const item = document.createElement("li");
  if (message.messageType === "DM") item.className = "dm";
  item.dataset.id = message.id;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = message.senderName;
  const likes = document.createElement("span");
  likes.className = "likes";
  item.append(who, document.createTextNode(message.contents), likes);
  item.addEventListener("dblclick", () => act({ chatMessageUpdated: { id: message.id } }));
  chatLines.set(message.id, item);
  list.append(item);
  while (list.children.length > 200) chatLines.delete(list.firstElementChild.dataset.id), list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
  const sender = players.get(message.encId);
  if (sender !== undefined && message.messageType !== "DM") sender.bubble = { text: message.contents, until: performance.now() + 5000 };
}

startDrawing(canvas);

// ---- input ---------------------------------------------------------------------------------
let lastMove = 0;
document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLInputElement;
  if (event.key === "Enter" && !typing) {
    $("chat-input").focus();
    event.preventDefault();
    return;
  }
  if (typing || !(event.key in DIRS)) return;
  event.preventDefault();
  const now = performance.now();
  if (now - lastMove < 110) return; // a held key walks about 9 tiles a second, under the server's rate
  lastMove = now;
  act({ move: { dir: DIRS[event.key] } });
});

canvas.addEventListener("mousemove", (event) => {
  const rect = canvas.getBoundingClientRect();
  const p = playerAt(event.clientX - rect.left, event.clientY - rect.top);
  if (p) showCard(p, event.clientX, event.clientY);
  else hideCard();
});
canvas.addEventListener("mouseleave", hideCard);
canvas.addEventListener("click", (event) => {
  const rect = canvas.getBoundingClientRect();
  const p = playerAt(event.clientX - rect.left, event.clientY - rect.top);
  if (p) select(p.encId);
});

$("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("chat-input");
  const text = input.value.trim();
  if (text === "") return;
  act({ chat: { chatRecipient: "LOCAL_CHAT", contents: text.slice(0, 500) } });
  input.value = "";
  canvas.focus();
});

$("profile").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("name").value.trim();
  if (name) act({ setName: { name } });
  act({ setTextStatus: { textStatus: $("text-status").value.trim() } });
  act({ setEmojiStatus: { emojiStatus: $("emoji").value.trim() } });
  for (const [id, action, field] of [["pronouns", "setPronouns", "pronouns"], ["title", "setTitle", "title"], ["timezone", "setTimezone", "timezone"], ["city", "setCity", "city"]]) {
    const value = $(id).value.trim();
    if (value) act({ [action]: { [field]: value } });
  }
  canvas.focus();
});
$("confetti").addEventListener("click", () => act({ shootConfetti: {} }));
$("wave").addEventListener("click", () => act({ wave: { user: "", isReply: false } }));
$("away").addEventListener("change", (event) => act({ setAway: { away: event.target.checked } }));
$("focus").addEventListener("change", (event) => act({ setFocusModeEndTime: { focusModeEndTime: event.target.checked ? new Date(Date.now() + 25 * 60_000).toISOString() : "" } }));

/** Buttons that act on the selected player. */
const target = () => players.get(state.selected);
$("ring").addEventListener("click", () => target() && act({ ring: { user: target().id } }));
$("high-five").addEventListener("click", () => target() && act({ highFive: { targetId: target().id, emote: "✋" } }));
$("whisper").addEventListener("click", () => {
  const me = players.get(state.me.encId);
  if (me?.whisperWith) act({ leaveWhisper: {} });
  else if (target()) act({ enterWhisper: { recipientId: target().id } });
});
$("follow").addEventListener("click", () => {
  const me = players.get(state.me.encId);
  act({ setFollowTarget: { followTarget: me?.followTarget ? "" : (target()?.id ?? "") } });
});

$("name").value = wantedName;
canvas.focus();
