import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { App, InvalidOptionError, TemplateEngineMissingError, TestClient } from "../../lib/index.js";
import { Templates } from "../../lib/templates/templates.js";

const dir = mkdtempSync(join(tmpdir(), "upie-templates-"));

class Pages extends App {
  async hello(name = "world") {
    return this.renderTemplate("hello.html", { name });
  }
  async page() {
    return this.renderTemplate("child.html", { title: "Home", items: ["a", "<b>"] });
  }
  async missing() {
    return this.renderTemplate("nope.html");
  }
}

before(() => {
  mkdirSync(join(dir, "layout"));
  writeFileSync(join(dir, "hello.html"), "<p>Hello, {{ name }}!</p>");
  writeFileSync(join(dir, "layout", "base.html"), "<title>{{ title }}</title>{% block body %}{% endblock %}");
  writeFileSync(
    join(dir, "child.html"),
    '{% extends "layout/base.html" %}{% block body %}<ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>{{ "<i>ok</i>" | safe }}{% endblock %}',
  );
  writeFileSync(join(dir, "cached.html"), "version 1");
  writeFileSync(join(dir, "broken.html"), "{% for x in %}");
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe("renderTemplate", () => {
  it("renders a template from the configured folder", async () => {
    const res = await new TestClient(new Pages({ templates: dir })).get("/hello/Ada");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(res.text, "<p>Hello, Ada!</p>");
  });

  it("escapes values by default", async () => {
    const res = await new TestClient(new Pages({ templates: dir })).get("/hello/%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    assert.equal(res.text, "<p>Hello, &lt;script&gt;alert(1)&lt;/script&gt;!</p>");
  });

  it("supports inheritance, loops and | safe", async () => {
    const res = await new TestClient(new Pages({ templates: dir })).get("/page");
    assert.equal(res.text, "<title>Home</title><ul><li>a</li><li>&lt;b&gt;</li></ul><i>ok</i>");
  });

  it("is not a route", async () => {
    const res = await new TestClient(new Pages({ templates: dir })).get("/renderTemplate/hello.html");
    assert.equal(res.status, 404);
  });

  it("answers a missing template with a logged 500", async () => {
    const logged: unknown[] = [];
    const app = new Pages({ templates: dir, logger: { error: (_m, e) => logged.push(e) } });
    const res = await new TestClient(app).get("/missing");
    assert.equal(res.status, 500);
    assert.doesNotMatch(res.text, /nope\.html/);
    assert.match(String(logged[0]), /nope\.html/);
  });

  it("reads from ./templates by default", () => {
    assert.equal(new Templates().dir, join(process.cwd(), "templates"));
  });
});

describe("Templates", () => {
  it("caches compiled templates", async () => {
    const templates = new Templates(dir);
    assert.equal(await templates.render("cached.html"), "version 1");
    writeFileSync(join(dir, "cached.html"), "version 2");
    assert.equal(await templates.render("cached.html"), "version 1");
    assert.equal(await new Templates(dir).render("cached.html"), "version 2");
  });

  it("rejects names that leave the folder", async () => {
    const templates = new Templates(dir);
    for (const name of ["../secret.html", "layout/../../x", "/etc/passwd", "C:\\x", "a\\b.html", "a\0.html", "", ".."]) {
      await assert.rejects(templates.render(name), InvalidOptionError, JSON.stringify(name));
    }
  });

  it("reports a template syntax error", async () => {
    await assert.rejects(new Templates(dir).render("broken.html"), /expected|parse|unexpected/i);
  });

  it("names the package to install when Nunjucks is missing", async () => {
    const templates = new Templates(dir, "nunjucks-not-installed-for-this-test");
    await assert.rejects(templates.render("hello.html"), (error: unknown) => {
      assert.ok(error instanceof TemplateEngineMissingError);
      assert.equal(error.code, "UPIE_ERR_TEMPLATE_ENGINE_MISSING");
      assert.match(error.message, /npm install nunjucks-not-installed-for-this-test/);
      return true;
    });
  });

  it("rejects an empty folder option", () => {
    assert.throws(() => new Templates(""), InvalidOptionError);
    assert.throws(() => new Pages({ templates: "" }), InvalidOptionError);
  });
});
