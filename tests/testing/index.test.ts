/**
 * `upie/testing` exports the TestClient and its companions, the same classes
 * `upie` re-exports (a user's `import { TestClient } from "upie"` keeps working).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as main from "../../lib/index.js";
import * as testing from "../../lib/testing/index.js";

describe("upie/testing", () => {
  it("exports the TestClient, TestResponse and TestWebSocket that upie re-exports", () => {
    assert.equal(testing.TestClient, main.TestClient);
    assert.equal(testing.TestResponse, main.TestResponse);
    assert.equal(testing.TestWebSocket, main.TestWebSocket);
  });

  it("serves an app through the TestClient it exports", async () => {
    class Hello extends main.App {
      async index() { return "hi"; }
    }
    const client = new testing.TestClient(new Hello());
    try {
      assert.equal((await client.get("/")).text, "hi");
    } finally {
      await client.close();
    }
  });
});
