import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { App, Html, TestClient, escapeHtml, html } from "../../lib/index.js";

const ATTACK = `<script>alert("x")</script><img src=x onerror='y'>&\``;

class Pages extends App {
  async greet(name = "Guest") { return html`<p>Hello, ${name}!</p>`; }
  async list(...items: string[]) { return html`<ul>${items.map((item) => html`<li>${item}</li>`)}</ul>`; }
  async attr(title = "") { return html`<a title="${title}">x</a>`; }
  async trusted() { return html`${html.raw("<b>bold</b>")}<i>${"<i>"}</i>`; }
  async made(name = "") { return [201, html`<p>${name}</p>`]; }
}

const client = new TestClient(new Pages());

describe("html", () => {
  it("escapes every interpolated value", () => {
    assert.equal(
      html`<p>${ATTACK}</p>`.value,
      "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;&#96;</p>",
    );
  });

  it("keeps nested html and html.raw as they are, and escapes the rest", () => {
    const inner = html`<b>${"<"}</b>`;
    assert.equal(html`<div>${inner}${html.raw("<hr>")}${"<hr>"}</div>`.value, "<div><b>&lt;</b><hr>&lt;hr&gt;</div>");
  });

  it("renders arrays item by item and nothing for null, undefined and false", () => {
    assert.equal(html`${["<a>", html`<b>`, 1]}|${null}${undefined}${false}|${0}`.value, "&lt;a&gt;<b>1||0");
  });

  it("leaves text without special characters untouched", () => {
    assert.equal(escapeHtml("plain text: 100% ok"), "plain text: 100% ok");
    assert.equal(escapeHtml("a<b"), "a&lt;b");
    assert.equal(escapeHtml("a<b"), "a&lt;b"); // no state carried between calls
  });

  it("is an Html whose string form is the markup", () => {
    const page = html`<p>${"x"}</p>`;
    assert.ok(page instanceof Html);
    assert.equal(String(page), "<p>x</p>");
    assert.equal(JSON.stringify({ page }), '{"page":"<p>x</p>"}');
  });
});

describe("html from a handler", () => {
  it("is served as text/html with user input escaped (no reflected XSS)", async () => {
    const res = await client.get(`/greet?name=${encodeURIComponent(ATTACK)}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.ok(!res.text.includes("<script>"));
    assert.ok(!res.text.includes("<img"));
    assert.match(res.text, /^<p>Hello, &lt;script&gt;/);
  });

  it("escapes inside quoted attributes", async () => {
    const res = await client.get(`/attr?title=${encodeURIComponent(`" onmouseover="alert(1)`)}`);
    assert.equal(res.text, `<a title="&quot; onmouseover=&quot;alert(1)">x</a>`);
  });

  it("renders lists of nested templates", async () => {
    assert.equal((await client.get("/list/a/%3Cb%3E")).text, "<ul><li>a</li><li>&lt;b&gt;</li></ul>");
  });

  it("embeds trusted markup from html.raw", async () => {
    assert.equal((await client.get("/trusted")).text, "<b>bold</b><i>&lt;i&gt;</i>");
  });

  it("works as the body of a [status, body] tuple", async () => {
    const res = await client.get("/made?name=%3Cx%3E");
    assert.equal(res.status, 201);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(res.text, "<p>&lt;x&gt;</p>");
  });
});
