// The channels page: plain ES modules, no framework. upie/client's WSClient
// (served as /static/upie-client.js, built from lib/ws-client) keeps the
// socket up; every piece of text from the network goes into the page through
// textContent or attributes, never as markup.
import { WSClient } from "./upie-client.js";

const $ = (id) => document.getElementById(id);
const state = {
  token: sessionStorage.getItem("channels.token"),
  me: JSON.parse(sessionStorage.getItem("channels.me") ?? "null"),
  client: undefined,
  channels: new Map(),
  current: undefined,
  joined: new Set(),
  characters: new Map(),
  agents: new Set(),
  buttons: [],
  menu: [],
  offline: new Set(),
};

/** An element with a class and text. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = String(text);
  return node;
}

async function api(path, body) {
  const headers = {};
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, { method: body === undefined ? "GET" : "POST", headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(text || `HTTP ${res.status}`);
  return JSON.parse(text);
}

function send(type, body, extras = {}) {
  return state.client.send({ type, request_id: crypto.randomUUID(), ...extras, body: { context: {}, ...body } }).catch((error) => notice(error.message));
}

function notice(text) {
  $("notice").textContent = text;
}

// ── Sign in ────────────────────────────────────────────────────────────
async function authenticate(signUp) {
  const username = $("username").value;
  const password = $("password").value;
  $("auth-error").textContent = "";
  try {
    if (signUp) await api("/api/sign_up", { username, password, role: "user" });
    const result = await api("/api/sign_in", { username, password });
    state.token = result.access_token;
    state.me = { id: result.id, username: result.username };
    sessionStorage.setItem("channels.token", state.token);
    sessionStorage.setItem("channels.me", JSON.stringify(state.me));
    await enter();
  } catch (error) {
    $("auth-error").textContent = error.message;
  }
}

$("auth-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void authenticate(false);
});
$("sign-up").addEventListener("click", () => {
  if ($("auth-form").reportValidity()) void authenticate(true);
});

async function enter() {
  $("auth").hidden = true;
  $("app").hidden = false;
  $("sign-out").hidden = false;
  $("me").textContent = `Signed in as ${state.me.username}`;
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  state.client = new WSClient(`${scheme}://${location.host}/ws`, {
    onConnect: (client) => client.send({ type: "user_login", request_id: crypto.randomUUID(), auth_origin: "upie", access_token: state.token }),
    handle: onFrame,
    heartbeat: { intervalMs: 30_000, message: () => ({ type: "heartbeat", request_id: crypto.randomUUID(), body: {} }) },
    reconnect: { initialDelayMs: 200, maxDelayMs: 5_000 },
  });
  state.client.on("disconnect", ({ code }) => {
    // 4401: this session was signed out (in another tab, say): back to the sign-in form, no reconnects.
    if (code === 4401) {
      void state.client.close();
      sessionStorage.clear();
      location.reload();
      return;
    }
    $("connection").hidden = false;
    $("connection").textContent = "Reconnecting…";
  });
  state.client.on("connect", () => {
    $("connection").hidden = true;
    for (const channelId of state.joined) void send("action", { subtype: "join_channel", channel_id: channelId }, { user_id: state.me.id });
  });
  await state.client.connect();
  await loadChannels();
  // A reload keeps the open channel: joining it again is a refresh for the service, not a new welcome.
  const remembered = sessionStorage.getItem("channels.current");
  if (remembered && state.channels.has(remembered)) await openChannel(remembered);
}

// ── Sign out ───────────────────────────────────────────────────────────
// The platform ends the session (its sockets get 4401); the page forgets the token and shows the sign-in form.
async function signOut() {
  try {
    await api("/api/sign_out", {});
  } catch {
    // already signed out (an expired or revoked token): forget it all the same
  }
  await state.client?.close();
  sessionStorage.clear();
  location.reload();
}

$("sign-out").addEventListener("click", () => void signOut());

// ── Channels ───────────────────────────────────────────────────────────
async function loadChannels() {
  const { channels } = await api("/api/channels");
  for (const channel of channels) {
    state.channels.set(channel.channel_id, channel);
    if (!channel.service_online) state.offline.add(channel.channel_id);
  }
  renderChannels();
}

function renderChannels() {
  const list = $("channels");
  list.replaceChildren();
  for (const channel of state.channels.values()) {
    const item = el("li");
    const button = el("button", channel.channel_id === state.current ? "current" : "", channel.channel_name);
    button.dataset.channelId = channel.channel_id;
    button.addEventListener("click", () => void openChannel(channel.channel_id));
    item.append(button);
    list.append(item);
  }
}

async function openChannel(channelId) {
  state.current = channelId;
  sessionStorage.setItem("channels.current", channelId);
  state.buttons = [];
  state.menu = [];
  renderChannels();
  const channel = state.channels.get(channelId);
  $("channel-name").textContent = channel.channel_name;
  $("channel-description").textContent = channel.channel_description;
  $("messages").replaceChildren();
  $("buttons").replaceChildren();
  $("canvas").replaceChildren();
  $("members").replaceChildren();
  $("service-banner").hidden = !state.offline.has(channelId);
  $("text").disabled = false;
  $("send").disabled = false;
  if (state.joined.has(channelId)) {
    await send("action", { subtype: "refresh", channel_id: channelId }, { user_id: state.me.id });
  } else {
    state.joined.add(channelId);
    await send("action", { subtype: "join_channel", channel_id: channelId }, { user_id: state.me.id });
  }
  try {
    const { characters } = await api(`/api/channels/${encodeURIComponent(channelId)}/characters`);
    for (const c of characters) state.characters.set(c.character_id, c);
    const { messages } = await api(`/api/channels/${encodeURIComponent(channelId)}/history?limit=50`);
    if (state.current === channelId && $("messages").childElementCount === 0) for (const m of messages) renderMessage(m);
  } catch (error) {
    notice(error.message);
  }
}

$("compose").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  if (!text || !state.current) return;
  $("text").value = "";
  void send("message_up", { subtype: "text", channel_id: state.current, content: { text }, recipients: "service", timestamp: Date.now() }, { user_id: state.me.id, service_id: "" });
});

// ── Inbound frames ─────────────────────────────────────────────────────
function onFrame(raw) {
  let frame;
  try {
    frame = JSON.parse(raw);
  } catch {
    return;
  }
  if (frame.type === "copy") {
    if (frame.body?.status === false) notice(`${frame.body.origin_type}: ${frame.body.context?.error ?? "refused"}`);
    return;
  }
  if (frame.type === "message_down") {
    if (frame.body.channel_id === state.current) renderMessage(frame.body);
    return;
  }
  if (frame.type !== "update") return;
  if (frame.subtype === "channel_info") {
    const channel = state.channels.get(frame.channel_id);
    if (channel) Object.assign(channel, { channel_name: String(frame.body.channel_name), channel_description: String(frame.body.channel_description) });
    renderChannels();
    if (frame.channel_id === state.current) {
      $("channel-name").textContent = channel.channel_name;
      $("channel-description").textContent = channel.channel_description;
    }
    return;
  }
  const update = frame.body;
  if (update.subtype === "service_status") {
    if (update.content.online) state.offline.delete(update.channel_id);
    else state.offline.add(update.channel_id);
    if (update.channel_id === state.current) $("service-banner").hidden = update.content.online === true;
    return;
  }
  if (update.channel_id !== state.current) return;
  switch (update.subtype) {
    case "characters":
      renderMembers(update.content.character_list ?? []);
      break;
    case "buttons":
      state.buttons = Array.isArray(update.content) ? update.content : [];
      renderButtons();
      break;
    case "menu":
      state.menu = Array.isArray(update.content) ? update.content : [];
      break;
    case "canvas":
      renderCanvas(Array.isArray(update.content) ? update.content : []);
      break;
    case "style":
      applyStyle(Array.isArray(update.content) ? update.content : []);
      break;
  }
}

function senderName(id) {
  return state.characters.get(id)?.name ?? (id === state.me.id ? state.me.username : "someone");
}

/** Only the platform's own files and http(s) links are followed. */
function safeUrl(value, allowExternal) {
  if (typeof value !== "string") return undefined;
  if (value.startsWith("/files/")) return value;
  if (allowExternal && /^https?:\/\//.test(value)) return value;
  return undefined;
}

function renderMessage(message) {
  const item = el("li", "message");
  item.dataset.messageId = String(message.message_id);
  item.dataset.subtype = String(message.subtype);
  const sender = el("span", state.agents.has(message.sender) || String(message.sender).startsWith("a_") ? "sender agent" : "sender", senderName(message.sender));
  item.append(sender);
  const content = message.content ?? {};
  if (message.subtype === "image" && safeUrl(content.path)) {
    const img = el("img");
    img.src = safeUrl(content.path);
    img.alt = content.filename ?? "image";
    item.append(img);
  } else if (message.subtype === "file" || message.subtype === "audio") {
    const link = el("a", "file", content.filename ?? "a file");
    const href = safeUrl(content.path, true);
    if (href) link.href = href;
    link.setAttribute("download", "");
    item.append(link);
  } else if (message.subtype === "card") {
    const card = el("div", "card");
    card.append(el("strong", "", content.title ?? ""));
    if (content.text) card.append(el("p", "", content.text));
    const href = safeUrl(content.link, true);
    if (href) {
      const link = el("a", "", content.button ?? "Open");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      card.append(link);
    }
    item.append(card);
  } else {
    item.append(el("p", "", content.text ?? ""));
  }
  item.addEventListener("contextmenu", (event) => openMenu(event, message));
  $("messages").append(item);
  item.scrollIntoView({ block: "end" });
}

function renderMembers(characters) {
  const list = $("members");
  list.replaceChildren();
  for (const character of characters) {
    state.characters.set(character.character_id, character);
    const agent = String(character.character_id).startsWith("a_");
    if (agent) state.agents.add(character.character_id);
    const item = el("li", "", character.name);
    item.dataset.characterId = character.character_id;
    if (agent) item.append(el("span", "tag", "agent"));
    list.append(item);
  }
}

function renderButtons() {
  const bar = $("buttons");
  bar.replaceChildren();
  for (const button of state.buttons) {
    const node = el("button", "", button.button_text ?? button.button_id);
    node.type = "button";
    node.dataset.buttonId = button.button_id;
    node.addEventListener("click", () => {
      // Every bottom button reaches the service: Submit with the fields, Cancel (not a submit) with none.
      if (button.dialog) openDialog(button.dialog, (args, bottom) => clickButton(button.button_id, args, bottom), (bottom) => clickButton(button.button_id, [], bottom));
      else clickButton(button.button_id, [], undefined);
    });
    bar.append(node);
  }
}

function clickButton(buttonId, args, bottomButtonId) {
  const body = { subtype: "button_click", channel_id: state.current, button_id: buttonId, arguments: args };
  if (bottomButtonId) body.bottom_button_id = bottomButtonId;
  void send("action", body, { user_id: state.me.id });
}

function renderCanvas(items) {
  const canvas = $("canvas");
  canvas.replaceChildren();
  for (const item of items) {
    if (item.text) canvas.append(el("p", "", item.text));
    if (safeUrl(item.path)) {
      const img = el("img");
      img.src = safeUrl(item.path);
      img.alt = "";
      canvas.append(img);
    }
  }
}

function applyStyle(items) {
  for (const item of items) {
    if (item.widget === "canvas") {
      $("canvas-panel").hidden = item.display === "invisible";
      $("canvas-panel").classList.toggle("highlight", item.display === "highlight");
    } else if (item.widget === "button" && item.button_id) {
      const node = [...$("buttons").children].find((b) => b.dataset.buttonId === item.button_id);
      if (node) {
        node.hidden = item.display === "invisible";
        node.classList.toggle("highlight", item.display === "highlight");
      }
    }
  }
}

// ── Dialogs ────────────────────────────────────────────────────────────
function openDialog(dialog, onSubmit, onOther) {
  const box = $("button-dialog");
  $("dialog-title").textContent = dialog.title ?? "";
  const fields = $("dialog-fields");
  fields.replaceChildren();
  const inputs = [];
  for (const component of dialog.components ?? []) {
    const label = el("label", "", component.label);
    let input;
    if (component.type === "dropdown") {
      input = el("select");
      for (const choice of component.choices ?? []) input.append(Object.assign(el("option", "", choice), { value: String(choice) }));
    } else if (component.type === "textbox") {
      input = el("textarea");
    } else {
      input = el("input");
      input.type = component.type === "number" ? "number" : component.type === "password" ? "password" : "text";
    }
    input.name = String(component.label);
    if (component.placeholder) input.placeholder = String(component.placeholder);
    if (component.required) input.required = true;
    label.append(input);
    fields.append(label);
    inputs.push({ label: String(component.label), input });
  }
  const buttons = $("dialog-buttons");
  buttons.replaceChildren();
  const bottoms = dialog.bottom_buttons?.length ? dialog.bottom_buttons : [{ id: "submit", text: "Submit", submit: true }];
  for (const bottom of bottoms) {
    const node = el("button", bottom.submit ? "" : "secondary", bottom.text);
    node.type = bottom.submit ? "submit" : "button";
    node.dataset.bottomId = bottom.id;
    node.addEventListener("click", (event) => {
      if (bottom.submit && !$("dialog-form").reportValidity()) return;
      event.preventDefault();
      box.close();
      if (bottom.submit) onSubmit(inputs.map(({ label, input }) => ({ label, value: input.value })), bottom.id);
      else onOther?.(bottom.id);
    });
    buttons.append(node);
  }
  box.showModal();
}

// ── The right-click menu ───────────────────────────────────────────────
function openMenu(event, message) {
  const items = state.menu.filter((item) => [].concat(item.message_subtypes ?? []).includes(message.subtype));
  if (items.length === 0) return;
  event.preventDefault();
  const menu = $("context-menu");
  menu.replaceChildren();
  for (const item of items) {
    const entry = el("li");
    const button = el("button", "", item.menu_item_text);
    button.type = "button";
    button.dataset.menuItemId = item.menu_item_id;
    button.addEventListener("click", () => {
      menu.hidden = true;
      const pick = (args) =>
        void send("action", {
          subtype: "menu_item_click",
          channel_id: state.current,
          menu_item_id: item.menu_item_id,
          message_id: message.message_id,
          message_subtype: message.subtype,
          message_content: message.content,
          arguments: args,
        }, { user_id: state.me.id });
      if (item.dialog) openDialog(item.dialog, (args) => pick(args));
      else pick([]);
    });
    entry.append(button);
    menu.append(entry);
  }
  menu.style.left = `${event.clientX}px`;
  menu.style.top = `${event.clientY}px`;
  menu.hidden = false;
}

document.addEventListener("click", (event) => {
  if (!$("context-menu").contains(event.target)) $("context-menu").hidden = true;
});

if (state.token && state.me) {
  enter().catch(() => {
    sessionStorage.clear();
    location.reload();
  });
}
