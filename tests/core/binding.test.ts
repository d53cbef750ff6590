import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { App, TestClient, route, type UploadedFile } from "../../lib/index.js";
import { recordingLogger } from "./helpers.js";

class Binder extends App {
  async greet(name = "Guest") { return `Hello, ${name}!`; }
  async need(name: string) { return `got ${name}`; }
  async two(a: string, b = "B") { return `${a}|${b}`; }
  async kind(value: unknown) { return typeof value; }
  async upload(file: UploadedFile) { return `${file.filename}:${file.size}`; }
  async login(user: string) {
    this.request.session.user = user;
    return "ok";
  }
  async whoami(user = "nobody") { return user; }
  async needUser(user: string) { return user; }
  async sessionUser() { return String(this.request.session.user ?? "nobody"); }
  async shape({ a } = { a: "default" }) { return a; }
  @route("/users/:name/card")
  async card(name: string) { return `card of ${name}`; }
}

const client = new TestClient(new Binder({ logger: recordingLogger() }));

describe("binding by parameter name", () => {
  it("binds a path segment first", async () => {
    const res = await client.post("/greet/Path?name=Query", { form: { name: "Form" } });
    assert.equal(res.text, "Hello, Path!");
  });

  it("binds the query when there is no segment", async () => {
    const res = await client.post("/greet?name=Query", { form: { name: "Form" } });
    assert.equal(res.text, "Hello, Query!");
  });

  it("binds an urlencoded form field after the query", async () => {
    assert.equal((await client.post("/greet", { form: { name: "Form" } })).text, "Hello, Form!");
  });

  it("binds a multipart field", async () => {
    const res = await client.post("/greet", {
      form: { name: "Multi" },
      files: { other: { filename: "x.txt", content: "x" } },
    });
    assert.equal(res.text, "Hello, Multi!");
  });

  it("binds a top-level JSON key", async () => {
    assert.equal((await client.post("/greet", { json: { name: "Json" } })).text, "Hello, Json!");
  });

  it("binds an uploaded file by field name", async () => {
    const res = await client.post("/upload", { files: { file: { filename: "a.txt", content: "hello" } } });
    assert.equal(res.text, "a.txt:5");
  });

  it("never binds a session value: the parameter's default applies, and the client's value is only ever the client's", async () => {
    const c = new TestClient(new Binder({ logger: recordingLogger() }));
    await c.get("/login/ada");
    assert.equal((await c.get("/whoami")).text, "nobody");
    assert.equal((await c.get("/whoami?user=admin")).text, "admin");
    assert.equal((await c.get("/needUser")).status, 400);
    assert.equal((await c.get("/sessionUser")).text, "ada");
  });

  it("binds a pattern parameter by name", async () => {
    assert.equal((await client.get("/users/Al/card?name=Query")).text, "card of Al");
  });

  it("uses the default when nothing matches", async () => {
    assert.equal((await client.get("/greet")).text, "Hello, Guest!");
    assert.equal((await client.get("/two/x")).text, "x|B");
  });

  it("answers 400 naming the missing required parameter", async () => {
    const res = await client.get("/need");
    assert.equal(res.status, 400);
    assert.equal(res.text, "Missing required parameter 'name'");
  });

  it("takes the first value of a repeated key and keeps all in queryParams", async () => {
    assert.equal((await client.get("/greet?name=first&name=second")).text, "Hello, first!");
    const form = await client.post("/greet", { form: { name: ["one", "two"] } });
    assert.equal(form.text, "Hello, one!");
  });

  it("passes query values as strings", async () => {
    assert.equal((await client.get("/kind?value=42")).text, "string");
  });

  it("leaves a destructured parameter to its default", async () => {
    assert.equal((await client.get("/shape?a=x")).text, "default");
  });

  it("ignores inherited names in query, form and JSON", async () => {
    assert.equal((await client.get("/need?toString=x")).status, 400);
    assert.equal((await client.post("/need", { json: JSON.parse('{"__proto__": "x"}') })).status, 400);
  });
});

describe("parameter lists", () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it("are read once at start-up, not per request", async () => {
    const c = new TestClient(new Binder({ logger: recordingLogger() }));
    await c.get("/greet/warm");
    const original = Function.prototype.toString;
    let reads = 0;
    Function.prototype.toString = function (this: Function) {
      reads++;
      return original.call(this);
    };
    restore = () => (Function.prototype.toString = original);
    for (let i = 0; i < 20; i++) assert.equal((await c.get(`/greet/n${i}`)).status, 200);
    await c.get("/two/a/b");
    restore();
    assert.equal(reads, 0);
  });
});
