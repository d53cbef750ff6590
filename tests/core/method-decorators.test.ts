import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, TestClient, get, post } from "../../lib/index.js";

describe("@post() and @get()", () => {
  class Bank extends App {
    transfers: string[] = [];
    @post()
    async transfer(to: string) {
      this.transfers.push(to);
      return "sent";
    }
    @get()
    async balance() { return "100"; }
    @post("/accounts/:id/close")
    async closeAccount(id: string) { return `closed ${id}`; }
  }

  it("refuses GET on a POST-only handler with 405 and Allow: POST, so a link cannot trigger it", async () => {
    const app = new Bank();
    const client = new TestClient(app);
    const res = await client.get("/transfer?to=evil");
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, "POST");
    assert.deepEqual(app.transfers, []);
    assert.equal((await client.post("/transfer", { form: { to: "friend" } })).text, "sent");
    assert.deepEqual(app.transfers, ["friend"]);
  });

  it("serves a GET-only handler on GET and HEAD only", async () => {
    const client = new TestClient(new Bank());
    assert.equal((await client.get("/balance")).text, "100");
    assert.equal((await client.head("/balance")).status, 200);
    const res = await client.post("/balance");
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, "GET, HEAD");
  });

  it("takes a pattern", async () => {
    const client = new TestClient(new Bank());
    assert.equal((await client.post("/accounts/7/close")).text, "closed 7");
    assert.equal((await client.get("/accounts/7/close")).status, 405);
  });
});
