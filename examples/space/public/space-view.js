// upie space: what the page shows. The canvas (the map, objects easing to
// where they move and shaking, avatars with away/focus/busy, spotlight,
// speaking, whisper and follow lines, bubbles, confetti, camera shakes),
// the toasts (notifications, custom events, sounds as visible cues, rings),
// the profile card on hover, and the people and object lists.
// User text reaches the page only through textContent and canvas fillText.

export const TILE = 24;
const $ = (id) => document.getElementById(id);

/** The page's state, shared with space-page.js. */
export const state = {
  world: { mapId: "main", name: "", width: 40, height: 25, collisions: [], objects: new Map() },
  /** encId → player; drawX/drawY ease towards x/y. */
  players: new Map(),
  me: { id: "", encId: 0 },
  /** The player clicked last (encId), for the action buttons. */
  selected: 0,
  confetti: [],
  /** Until when the camera shakes, and how hard. */
  cameraShake: { until: 0, intensity: 0 },
  /** Map scale of the last frame (canvas px per map px). */
  scale: 1,
};

export function colorOf(id) {
  let hash = 0;
  for (const ch of id) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return `hsl(${Math.abs(hash) % 360} 65% 60%)`;
}

export const byId = (id) => [...state.players.values()].find((p) => p.id === id);
export const nameOf = (encId) => state.players.get(encId)?.name ?? "someone";

/** True while the player's focus mode lasts. */
export function focusing(p) {
  return Boolean(p.focusModeEndTime) && Date.parse(p.focusModeEndTime) > Date.now();
}

// ---- toasts -----------------------------------------------------------------------------
/** Shows a short message in the corner for a few seconds (kind: notify, custom, sound, ring, …). */
export function toast(kind, text) {
  const list = $("toasts");
  const item = document.createElement("li");
  item.className = `toast ${kind}`;
  item.dataset.kind = kind;
  item.textContent = text;
  list.append(item);
  while (list.children.length > 6) list.firstElementChild.remove();
  setTimeout(() => item.remove(), 8000);
}

// ---- lists ------------------------------------------------------------------------------
export function renderPeople() {
  const items = [];
  for (const p of state.players.values()) {
    const item = document.createElement("li");
    const d = item.dataset;
    d.encId = String(p.encId);
    d.x = String(p.x);
    d.y = String(p.y);
    if (p.away) d.away = "true";
    if (focusing(p)) d.focus = "true";
    if (p.busy) d.busy = "true";
    if (p.spotlighted) d.spotlighted = "true";
    if (p.speaking) d.speaking = "true";
    if (p.whisperWith) d.whisper = String(p.whisperWith);
    if (p.followTarget) d.following = p.followTarget;
    if (p.encId === state.me.encId) item.classList.add("me");
    if (p.encId === state.selected) item.classList.add("selected");
    const marks = [p.spotlighted ? "🔦" : "", p.speaking ? "🗣️" : "", p.whisperWith ? "🤫" : "", focusing(p) ? "🎯" : "", p.busy ? "⛔" : ""].join("");
    const extra = [p.away ? "away" : "", p.whisperWith ? `whispering with ${nameOf(p.whisperWith)}` : "", p.followTarget ? `following ${byId(p.followTarget)?.name ?? "someone"}` : ""].filter(Boolean);
    item.textContent = `${marks}${marks ? " " : ""}${p.emojiStatus ? `${p.emojiStatus} ` : ""}${p.name}${p.textStatus ? ` — ${p.textStatus}` : ""}${extra.length ? ` (${extra.join(", ")})` : ""}`;
    item.addEventListener("click", () => select(p.encId));
    items.push(item);
  }
  $("people").replaceChildren(...items);
  $("count").textContent = String(state.players.size);
  const target = state.players.get(state.selected);
  $("selected-name").textContent = target ? target.name : "nobody (click a player)";
}

export function select(encId) {
  state.selected = encId === state.me.encId ? 0 : encId;
  renderPeople();
}

/** Objects as a list too (ids, where they are, whether they shake): what the canvas shows, readable. */
export function renderObjects() {
  const items = [];
  for (const o of state.world.objects.values()) {
    const item = document.createElement("li");
    item.dataset.id = o.id;
    item.dataset.x = String(o.x);
    item.dataset.y = String(o.y);
    if (o.shake && o.shake.until > performance.now()) item.dataset.shaking = "true";
    item.textContent = `${o._name || o.templateId || o.id} (${o.x}, ${o.y})`;
    items.push(item);
  }
  $("objects").replaceChildren(...items);
}

// ---- the profile card on hover -------------------------------------------------------------
const PROFILE = [
  ["pronouns", "Pronouns"], ["title", "Title"], ["affiliation", "Affiliation"], ["timezone", "Time zone"], ["city", "City"],
  ["country", "Country"], ["phone", "Phone"], ["startDate", "Started"], ["description", "About"], ["focusModeEndTime", "Focus until"],
];

export function showCard(p, clientX, clientY) {
  const card = $("profile-card");
  const rows = [];
  const title = document.createElement("strong");
  title.textContent = `${p.emojiStatus ? `${p.emojiStatus} ` : ""}${p.name}`;
  rows.push(title);
  for (const [field, label] of PROFILE) {
    if (!p[field]) continue;
    const row = document.createElement("div");
    row.dataset.field = field;
    let value = String(p[field]);
    if (field === "timezone") {
      try {
        value += ` (${new Date().toLocaleTimeString("en-GB", { timeZone: p.timezone, hour: "2-digit", minute: "2-digit" })} there)`;
      } catch {}
    }
    row.textContent = `${label}: ${value}`;
    rows.push(row);
  }
  const inventory = Object.entries(p.inventory ?? {}).map(([id, n]) => `${id}×${n}`).join(", ");
  if (inventory) {
    const row = document.createElement("div");
    row.dataset.field = "inventory";
    row.textContent = `Holds: ${inventory}`;
    rows.push(row);
  }
  card.replaceChildren(...rows);
  card.dataset.encId = String(p.encId);
  card.hidden = false;
  card.style.left = `${clientX + 14}px`;
  card.style.top = `${clientY + 14}px`;
}

export function hideCard() {
  $("profile-card").hidden = true;
}

/** The player drawn under canvas point (x, y), if any. */
export function playerAt(x, y) {
  const mapX = x / state.scale / TILE;
  const mapY = y / state.scale / TILE;
  let best;
  for (const p of state.players.values()) {
    const d = Math.hypot(p.drawX + 0.5 - mapX, p.drawY + 0.5 - mapY);
    if (d < 0.6 && (best === undefined || d < best.d)) best = { p, d };
  }
  return best?.p;
}

// ---- the canvas ------------------------------------------------------------------------------
export function burst(player) {
  if (player === undefined) return;
  for (let i = 0; i < 80; i++) {
    const angle = Math.random() * Math.PI * 2;
    const speed = 60 + Math.random() * 160;
    state.confetti.push({
      x: player.drawX * TILE + TILE / 2,
      y: player.drawY * TILE + TILE / 2,
      vx: Math.cos(angle) * speed,
      vy: Math.sin(angle) * speed - 120,
      life: 1.6 + Math.random(),
      color: `hsl(${Math.floor(Math.random() * 360)} 90% 60%)`,
    });
  }
}

const EASE = {
  linear: (t) => t,
  easeIn: (t) => t * t,
  easeOut: (t) => 1 - (1 - t) * (1 - t),
  easeInOut: (t) => (t < 0.5 ? 2 * t * t : 1 - 2 * (1 - t) * (1 - t)),
};

/** Starts moving an object to (x, y) over `duration` ms. */
export function moveObject(object, x, y, duration, easing) {
  object.move = { fromX: object.drawX ?? object.x, fromY: object.drawY ?? object.y, start: performance.now(), duration: Math.max(1, duration), ease: EASE[easing] ?? EASE.easeInOut };
  object.x = x;
  object.y = y;
}

function objectPosition(o, now) {
  if (!o.move) return [o.x, o.y];
  const t = Math.min(1, (now - o.move.start) / o.move.duration);
  const k = o.move.ease(t);
  if (t >= 1) o.move = undefined;
  return [o.move ? o.move.fromX + (o.x - o.move.fromX) * k : o.x, o.move ? o.move.fromY + (o.y - o.move.fromY) * k : o.y];
}

export function startDrawing(canvas) {
  const ctx = canvas.getContext("2d");
  let last = performance.now();
  const label = (text, x, y, color, background, size, bubble = false) => {
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
  };
  const line = (a, b, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash([5, 4]);
    ctx.beginPath();
    ctx.moveTo(a.drawX * TILE + TILE / 2, a.drawY * TILE + TILE / 2);
    ctx.lineTo(b.drawX * TILE + TILE / 2, b.drawY * TILE + TILE / 2);
    ctx.stroke();
    ctx.setLineDash([]);
  };
  const frame = (now) => {
    const dt = Math.min(0.1, (now - last) / 1000);
    last = now;
    const { world, players, me } = state;
    state.scale = Math.min(canvas.width / (world.width * TILE), canvas.height / (world.height * TILE), 1);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#2a3145";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    const shaking = state.cameraShake.until > now;
    document.body.dataset.cameraShake = String(shaking);
    const jitter = shaking ? state.cameraShake.intensity * 4 : 0;
    ctx.setTransform(state.scale, 0, 0, state.scale, (Math.random() - 0.5) * jitter, (Math.random() - 0.5) * jitter);
    for (let y = 0; y < world.height; y++) {
      for (let x = 0; x < world.width; x++) {
        const blocked = world.collisions[y * world.width + x] === 1;
        ctx.fillStyle = blocked ? "#4a5270" : (x + y) % 2 === 0 ? "#e9e2d0" : "#e2dac6";
        ctx.fillRect(x * TILE, y * TILE, TILE, TILE);
      }
    }
    for (const o of world.objects.values()) {
      const [x, y] = objectPosition(o, now);
      o.drawX = x;
      o.drawY = y;
      const wobble = o.shake && o.shake.until > now ? Math.sin(now / 25) * o.shake.intensity * 2 : 0;
      ctx.fillStyle = o.color || "#888";
      ctx.fillRect(x * TILE + 2 + wobble, y * TILE + 2, (o.width || 1) * TILE - 4, (o.height || 1) * TILE - 4);
    }
    const ease = Math.min(1, dt * 12);
    const sorted = [...players.values()].sort((a, b) => a.drawY - b.drawY);
    for (const p of sorted) {
      p.drawX += (p.x - p.drawX) * ease;
      p.drawY += (p.y - p.drawY) * ease;
      if (p.whisperWith && players.has(p.whisperWith) && p.encId < p.whisperWith) line(p, players.get(p.whisperWith), "#b04ad8");
      const leader = p.followTarget ? byId(p.followTarget) : undefined;
      if (leader) line(p, leader, "#3d8bfd");
    }
    for (const p of sorted) {
      const cx = p.drawX * TILE + TILE / 2;
      const cy = p.drawY * TILE + TILE / 2;
      if (p.spotlighted) {
        ctx.fillStyle = "rgba(255, 220, 60, 0.45)";
        ctx.beginPath();
        ctx.arc(cx, cy, TILE * 0.95, 0, Math.PI * 2);
        ctx.fill();
      }
      if (p.ringUntil > now) {
        ctx.strokeStyle = "#ff9f1a";
        ctx.lineWidth = 3;
        ctx.beginPath();
        ctx.arc(cx, cy, TILE * (0.6 + ((now / 300) % 1) * 0.6), 0, Math.PI * 2);
        ctx.stroke();
      }
      ctx.globalAlpha = p.ghost ? 0.4 : p.away || focusing(p) ? 0.55 : 1;
      ctx.fillStyle = colorOf(p.id);
      ctx.beginPath();
      ctx.arc(cx, cy, TILE * 0.42, 0, Math.PI * 2);
      ctx.fill();
      if (p.speaking || p.encId === me.encId || p.encId === state.selected) {
        ctx.strokeStyle = p.speaking ? "#27c46b" : p.encId === state.selected ? "#3d5afe" : "#1d2230";
        ctx.lineWidth = p.speaking ? 3 : 2;
        ctx.stroke();
      }
      ctx.globalAlpha = 1;
      const marks = `${p.busy ? "⛔" : ""}${focusing(p) ? "🎯" : ""}${p.away ? "💤" : ""}${p.whisperWith ? "🤫" : ""}`;
      label(`${marks}${p.emojiStatus ? `${p.emojiStatus} ` : ""}${p.name}`, cx, cy + TILE * 0.95, "#1d2230", "rgba(255,255,255,.85)", 11);
      if (p.textStatus) label(p.textStatus, cx, cy + TILE * 1.6, "#394058", "rgba(255,255,255,.6)", 10);
      if (p.subtitle) label(`“${p.subtitle.slice(0, 60)}”`, cx, cy + TILE * 2.2, "#fff", "rgba(20,20,30,.75)", 10);
      const bubble = p.bubble && p.bubble.until > now ? p.bubble.text : p.emote ? `${p.emote}${p.emoteCount > 1 ? `×${p.emoteCount}` : ""}` : "";
      if (bubble) label(bubble.slice(0, 60), cx, cy - TILE * 0.9, "#1d2230", "#fff", 12, true);
    }
    for (let i = state.confetti.length - 1; i >= 0; i--) {
      const c = state.confetti[i];
      c.life -= dt;
      if (c.life <= 0) {
        state.confetti.splice(i, 1);
        continue;
      }
      c.vy += 300 * dt;
      c.x += c.vx * dt;
      c.y += c.vy * dt;
      ctx.fillStyle = c.color;
      ctx.fillRect(c.x, c.y, 4, 6);
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}
