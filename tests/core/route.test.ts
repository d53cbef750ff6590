import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, ERRORS, InvalidOptionError, TestClient, WebSocket, post, route } from "../../lib/index.js";

/** Asserts `fn` throws the unbound-parameter error and that its message names all of `parts`. */
function assertUnbound(fn: () => unknown, ...parts: string[]): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOptionError);
    assert.equal((error as InvalidOptionError).code, ERRORS.ROUTE_PARAMETER_UNBOUND.code);
    for (const part of parts) assert.ok((error as Error).message.includes(part), `"${(error as Error).message}" names ${part}`);
    return true;
  });
}

describe("route pattern parameters", () => {
  it("rejects a decorated method whose pattern names a parameter it does not have", () => {
    assertUnbound(() => {
      class Blog extends App {
        @route("/users/:id/posts/:post", { methods: ["GET"] })
        async userPost(id: string, post2: string) { return { id, post2 }; }
      }
      return Blog;
    }, "userPost", "/users/:id/posts/:post", '"post"', "id, post2");
  });

  it("rejects a rest pattern whose name no parameter has", () => {
    assertUnbound(() => {
      class Tree extends App {
        @post("/tree/*path")
        async tree(...parts: string[]) { return parts; }
      }
      return Tree;
    }, "tree", "/tree/*path", '"path"', "parts");
  });

  it("says a method has no parameters at all", () => {
    assertUnbound(() => {
      class Orders extends App {
        @route("/orders/:id")
        async order() { return "which?"; }
      }
      return Orders;
    }, "order", "/orders/:id", "(none)");
  });

  it("does not count the socket of a ws_ method as a path parameter", () => {
    assertUnbound(() => {
      class Rooms extends App {
        @route("/rooms/:ws")
        async ws_room(ws: WebSocket) { await ws.accept(); }
      }
      return Rooms;
    }, "ws_room", "/rooms/:ws");
  });

  it("rejects app.route() with a handler that lacks a pattern's parameter, when it is called", () => {
    const app = new App();
    assertUnbound(() => app.route("/health/:part", async function (piece: string) { return piece; }), "/health/:part", "piece");
  });

  it("accepts patterns whose every parameter is bound, and serves them", async () => {
    class Fine extends App {
      @route("/users/:id/posts/:postId", { methods: ["GET"] })
      async userPost(id: string, postId: string) { return { id, postId }; }
      @route("/files/*path")
      async file(path: string) { return path; }
      @route("/rooms/:name")
      async ws_room(ws: WebSocket, name: string) { await ws.accept(); await ws.sendText(name); }
    }
    const client = new TestClient(new Fine());
    assert.deepEqual((await client.get("/users/7/posts/9")).json(), { id: "7", postId: "9" });
    assert.equal((await client.get("/files/a/b")).text, "a/b");
  });
});
