import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, Csrf, InMemorySessionBackend, TestClient, csrfToken } from "../../lib/index.js";
import { newSessionId } from "../../lib/session/session-id.js";

// Issue 10's scenario: a 10,000-entry store, one logged-in user, 10,400 anonymous requests.
const ANONYMOUS_REQUESTS = 10_400;

class Site extends App {
  async form() { return csrfToken(this.request); }
  async visit() {
    const session = this.request.session;
    session.visits = Number(session.visits ?? 0) + 1;
    return String(session.visits);
  }
  async login() {
    this.request.session.user = "ada";
    return "in";
  }
  async whoami() { return String(this.request.session.user ?? "nobody"); }
}

async function loggedInUser(app: Site): Promise<TestClient> {
  const user = new TestClient(app);
  await user.get("/login");
  assert.equal((await user.get("/whoami")).text, "ada");
  return user;
}

describe("mass logout", () => {
  it("anonymous CSRF tokens take no session slot: 10,400 of them leave a logged-in user logged in", async () => {
    const backend = new InMemorySessionBackend();
    const app = new Site({ sessionBackend: backend });
    app.middlewares.push(new Csrf());
    const user = await loggedInUser(app);
    for (let i = 0; i < ANONYMOUS_REQUESTS; i++) {
      const res = await new TestClient(app).get("/form");
      assert.equal(res.status, 200);
      if (i === 0) assert.ok(!res.setCookies.some((c) => c.startsWith("session_id=")), "no session cookie for an anonymous token");
    }
    assert.equal(backend.size, 1);
    assert.equal((await user.get("/whoami")).text, "ada");
  });

  it("anonymous sessions evict each other, never a session in use: 10,400 of them leave the user logged in", async () => {
    const backend = new InMemorySessionBackend();
    const app = new Site({ sessionBackend: backend });
    const user = await loggedInUser(app);
    for (let i = 0; i < ANONYMOUS_REQUESTS; i++) {
      assert.equal((await new TestClient(app).get("/visit")).text, "1");
    }
    assert.equal(backend.size, 10_000);
    assert.equal((await user.get("/whoami")).text, "ada");
  });
});

describe("InMemorySessionBackend eviction", () => {
  it("evicts fresh sessions (never loaded again) before any session in use, even an older one", async () => {
    const backend = new InMemorySessionBackend({ maxSessions: 3 });
    const [used, a, b, c] = [newSessionId(), newSessionId(), newSessionId(), newSessionId()];
    await backend.save(used, { user: "ada" }, 60);
    await backend.load(used); // a later request came back with it
    await backend.save(a, { n: 1 }, 60);
    await backend.save(b, { n: 1 }, 60);
    await backend.save(c, { n: 1 }, 60); // full: evicts a, the oldest fresh one, not `used`
    assert.deepEqual(await backend.load(used), { user: "ada" });
    assert.equal(await backend.load(a), undefined);
    assert.deepEqual(await backend.load(c), { n: 1 });
  });

  it("evicts the least recently used session in use once no fresh one is left", async () => {
    const backend = new InMemorySessionBackend({ maxSessions: 2 });
    const [x, y, z] = [newSessionId(), newSessionId(), newSessionId()];
    for (const id of [x, y]) {
      await backend.save(id, { id }, 60);
      await backend.load(id);
    }
    await backend.load(x);
    await backend.save(z, { id: z }, 60);
    assert.equal(await backend.load(y), undefined);
    assert.deepEqual(await backend.load(x), { id: x });
    assert.equal(backend.size, 2);
  });
});
