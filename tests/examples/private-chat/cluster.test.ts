/**
 * The private chat on two processes with one Redis and one SQLite file:
 * alice on one, bob on the other, chatting as if on one server; then
 * everything restarts and the history is still there. Also the
 * `start:cluster` script: N workers on one port.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";

import WebSocket from "ws";

import { ChildServer } from "../../redis/child-process.js";
import { freePort, RedisServer } from "../../redis/redis-server.js";
import { CHAT_APP, ChatClient, LISTENING, RUNNER, type Packet } from "./helpers.js";

const execFileAsync = promisify(execFile);

/** Logs in over HTTP on `base`; returns the `session_id=…` cookie pair. */
async function login(base: string, username: string): Promise<string> {
  const res = await fetch(`${base}/login`, { method: "POST", body: new URLSearchParams({ username }), redirect: "manual" });
  assert.equal(res.status, 303, `login as ${username}`);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/** Sockets the server closed right after opening them (see {@link connect}). */
let dropped = 0;

/**
 * Opens `/chat` on `port` as `cookie`, and returns once a ping was answered.
 * The uWS build upie runs on Node 22/24 (20.57) sometimes closes a socket it
 * has just upgraded after an await (uNetworking/uWebSockets#1929; the server
 * logs it once): such a socket opens and is gone a moment later, so the
 * packets published to it never arrive. Like upie/client, this reconnects.
 */
async function connect(port: number, cookie: string): Promise<ChatClient> {
  for (let attempt = 1; ; attempt++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/chat`, { headers: { cookie } });
    const client = new ChatClient(ws);
    const alive = await new Promise<boolean>((resolve, reject) => {
      ws.once("open", () => ws.ping());
      ws.once("pong", () => resolve(true));
      ws.once("close", () => resolve(false));
      ws.once("error", reject);
    });
    if (alive) return client;
    dropped++;
    assert.ok(attempt < 5, `the server closed ${attempt} sockets in a row right after opening them`);
  }
}

describe("examples/private-chat on two processes", { timeout: 120_000 }, () => {
  let redis: RedisServer;
  let dir: string;
  let env: Record<string, string>;
  const servers: ChildServer[] = [];

  const startChat = async () => {
    const server = await ChildServer.start(RUNNER, { ...env, PORT: "0" }, { args: [CHAT_APP], listening: LISTENING });
    servers.push(server);
    return server;
  };

  before(async () => {
    redis = await RedisServer.start({ persistent: true });
    dir = await mkdtemp(join(tmpdir(), "upie-chat-cluster-"));
    env = { REDIS_URL: redis.url, CHAT_DB: join(dir, "chat.db"), REDIS_PREFIX: "cluster:" };
  });

  after(async () => {
    if (dropped > 0) console.log(`${dropped} sockets were closed by uWS right after their upgrade and opened again`);
    await Promise.all(servers.map((server) => server.stop()));
    await redis?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("lets alice on process 1 and bob on process 2 see each other, talk, type and read; history survives a restart of everything", async () => {
    const [one, two] = [await startChat(), await startChat()];
    const aliceCookie = await login(one.url, "alice");
    const bobCookie = await login(two.url, "bob");
    // The sessions live in Redis: each cookie works on the other process too.
    assert.equal((await fetch(`${two.url}/`, { headers: { cookie: aliceCookie }, redirect: "manual" })).status, 200);

    const alice = await connect(one.port, aliceCookie);
    const bob = await connect(two.port, bobCookie);
    // Presence is claimed right after the handshake; ask until both claims are in.
    const names = (packet: Packet) => (packet.value as { username: string }[]).map((u) => u.username).join(",");
    for (let attempt = 0; ; attempt++) {
      alice.send({ type: "new-user", username: "alice" });
      const atAlice = await alice.next("users-changed", 10_000);
      const atBob = await bob.next("users-changed", 10_000);
      assert.equal(names(atBob), names(atAlice), "everyone gets the same list, on either process");
      if (names(atAlice) === "alice,bob") break;
      assert.ok(attempt < 50, `never both online: ${names(atAlice)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // A dialog, then presence across processes.
    assert.equal((await fetch(`${one.url}/dialogs/bob`, { headers: { cookie: aliceCookie } })).status, 200);
    bob.send({ type: "check-online" });
    assert.deepEqual((await bob.next("gone-online", 10_000)).usernames, ["alice"]);
    bob.send({ type: "online" });
    assert.deepEqual((await alice.next("gone-online", 10_000)).usernames, ["bob"]);

    alice.send({ type: "is-typing", username: "bob", typing: true });
    assert.equal((await bob.next("opponent-typing", 10_000)).username, "alice");

    alice.send({ type: "new-message", username: "bob", message: "hello from process 1" });
    const atBob = await bob.next("new-message", 10_000);
    const atAlice = await alice.next("new-message", 10_000);
    assert.equal(atBob.message, "hello from process 1");
    assert.equal(atBob.message_id, atAlice.message_id);
    bob.send({ type: "new-message", username: "alice", message: "hi from process 2" });
    assert.equal((await alice.next("new-message", 10_000)).message, "hi from process 2");
    await bob.next("new-message", 10_000);

    bob.send({ type: "read_message", username: "alice", message_id: atBob.message_id });
    assert.deepEqual(await alice.next("opponent-read-message", 10_000), { type: "opponent-read-message", username: "bob", message_id: atBob.message_id });

    // Bob leaves process 2: alice, on process 1, hears it.
    bob.close();
    assert.equal((await alice.next("gone-offline", 10_000)).username, "bob");
    alice.close();

    // Restart everything: both processes and Redis (with its append-only file).
    await Promise.all(servers.splice(0).map((server) => server.stop()));
    await redis.kill();
    await redis.restart();
    const again = await startChat();
    const history = await fetch(`${again.url}/api/dialogs/bob/messages`, { headers: { cookie: aliceCookie } });
    assert.equal(history.status, 200, "the session survived too");
    const body = (await history.json()) as { messages: { message: string; read: boolean }[] };
    assert.deepEqual(body.messages.map((m) => [m.message, m.read]), [["hello from process 1", true], ["hi from process 2", false]]);
  });

  it("starts N workers on one port with the runner's --workers (npm run start:cluster), and they serve as one chat", async () => {
    const port = await freePort();
    const cluster = await ChildServer.start(RUNNER, { ...env, PORT: String(port) }, { args: [CHAT_APP, "--workers", "2"], listening: LISTENING, times: 2 });
    servers.push(cluster);
    const pids = new Set([...cluster.output.matchAll(/\(pid (\d+);/g)].map((m) => m[1]));
    assert.equal(pids.size, 2, cluster.output);
    const base = `http://127.0.0.1:${port}`;
    const carol = await connect(port, await login(base, "carol"));
    const dave = await connect(port, await login(base, "dave"));
    carol.send({ type: "new-message", username: "dave", message: "through the cluster" });
    assert.equal((await dave.next("new-message", 10_000)).message, "through the cluster");
    carol.close();
    dave.close();
  });

  it("runs as one process without Redis, as npm start does, and keeps its data across a restart", async () => {
    const local = { CHAT_DB: join(dir, "alone.db"), REDIS_URL: "", PORT: "0" };
    let server = await ChildServer.start(RUNNER, local, { args: [CHAT_APP], listening: LISTENING });
    servers.push(server);
    assert.match(server.output, /one process/);
    const erinCookie = await login(server.url, "erin");
    const frank = await connect(server.port, await login(server.url, "frank"));
    const erin = await connect(server.port, erinCookie);
    erin.send({ type: "new-message", username: "frank", message: "kept on disk" });
    assert.equal((await frank.next("new-message", 10_000)).message, "kept on disk");
    frank.close();
    erin.close();
    await server.stop();
    server = await ChildServer.start(RUNNER, local, { args: [CHAT_APP], listening: LISTENING });
    servers.push(server);
    // Sessions were in memory: log in again; the messages were in SQLite.
    const again = await login(server.url, "erin");
    const history = (await (await fetch(`${server.url}/api/dialogs/frank/messages`, { headers: { cookie: again } })).json()) as { messages: { message: string }[] };
    assert.deepEqual(history.messages.map((m) => m.message), ["kept on disk"]);
  });

  it("refuses to start several workers without REDIS_URL (npm run start:cluster)", async () => {
    // --ignore-scripts: the check, not the client bundle its prestart builds.
    const run = execFileAsync("npm", ["run", "--silent", "--ignore-scripts", "start:cluster"], { env: { ...process.env, REDIS_URL: "", PORT: "8123" } });
    await assert.rejects(run, (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 2);
      assert.match(error.stderr ?? "", /several workers need REDIS_URL/);
      return true;
    });
  });
});
