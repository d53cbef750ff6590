/**
 * Issue 10's attacks that are about the wire, replayed over a real socket
 * (the socket-free versions live beside the code they test).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { App, html, post, type Server } from "../../lib/index.js";
import { rawRequest, recordingLogger } from "./helpers.js";

class Target extends App {
  transfers: string[] = [];
  async header(v: string) { return [200, "body", { "x-value": v }]; }
  async greet(name = "Guest") { return html`<p>Hello, ${name}!</p>`; }
  @post()
  async transfer(to: string) {
    this.transfers.push(to);
    return "sent";
  }
  async admin(user = "nobody") { return `admin page for ${user}, session user ${String(this.request.session.user ?? "none")}`; }
  async login() {
    this.request.session.user = "alice";
    return "in";
  }
  async pref(value: string) {
    this.request.setCookie("pref", value, { signed: true });
    return "set";
  }
  async role() { return String(this.request.signedCookies.role ?? "none"); }
}

describe("attacks over a real socket", () => {
  let server: Server;
  let app: Target;
  const logger = recordingLogger();
  before(async () => {
    app = new Target({ logger, secret: "wire-secret" });
    server = await app.listen({ port: 0, host: "127.0.0.1" });
  });
  after(() => server.close());

  const get = (target: string, headers = "") => rawRequest(server.port, `GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);

  it("never writes a response header holding VT, FF, DEL or another control character", async () => {
    for (const bad of ["a\vb", "a\fb", "a\x7Fb", "a\x1Bb", "a\x01b"]) {
      const res = await get(`/header?v=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 500, JSON.stringify(bad));
      assert.equal(res.headers["x-value"], undefined);
    }
    const tab = await get(`/header?v=${encodeURIComponent("a\tb")}`);
    assert.equal(tab.status, 200);
    assert.equal(tab.headers["x-value"], "a\tb");
  });

  it("escapes a reflected script in an html page", async () => {
    const res = await get(`/greet?name=${encodeURIComponent("<script>alert(1)</script>")}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(res.body.toString(), "<p>Hello, &lt;script&gt;alert(1)&lt;/script&gt;!</p>");
  });

  it("answers GET /transfer?to=evil on a POST-only handler with 405", async () => {
    const res = await get("/transfer?to=evil");
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, "POST");
    assert.deepEqual(app.transfers, []);
  });

  it("never lets ?user=admin stand in for a session value", async () => {
    const login = await get("/login");
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    const res = await get("/admin", `Cookie: ${cookie}\r\n`);
    assert.equal(res.body.toString(), "admin page for nobody, session user alice");
  });

  it("does not accept a signed pref=admin as role=admin", async () => {
    const set = await get("/pref/admin");
    const value = String(set.headers["set-cookie"]).split(";")[0]!.slice("pref=".length);
    const res = await get("/role", `Cookie: role=${value}\r\n`);
    assert.equal(res.body.toString(), "none");
  });
});
