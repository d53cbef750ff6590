import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { App, TestClient, route } from "../../lib/index.js";
import { recordingLogger } from "./helpers.js";

class Requests extends App {
  async slow(tag: string, delay: string) {
    const before = this.request.query("tag");
    await sleep(Number(delay));
    const after = await this.#later();
    return { tag, before, after, path: this.request.path };
  }

  async #later() {
    await sleep(1);
    return this.request.query("tag");
  }

  async *stream(tag: string) {
    yield `${tag}:`;
    await sleep(Number(tag.slice(1)));
    yield this.request.query("tag") ?? "none";
  }

  async describe() {
    const r = this.request;
    return {
      method: r.method,
      path: r.path,
      agent: r.headers["x-agent"],
      remote: r.remoteAddress,
      query: r.query("q"),
      missing: r.query("nope", "fallback"),
      all: r.queryParams.q,
    };
  }

  async form() {
    const r = this.request;
    return { a: r.form("a"), fallback: r.form("zz", "dflt"), all: r.bodyParams.a };
  }

  async json() {
    const r = this.request;
    return { whole: r.json(), key: r.json("k"), fallback: r.json("zz", 9), inherited: r.json("toString", "none") };
  }

  async cookies() {
    return { ...this.request.cookies };
  }

  async bake() {
    this.request.setCookie("theme", "dark");
    this.request.deleteCookie("old");
    return "baked";
  }

  @route("/orders/:id")
  async order(id: string) {
    return { id, params: { ...this.request.pathParams } };
  }

  async nested(a: string, b: string) {
    return { ...this.request.pathParams };
  }
}

const client = new TestClient(new Requests({ logger: recordingLogger() }));

describe("this.request", () => {
  it("stays with its own request across awaits under concurrency", async () => {
    const delays = [30, 5, 20, 1, 15, 10, 25, 2];
    const responses = await Promise.all(
      delays.map((delay, i) => client.get(`/slow/t${i}/${delay}?tag=t${i}`)),
    );
    responses.forEach((res, i) => {
      assert.deepEqual(res.json(), { tag: `t${i}`, before: `t${i}`, after: `t${i}`, path: `/slow/t${i}/${delays[i]}` });
    });
  });

  it("is the current request inside a streaming async generator handler", async () => {
    const responses = await Promise.all([15, 1, 8].map((delay) => client.get(`/stream/t${delay}?tag=t${delay}`)));
    assert.deepEqual(responses.map((res) => res.text), ["t15:t15", "t1:t1", "t8:t8"]);
  });

  it("throws outside of a request", () => {
    const app = new Requests();
    assert.throws(() => app.request, /only available while handling a request/);
  });

  it("has method, path, lower-case headers, query and remote address", async () => {
    const res = await client.request("PATCH", "/describe?q=1&q=2", { headers: { "X-Agent": "test" }, remoteAddress: "10.0.0.9" });
    assert.deepEqual(res.json(), {
      method: "PATCH",
      path: "/describe",
      agent: "test",
      remote: "10.0.0.9",
      query: "1",
      missing: "fallback",
      all: ["1", "2"],
    });
  });

  it("reads form fields with form() and bodyParams", async () => {
    const res = await client.post("/form", { form: { a: ["x", "y"] } });
    assert.deepEqual(res.json(), { a: "x", fallback: "dflt", all: ["x", "y"] });
  });

  it("reads the JSON body with json()", async () => {
    const res = await client.post("/json", { json: { k: "v", n: 1 } });
    assert.deepEqual(res.json(), { whole: { k: "v", n: 1 }, key: "v", fallback: 9, inherited: "none" });
  });

  it("returns the fallback from json() without a JSON body", async () => {
    const res = await client.get("/json");
    assert.deepEqual(res.json(), { fallback: 9, inherited: "none" });
  });

  it("parses cookies, first occurrence winning", async () => {
    const res = await client.get("/cookies", { headers: { cookie: "a=1; b=two%20words; a=3" } });
    assert.deepEqual(res.json(), { a: "1", b: "two words" });
  });

  it("keeps a cookie with bad percent-encoding as sent", async () => {
    const res = await client.get("/cookies", { headers: { cookie: "bad=%E0%A4%A; good=%C3%A9" } });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { bad: "%E0%A4%A", good: "é" });
  });

  it("drops a cookie named __proto__", async () => {
    const res = await client.get("/cookies", { headers: { cookie: "__proto__=x; ok=1" } });
    assert.deepEqual(res.json(), { ok: "1" });
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("sets and deletes cookies with secure defaults", async () => {
    const res = await client.get("/bake");
    assert.equal(res.setCookies.length, 2);
    const [set, deleted] = res.setCookies;
    assert.match(set!, /^theme=dark;/);
    assert.match(set!, /Path=\//);
    assert.match(set!, /HttpOnly/);
    assert.match(set!, /SameSite=Lax/);
    assert.match(deleted!, /^old=;/);
    assert.match(deleted!, /Max-Age=0/);
  });

  it("exposes pattern and positional parameters as pathParams", async () => {
    assert.deepEqual((await client.get("/orders/42")).json(), { id: "42", params: { id: "42" } });
    assert.deepEqual((await client.get("/nested/x/y")).json(), { a: "x", b: "y" });
  });
});

describe("Request fields the core writes", () => {
  it("are read-only to users (a compile error), and hold what the core wrote", async () => {
    class Fields extends App {
      async item(id: string) {
        // @ts-expect-error pathParams is read-only to users: the core writes it
        if (false as boolean) this.request.pathParams = {};
        // @ts-expect-error body is read-only to users
        if (false as boolean) this.request.body = undefined;
        // @ts-expect-error jsonBody is read-only to users
        if (false as boolean) this.request.jsonBody = 1;
        // @ts-expect-error bodyParams is read-only to users
        if (false as boolean) this.request.bodyParams = {};
        // @ts-expect-error files is read-only to users
        if (false as boolean) this.request.files = {};
        return { id, param: this.request.pathParams.id, json: this.request.jsonBody };
      }
    }
    const client = new TestClient(new Fields());
    try {
      assert.deepEqual((await client.post("/item/7", { json: { a: 1 } })).json(), { id: "7", param: "7", json: { a: 1 } });
    } finally {
      await client.close();
    }
  });
});
