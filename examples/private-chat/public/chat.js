// upie private chat: the browser side. Plain JavaScript; the only built file it
// loads is upie's own client (npm run build:client).
// Every piece of user text goes into the page through textContent, never as markup.
import { WSClient } from "./upie-client.js";

const app = document.getElementById("app");
const me = app.dataset.me;
const opponent = app.dataset.opponent || null;

const $ = (id) => document.getElementById(id);
const dialogsList = $("dialogs");
const onlineList = $("online-users");
const banner = $("connection");
const toast = $("toast");

/** How long "typing…" stays after the last typing packet, and how often we send ours. */
const TYPING_SHOWN_MS = 3000;
const TYPING_SEND_EVERY_MS = 2000;
const HISTORY_PAGE = 30;

let everConnected = false;

// ---- The connection ----------------------------------------------------------
// upie/client's WSClient (served as /static/upie-client.js, built from lib/ws-client)
// reconnects with backoff, logs in again after every connect, and keeps what is sent
// while the connection is down, delivering it in order once it is back.

const scheme = location.protocol === "https:" ? "wss" : "ws";
const client = new WSClient(`${scheme}://${location.host}/chat`, {
  onConnect: (c) =>
    Promise.all([
      c.send({ type: "new-user", username: me }),
      c.send({ type: "online", username: me }),
      c.send({ type: "check-online", username: me }),
    ]),
  handle: (text) => {
    let packet;
    try {
      packet = JSON.parse(text);
    } catch {
      return;
    }
    handle(packet);
  },
  reconnect: { initialDelayMs: 500, maxDelayMs: 30_000 },
  // What is typed during an outage waits this long for the connection to come back.
  sendTimeoutMs: 120_000,
});

client.on("connect", () => {
  banner.hidden = true;
  setComposerEnabled(true);
  if (everConnected && chat) chat.catchUp();
  everConnected = true;
  if (chat) chat.sendReadReceipt();
});
client.on("disconnect", (event) => {
  if (event.code === 4001) {
    // Logged out in another tab.
    void client.close();
    location.assign("/login");
    return;
  }
  banner.hidden = false;
});
client.on("reconnecting", (event) => {
  banner.hidden = !everConnected && event.attempt < 2;
  // A refused handshake looks like any failed attempt; ask the server whether we are still logged in.
  if (event.error) void checkStillLoggedIn();
});

/** A refused handshake looks like any dropped connection; ask the server whether we are still logged in. */
async function checkStillLoggedIn() {
  try {
    const res = await fetch("/", { redirect: "manual" });
    if (res.type === "opaqueredirect") location.assign("/login");
  } catch {
    // The server is down: keep retrying.
  }
}

/** Queues `packet`; it goes out in order once connected. Resolves when written, rejects if it never can be. */
function send(packet) {
  return client.send(packet);
}

function handle(packet) {
  switch (packet.type) {
    case "new-message":
      sidebar.message(packet);
      if (chat) chat.message(packet);
      break;
    case "users-changed":
      sidebar.usersChanged(packet.value);
      break;
    case "gone-online":
      for (const name of packet.usernames) setOnline(name, true);
      break;
    case "gone-offline":
      setOnline(packet.username, false);
      break;
    case "opponent-typing":
      if (chat && packet.username === opponent) chat.showTyping();
      break;
    case "opponent-read-message":
      if (chat && packet.username === opponent) chat.markReadUpTo(packet.message_id);
      break;
    case "error":
      if (chat && packet.for === "new-message") chat.failPending();
      showToast(packet.message);
      break;
  }
}

function setOnline(username, online) {
  sidebar.setOnline(username, online);
  if (chat && username === opponent) chat.setOpponentOnline(online);
}

let toastTimer;
function showToast(text) {
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (toast.hidden = true), 4000);
}

function setComposerEnabled(enabled) {
  const button = $("send");
  if (button) button.disabled = !enabled;
}

/** `<tag class=…>` with text, built without markup. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function initial(name) {
  return name.slice(0, 1).toUpperCase();
}

// ---- The sidebar: dialogs, unread counts, who is online --------------------

const sidebar = {
  entry(username) {
    for (const li of dialogsList.children) if (li.dataset.username === username) return li;
    return null;
  },

  /** Builds a dialog entry like the server's template does. */
  create(username) {
    const li = el("li", "dialog");
    li.dataset.username = username;
    const a = el("a");
    a.href = `/dialogs/${encodeURIComponent(username)}`;
    const avatar = el("span", "avatar", initial(username));
    avatar.append(el("span", "dot"));
    const who = el("span", "who");
    who.append(el("span", "name", username), el("span", "preview", ""));
    const unread = el("span", "unread", "0");
    unread.hidden = true;
    a.append(avatar, who, unread);
    li.append(a);
    $("no-dialogs").hidden = true;
    return li;
  },

  message(packet) {
    const partner = packet.sender_name === me ? packet.username : packet.sender_name;
    const li = this.entry(partner) ?? this.create(partner);
    li.querySelector(".preview").textContent = (packet.sender_name === me ? "You: " : "") + packet.message.slice(0, 80);
    if (packet.sender_name !== me && !(chat && partner === opponent && chat.visible())) {
      const badge = li.querySelector(".unread");
      badge.textContent = String(Number(badge.textContent) + 1);
      badge.hidden = false;
    }
    dialogsList.prepend(li); // the most recently active first
    this.updateTitle();
  },

  clearUnread(username) {
    const badge = this.entry(username)?.querySelector(".unread");
    if (badge) {
      badge.textContent = "0";
      badge.hidden = true;
    }
    this.updateTitle();
  },

  setOnline(username, online) {
    this.entry(username)?.querySelector(".dot").classList.toggle("online", online);
    if (!online) {
      for (const li of onlineList.children) if (li.dataset.username === username) li.remove();
      $("nobody-online").hidden = onlineList.children.length > 0;
    }
  },

  usersChanged(users) {
    const others = users.filter((u) => u.username !== me);
    onlineList.replaceChildren(
      ...others.map((u) => {
        const li = el("li", "online-user");
        li.dataset.username = u.username;
        const a = el("a");
        a.href = `/dialogs/${encodeURIComponent(u.username)}`;
        const avatar = el("span", "avatar", initial(u.username));
        avatar.append(el("span", "dot online"));
        a.append(avatar, el("span", "name", u.username));
        li.append(a);
        return li;
      }),
    );
    $("nobody-online").hidden = others.length > 0;
    const online = new Set(users.map((u) => u.username));
    for (const li of dialogsList.children) li.querySelector(".dot").classList.toggle("online", online.has(li.dataset.username));
    if (chat) chat.setOpponentOnline(online.has(opponent));
  },

  updateTitle() {
    let unread = 0;
    for (const badge of dialogsList.querySelectorAll(".unread")) unread += Number(badge.textContent) || 0;
    const base = opponent ? `${opponent} · upie chat` : "upie chat";
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  },
};

// ---- The chat page -------------------------------------------------------------

function createChat() {
  const list = $("message-list");
  const pendingList = $("pending-list");
  const scroller = $("messages");
  const input = $("message-input");
  const typing = $("typing");
  const olderButton = $("load-older");
  /** Rendered messages by id. */
  const byId = new Map();
  let typingTimer;
  let lastTypingSent = 0;
  /** Newest message from the opponent we have told the server we read. */
  let readUpTo = 0;
  /** Newest of our messages the opponent has read. */
  let readReceiptsSeen = 0;
  const visible = () => document.visibilityState === "visible";

  const atBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 40;
  const scrollToBottom = () => (scroller.scrollTop = scroller.scrollHeight);

  function formatTime(iso) {
    const date = new Date(iso);
    const sameDay = date.toDateString() === new Date().toDateString();
    const time = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return sameDay ? time : `${date.toLocaleDateString([], { month: "short", day: "numeric" })} ${time}`;
  }

  /** One message's `<li>`; the text goes in with textContent only. */
  function render(m, pending) {
    const mine = m.sender_name === me;
    const li = el("li", `msg ${mine ? "mine" : "theirs"}${pending ? " pending" : ""}`);
    const bubble = el("div", "bubble");
    const text = el("p", "text", m.message);
    const meta = el("span", "meta");
    const time = el("time", "", pending ? "" : formatTime(m.created));
    if (!pending) {
      time.dateTime = m.created;
      time.title = new Date(m.created).toLocaleString();
    }
    meta.append(time);
    if (mine) {
      const ticks = el("span", "ticks");
      meta.append(ticks);
      // A receipt may have arrived before this message was rendered (history and live packets interleave).
      const read = m.read || m.message_id <= readReceiptsSeen;
      setTicks(li, ticks, pending ? "pending" : read ? "read" : "sent");
    }
    bubble.append(text, meta);
    li.append(bubble);
    if (!pending) li.dataset.id = String(m.message_id);
    return li;
  }

  function setTicks(li, ticks, state) {
    li.dataset.state = state;
    ticks.textContent = state === "pending" ? "…" : state === "read" ? "✓✓" : "✓";
    ticks.title = state === "pending" ? "Sending" : state === "read" ? "Read" : "Sent";
    ticks.classList.toggle("read", state === "read");
  }

  /** Places a stored message in id order (history pages and live packets may interleave). */
  function insert(m) {
    if (byId.has(m.message_id)) return;
    const li = render(m, false);
    byId.set(m.message_id, { li, m });
    let before = null;
    for (let node = list.lastElementChild; node; node = node.previousElementSibling) {
      if (Number(node.dataset.id) < m.message_id) break;
      before = node;
    }
    list.insertBefore(li, before);
    $("no-messages").hidden = true;
  }

  function markReadUpTo(id) {
    readReceiptsSeen = Math.max(readReceiptsSeen, id);
    for (const { li, m } of byId.values()) {
      if (m.sender_name === me && m.message_id <= id && li.dataset.state !== "read") setTicks(li, li.querySelector(".ticks"), "read");
    }
  }

  async function fetchPage(before) {
    const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
    if (before !== undefined) query.set("before", String(before));
    const res = await fetch(`/api/dialogs/${encodeURIComponent(opponent)}/messages?${query}`);
    if (res.status === 401) {
      location.assign("/login");
      return null;
    }
    if (!res.ok) throw new Error(`history: HTTP ${res.status}`);
    return res.json();
  }

  async function loadLatest() {
    const page = await fetchPage();
    if (page === null) return;
    const stick = atBottom() || byId.size === 0;
    for (const m of page.messages) insert(m);
    if (byId.size === 0) olderButton.hidden = true;
    else if (!page.has_more) olderButton.hidden = true;
    else if (byId.size <= page.messages.length) olderButton.hidden = false;
    $("no-messages").hidden = byId.size > 0;
    if (stick) scrollToBottom();
    sendReadReceipt();
  }

  async function loadOlder() {
    const first = list.firstElementChild;
    if (!first) return;
    olderButton.disabled = true;
    const height = scroller.scrollHeight;
    try {
      const page = await fetchPage(Number(first.dataset.id));
      if (page === null) return;
      for (const m of page.messages) insert(m);
      olderButton.hidden = !page.has_more;
      scroller.scrollTop += scroller.scrollHeight - height; // keep what the reader was looking at in place
    } finally {
      olderButton.disabled = false;
    }
  }

  /** Tells the server we read the newest message from the opponent (which covers the earlier ones). */
  function sendReadReceipt() {
    if (!visible()) return;
    let newest = 0;
    for (const { m } of byId.values()) if (m.sender_name === opponent && !m.read && m.message_id > newest) newest = m.message_id;
    if (newest <= readUpTo) return;
    send({ type: "read_message", username: opponent, message_id: newest }).catch(() => {
      if (readUpTo === newest) readUpTo = 0; // not delivered: say it again next time
    });
    readUpTo = newest;
    for (const entry of byId.values()) if (entry.m.sender_name === opponent && entry.m.message_id <= newest) entry.m.read = true;
    sidebar.clearUnread(opponent);
  }

  function submit() {
    const text = input.value;
    if (text.trim() === "") return;
    const li = render({ sender_name: me, message: text }, true);
    li.dataset.text = text;
    pendingList.append(li);
    // Typed while disconnected, it waits in the client's queue and goes out, in order, on reconnect.
    send({ type: "new-message", username: opponent, message: text }).catch(() => {
      li.remove();
      if (input.value === "") {
        input.value = text;
        resizeInput();
      }
      showToast("Could not reach the server: your message was not sent.");
    });
    input.value = "";
    resizeInput();
    scrollToBottom();
    lastTypingSent = 0;
  }

  function resizeInput() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
  }

  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener("input", () => {
    resizeInput();
    const now = Date.now();
    // Typing is news only now: never queued for later.
    if (input.value !== "" && now - lastTypingSent > TYPING_SEND_EVERY_MS && client.connected) {
      send({ type: "is-typing", username: opponent, typing: true }).catch(() => {});
      lastTypingSent = now;
    }
  });
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
    input.focus();
  });
  olderButton.addEventListener("click", () => void loadOlder());
  document.addEventListener("visibilitychange", () => sendReadReceipt());
  window.addEventListener("focus", () => sendReadReceipt());

  return {
    visible,
    sendReadReceipt,
    catchUp: () => void loadLatest().catch((error) => showToast(error.message)),
    load: () => loadLatest(),

    message(packet) {
      const partner = packet.sender_name === me ? packet.username : packet.sender_name;
      if (partner !== opponent) return;
      const stick = atBottom();
      if (packet.sender_name === me) {
        // Our own message coming back with its id: it replaces the first pending bubble with the same text.
        for (const li of pendingList.children) {
          if (li.dataset.text === packet.message) {
            li.remove();
            break;
          }
        }
      } else {
        this.hideTyping();
      }
      insert({ ...packet, read: false });
      if (stick || packet.sender_name === me) scrollToBottom();
      sendReadReceipt();
    },

    markReadUpTo,

    /** The server refused our oldest unconfirmed message: take its bubble away and give the text back. */
    failPending() {
      const li = pendingList.firstElementChild;
      if (!li) return;
      li.remove();
      if (input.value === "") {
        input.value = li.dataset.text;
        resizeInput();
      }
    },

    showTyping() {
      typing.classList.add("visible");
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => typing.classList.remove("visible"), TYPING_SHOWN_MS);
    },

    hideTyping() {
      clearTimeout(typingTimer);
      typing.classList.remove("visible");
    },

    setOpponentOnline(online) {
      $("opponent-dot").classList.toggle("online", online);
      const status = $("opponent-status");
      status.textContent = online ? "online" : "offline";
      status.classList.toggle("online", online);
    },
  };
}

const chat = opponent ? createChat() : null;
setComposerEnabled(false);
if (chat) {
  sidebar.clearUnread(opponent);
  chat.load().catch((error) => showToast(error.message));
}
sidebar.updateTitle();
client.connect().catch(() => {}); // rejects only once closed (logged out)
