// upie space: the browser side. Plain JavaScript; it loads protobufjs' light
// build (/vendor/protobuf.js, a global `protobuf`), the schema with its
// functions compiled ahead of time (/schema.js), and upie's client
// (./upie-client.js, built by `npm run build:client`).
// User text reaches the page only through textContent and canvas fillText, never as markup.
import { WSClient } from "./upie-client.js";
import { precompiled, schema } from "/schema.js";

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
const TILE = 24;
const DIRS = { ArrowLeft: 0, ArrowRight: 1, ArrowUp: 2, ArrowDown: 3 };

const world = { mapId: "main", width: 40, height: 25, collisions: [], objects: new Map() };
/** encId → player; `drawX/drawY` follow `x/y` smoothly. */
const players = new Map();
let me = { id: "", encId: 0 };
const confetti = [];

const $ = (id) => document.getElementById(id);
const canvas = $("map");
const ctx = canvas.getContext("2d");

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
function onBatch(batch) {
  for (const event of batch.events) {
    const e = event[event.event];
    switch (event.event) {
      case "ready":
        me = { id: e.id, encId: e.encId };
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
      case "mapAddObject":
        if (e.mapId === world.mapId) world.objects.set(e.object.id, e.object);
        break;
      case "mapDeleteObject":
        world.objects.delete(e.id);
        break;
      case "playerJoins": {
        const known = players.get(e.encId);
        players.set(e.encId, { ...e, drawX: known ? known.drawX : e.x, drawY: known ? known.drawY : e.y, bubble: known?.bubble });
        if (e.encId === me.encId) {
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
      case "playerSetsName":
        update(e.encId, { name: e.name });
        if (e.encId === me.encId) setBadge(`online as ${e.name}`, true);
        break;
      case "playerSetsTextStatus":
        update(e.encId, { textStatus: e.textStatus });
        break;
      case "playerSetsEmojiStatus":
        update(e.encId, { emojiStatus: e.emojiStatus });
        break;
      case "playerSetsIsAway":
        update(e.encId, { isAway: e.isAway });
        break;
      case "playerGhosts":
        update(e.encId, { ghost: e.ghost });
        break;
      case "playerChats":
        addChat(e);
        break;
      case "playerShootsConfetti":
        burst(players.get(e.encId));
        break;
      case "playerWaves":
        update(e.encId, { bubble: { text: "👋", until: performance.now() + 2000 } });
        break;
      case "playerSetsEmoteV2":
        update(e.encId, { bubble: { text: e.emote, until: performance.now() + 2000 } });
        break;
      case "error":
        setBadge(`error: ${e.message}`, false);
        break;
    }
  }
  renderPeople();
}

function update(encId, fields) {
  const player = players.get(encId);
  if (player !== undefined) Object.assign(player, fields);
}

function setCollisions({ x, y, w, h, mask }) {
  if (world.collisions.length !== world.width * world.height) world.collisions = new Array(world.width * world.height).fill(0);
  for (let row = 0; row < h; row++) for (let col = 0; col < w; col++) world.collisions[(y + row) * world.width + x + col] = mask[row * w + col];
}

function addChat(message) {
  const list = $("messages");
  const item = document.createElement("li");
  if (message.messageType === "DM") item.className = "dm";
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = message.senderName;
  item.append(who, document.createTextNode(message.contents));
  list.append(item);
  while (list.children.length > 200) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
  const sender = players.get(message.encId);
  if (sender !== undefined && message.messageType !== "DM") sender.bubble = { text: message.contents, until: performance.now() + 5000 };
}

function renderPeople() {
  const list = $("people");
  const items = [];
  for (const p of players.values()) {
    const item = document.createElement("li");
    item.dataset.encId = String(p.encId);
    item.dataset.x = String(p.x);
    item.dataset.y = String(p.y);
    if (p.encId === me.encId) item.className = "me";
    item.textContent = `${p.emojiStatus ? `${p.emojiStatus} ` : ""}${p.name}${p.textStatus ? ` — ${p.textStatus}` : ""}${p.isAway ? " (away)" : ""}`;
    items.push(item);
  }
  list.replaceChildren(...items);
  $("count").textContent = String(players.size);
}

// ---- drawing --------------------------------------------------------------------------
function colorOf(id) {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return `hsl(${Math.abs(hash) % 360} 65% 60%)`;
}

function burst(player) {
  if (player === undefined) return;
  for (let i = 0; i < 80; i++) {
    const angle = Math.random() * Math.PI * 2;
    const speed = 60 + Math.random() * 160;
    confetti.push({
      x: player.drawX * TILE + TILE / 2,
      y: player.drawY * TILE + TILE / 2,
      vx: Math.cos(angle) * speed,
      vy: Math.sin(angle) * speed - 120,
      life: 1.6 + Math.random(),
      color: `hsl(${Math.floor(Math.random() * 360)} 90% 60%)`,
    });
  }
}

let last = performance.now();
function frame(now) {
  const dt = Math.min(0.1, (now - last) / 1000);
  last = now;
  const scale = Math.min(canvas.width / (world.width * TILE), canvas.height / (world.height * TILE), 1);
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = "#2a3145";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(scale, 0, 0, scale, 0, 0);
  // floor and walls
  for (let y = 0; y < world.height; y++) {
    for (let x = 0; x < world.width; x++) {
      const blocked = world.collisions[y * world.width + x] === 1;
      ctx.fillStyle = blocked ? "#4a5270" : (x + y) % 2 === 0 ? "#e9e2d0" : "#e2dac6";
      ctx.fillRect(x * TILE, y * TILE, TILE, TILE);
    }
  }
  for (const o of world.objects.values()) {
    ctx.fillStyle = o.color || "#888";
    ctx.fillRect(o.x * TILE + 2, o.y * TILE + 2, o.width * TILE - 4, o.height * TILE - 4);
  }
  // avatars, smoothly moving towards their tile
  const ease = Math.min(1, dt * 12);
  const sorted = [...players.values()].sort((a, b) => a.drawY - b.drawY);
  for (const p of sorted) {
    p.drawX += (p.x - p.drawX) * ease;
    p.drawY += (p.y - p.drawY) * ease;
    const cx = p.drawX * TILE + TILE / 2;
    const cy = p.drawY * TILE + TILE / 2;
    ctx.globalAlpha = p.ghost ? 0.4 : p.isAway ? 0.6 : 1;
    ctx.fillStyle = colorOf(p.id);
    ctx.beginPath();
    ctx.arc(cx, cy, TILE * 0.42, 0, Math.PI * 2);
    ctx.fill();
    if (p.encId === me.encId) {
      ctx.strokeStyle = "#1d2230";
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    label(`${p.emojiStatus ? `${p.emojiStatus} ` : ""}${p.name}`, cx, cy + TILE * 0.95, "#1d2230", "rgba(255,255,255,.85)", 11);
    if (p.textStatus) label(p.textStatus, cx, cy + TILE * 1.6, "#394058", "rgba(255,255,255,.6)", 10);
    if (p.bubble && p.bubble.until > now) label(p.bubble.text.slice(0, 60), cx, cy - TILE * 0.9, "#1d2230", "#fff", 12, true);
  }
  // confetti
  for (let i = confetti.length - 1; i >= 0; i--) {
    const c = confetti[i];
    c.life -= dt;
    if (c.life <= 0) {
      confetti.splice(i, 1);
      continue;
    }
    c.vy += 300 * dt;
    c.x += c.vx * dt;
    c.y += c.vy * dt;
    ctx.fillStyle = c.color;
    ctx.fillRect(c.x, c.y, 4, 6);
  }
  requestAnimationFrame(frame);
}

function label(text, x, y, color, background, size, bubble = false) {
  ctx.font = `${size}px system-ui, sans-serif`;
  const width = ctx.measureText(text).width + 8;
  ctx.fillStyle = background;
  ctx.fillRect(x - width / 2, y - size, width, size + 5);
  if (bubble) {
    ctx.beginPath();
    ctx.moveTo(x - 4, y + 5);
    ctx.lineTo(x + 4, y + 5);
    ctx.lineTo(x, y + 10);
    ctx.fill();
  }
  ctx.fillStyle = color;
  ctx.textAlign = "center";
  ctx.fillText(text, x, y);
}

requestAnimationFrame(frame);

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
  canvas.focus();
});
$("confetti").addEventListener("click", () => act({ shootConfetti: {} }));
$("wave").addEventListener("click", () => act({ wave: { user: "", isReply: false } }));
$("away").addEventListener("change", (event) => act({ setAway: { isAway: event.target.checked } }));

$("name").value = wantedName;
canvas.focus();
