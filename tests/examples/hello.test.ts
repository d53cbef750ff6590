import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TestClient } from "../../lib/index.js";
import { HelloApp } from "../../examples/hello/app.js";

describe("examples/hello", () => {
  const client = new TestClient(new HelloApp());

  it("serves the index page with its forms", async () => {
    const res = await client.get("/");
    assert.equal(res.status, 200);
    assert.match(res.text, /<form method="post" action="\/upload"/);
  });

  it("greets by path, query, form and JSON, escaping the name", async () => {
    assert.equal((await client.get("/greet/Alice")).text, "Hello, Alice!");
    assert.equal((await client.get("/greet?name=Bob")).text, "Hello, Bob!");
    assert.equal((await client.post("/greet", { form: { name: "Carol" } })).text, "Hello, Carol!");
    assert.equal((await client.post("/greet", { json: { name: "Dan" } })).text, "Hello, Dan!");
    assert.equal((await client.get("/greet/%3Cb%3E")).text, "Hello, &lt;b&gt;!");
  });

  it("answers JSON from /api", async () => {
    const res = await client.get("/api");
    assert.equal(res.json().framework, "upie");
    assert.match(res.headers["content-type"]!, /^application\/json/);
  });

  it("counts visits in the session", async () => {
    const visitor = new TestClient(new HelloApp());
    assert.match((await visitor.get("/visits")).text, / 1 time/);
    assert.match((await visitor.get("/visits")).text, / 2 time/);
    assert.ok(visitor.cookies.has("session_id"));
  });

  it("takes an upload by POST only", async () => {
    assert.equal((await client.get("/upload")).status, 405);
    const res = await client.post("/upload", { files: { file: { filename: "a.txt", content: "hello", contentType: "text/plain" } } });
    assert.deepEqual(res.json(), { filename: "a.txt", contentType: "text/plain", size: 5 });
  });

  it("streams ticks", async () => {
    const res = await client.get("/ticks");
    assert.equal(res.text.split("\n").filter(Boolean).length, 5);
  });

  it("returns tuples and redirects", async () => {
    const created = await client.get("/created");
    assert.equal(created.status, 201);
    assert.equal(created.headers["x-id"], "7");
    const home = await client.get("/home");
    assert.equal(home.status, 302);
    assert.equal(home.headers.location, "/");
  });
});
