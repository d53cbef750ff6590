import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, ERRORS, HttpError, TestClient, route } from "../../lib/index.js";
import { RouteTable } from "../../lib/core/route-table.js";

class Site extends App {
  async index() { return "Welcome"; }
  async greet(name = "Guest") { return `Hello, ${name}!`; }
  async files(...parts: string[]) { return parts; }
  async pair(a: string, b: string) { return `${a}+${b}`; }
  async ws_echo() { return "never over HTTP"; }
  _helper() { return "private"; }
  async __x() { return "private too"; }
  status = "not a function";
  @route("/users/:id/posts/:post")
  async userPost(id: string, post: string) { return { id, post }; }
  @route("/tree/*path")
  async tree(path: string) { return path; }
  @route({ methods: ["POST"] })
  async submit() { return "submitted"; }
  @route("/items/:id", { methods: ["GET", "DELETE"] })
  async item(id: string) { return `item ${id}`; }
}

class Catchall extends App {
  async index(first = "", second = "") { return `index:${first}:${second}`; }
  async known() { return "known"; }
}

const client = new TestClient(new Site());

describe("routing by method name", () => {
  it("serves index at /", async () => {
    const res = await client.get("/");
    assert.equal(res.status, 200);
    assert.equal(res.text, "Welcome");
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
  });

  it("binds path segments positionally", async () => {
    assert.equal((await client.get("/greet/Alice")).text, "Hello, Alice!");
    assert.equal((await client.get("/pair/x/y")).text, "x+y");
  });

  it("uses the default when a segment is absent", async () => {
    assert.equal((await client.get("/greet")).text, "Hello, Guest!");
    assert.equal((await client.get("/greet/")).text, "Hello, Guest!");
  });

  it("gives a rest parameter every remaining segment", async () => {
    assert.deepEqual((await client.get("/files/a/b/c")).json(), ["a", "b", "c"]);
    assert.deepEqual((await client.get("/files")).json(), []);
  });

  it("decodes each segment after splitting, so %2F stays inside its segment", async () => {
    assert.equal((await client.get("/greet/A%20B")).text, "Hello, A B!");
    assert.deepEqual((await client.get("/files/a%2Fb/c")).json(), ["a/b", "c"]);
  });

  it("answers 404 for more segments than parameters", async () => {
    assert.equal((await client.get("/greet/a/b")).status, 404);
  });

  it("answers 404 for unknown routes", async () => {
    assert.equal((await client.get("/nope")).status, 404);
  });

  for (const path of ["/_helper", "/%5Fhelper", "/%5fhelper", "/__x", "/constructor", "/__proto__", "/toString",
    "/hasOwnProperty", "/valueOf", "/listen", "/route", "/request", "/middlewares", "/status", "/ws_echo", "/echo"]) {
    it(`rejects ${path} with 404`, async () => {
      const res = await client.get(path);
      assert.equal(res.status, 404, `${path} answered ${res.status}: ${res.text}`);
    });
  }

  it("answers 400 for bad percent-encoding", async () => {
    const res = await client.get("/greet/%E0%A4%A");
    assert.equal(res.status, 400);
  });

  it("answers 414 for an over-long segment", async () => {
    const res = await client.get(`/greet/${"a".repeat(5000)}`);
    assert.equal(res.status, 414);
  });

  it("answers any HTTP method by default", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      assert.equal((await client.request(method, "/greet/Al")).text, "Hello, Al!");
    }
  });

  it("sends no body for HEAD", async () => {
    const res = await client.head("/greet/Al");
    assert.equal(res.status, 200);
    assert.equal(res.body.byteLength, 0);
  });
});

describe("index fallback", () => {
  const c = new TestClient(new Catchall());
  it("gives index every segment when no method matches and index takes parameters", async () => {
    assert.equal((await c.get("/a/b")).text, "index:a:b");
    assert.equal((await c.get("/known")).text, "known");
    assert.equal((await c.get("/")).text, "index::");
  });

  it("does not call a private method through the fallback", async () => {
    assert.equal((await c.get("/_helper")).text, "index:_helper:");
    assert.equal((await c.get("/a/b/c")).status, 404);
  });
});

describe("explicit routes", () => {
  it("matches a path pattern and binds by name", async () => {
    assert.deepEqual((await client.get("/users/7/posts/9")).json(), { id: "7", post: "9" });
  });

  it("serves a decorated method only at its pattern", async () => {
    assert.equal((await client.get("/userPost/7/9")).status, 404);
  });

  it("takes the rest with *name", async () => {
    assert.equal((await client.get("/tree/a/b/c")).text, "a/b/c");
  });

  it("answers 405 with Allow for a restricted method", async () => {
    const res = await client.get("/submit");
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, "POST");
    assert.equal((await client.post("/submit")).text, "submitted");
  });

  it("lets GET bring HEAD along", async () => {
    const res = await client.put("/items/3");
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, "DELETE, GET, HEAD");
    assert.equal((await client.head("/items/3")).status, 200);
    assert.equal((await client.delete("/items/3")).text, "item 3");
  });

  it("adds routes with app.route() from plain JavaScript", async () => {
    const app = new App();
    app.route("/a/:x", async function (x: string) { return `got ${x}`; }, { methods: ["GET"] });
    const c = new TestClient(app);
    assert.equal((await c.get("/a/1")).text, "got 1");
    assert.equal((await c.post("/a/1")).status, 405);
  });

  it("matches a pattern in time linear in the path, whatever the input", async () => {
    const res = await client.get(`/users/${"a/".repeat(200)}posts`);
    assert.equal(res.status, 404);
  });
});

describe("RouteTable", () => {
  class Base {
    shared() {}
  }
  class Routes extends Base {
    index() {}
    page(a: string) { return a; }
    ws_() {}
    ws_room(_ws: unknown, name: string) { return name; }
    override toString() { return "never a route"; }
  }
  const explicit = [
    { pattern: "/page/:id", fn: function read(id: string) { return id; }, methods: ["GET"] },
    { pattern: "/page/:id", fn: function write(id: string) { return id; }, methods: ["PUT", "DELETE"] },
    { pattern: "/live/:id", fn: function live(_ws: unknown, id: string) { return id; }, websocket: true },
  ];
  const http = new RouteTable(new Routes(), Base.prototype, explicit, false);
  const ws = new RouteTable(new Routes(), Base.prototype, explicit, true);
  const status = (fn: () => unknown) => {
    try {
      fn();
      return 200;
    } catch (error) {
      return error instanceof HttpError ? `${error.status} ${error.code} ${error.headers.allow ?? ""}`.trim() : "thrown";
    }
  };

  it("tries explicit patterns before method names, and lists every pattern's methods in Allow (GET brings HEAD)", () => {
    assert.equal(http.match("PUT", ["page", "7"]).handler.name, "write");
    assert.deepEqual({ ...http.match("GET", ["page", "7"]).named }, { id: "7" });
    assert.equal(status(() => http.match("POST", ["page", "7"])), `405 ${ERRORS.METHOD_NOT_ALLOWED.code} DELETE, GET, HEAD, PUT`);
    assert.deepEqual(http.match("POST", ["page"]).positional, [], "the name route still serves /page");
  });

  it("keeps base classes' and Object's names out", () => {
    assert.equal(status(() => http.match("GET", ["shared"])), `404 ${ERRORS.NOT_FOUND.code}`);
    assert.equal(status(() => http.match("GET", ["toString"])), `404 ${ERRORS.NOT_FOUND.code}`);
  });

  it("builds the WebSocket table from ws_ methods alone, ws_ itself at /, with the socket not a path parameter", () => {
    assert.equal(ws.match("GET", []).handler.name, "ws_");
    const room = ws.match("GET", ["room", "lobby"]);
    assert.deepEqual([room.handler.name, room.handler.firstBound, room.handler.capacity, room.positional], ["ws_room", 1, 1, ["lobby"]]);
    assert.equal(ws.match("GET", ["live", "3"]).handler.name, "live");
    assert.equal(status(() => ws.match("GET", ["page"])), `404 ${ERRORS.NOT_FOUND.code}`);
    assert.equal(status(() => http.match("GET", ["room"])), `404 ${ERRORS.NOT_FOUND.code}`);
    assert.equal(status(() => http.match("GET", ["live", "3"])), `404 ${ERRORS.NOT_FOUND.code}`);
  });

  it("hands back one shared match for /, the hottest route", () => {
    assert.equal(http.match("GET", []), http.match("HEAD", []));
  });
});
