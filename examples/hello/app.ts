/**
 * upie's hello example: every feature in a few lines, MicroPie style.
 * Run: `npm run upie -- examples/hello/app.ts --reload` (the `upie` runner), then open http://127.0.0.1:8000
 */
import { App, HttpError, html, post, redirect, type UploadedFile } from "upie";

const FORM = `<!doctype html><title>upie</title>
<h1>upie says hello</h1>
<ul>
  <li><a href="/greet/Alice">/greet/Alice</a> · <a href="/greet?name=Bob">/greet?name=Bob</a></li>
  <li><a href="/api">/api</a> (JSON) · <a href="/visits">/visits</a> (session) · <a href="/ticks">/ticks</a> (streamed)</li>
</ul>
<form method="post" action="/greet"><input name="name" placeholder="your name"><button>Greet (form post)</button></form>
<form method="post" action="/upload" enctype="multipart/form-data"><input type="file" name="file"><button>Upload</button></form>`;

export class HelloApp extends App {
  /** `/` */
  async index() {
    return FORM;
  }

  /** `/greet/Alice`, `/greet?name=Alice`, or a form/JSON body with `name`; `html` escapes it. */
  async greet(name = "Guest") {
    return html`Hello, ${name}!`;
  }

  /** Objects become JSON. */
  async api() {
    return { framework: "upie", path: this.request.path, time: new Date().toISOString() };
  }

  /** A session counter: the cookie appears on the first visit. */
  async visits() {
    const session = this.request.session;
    session.visits = Number(session.visits ?? 0) + 1;
    return `You have visited this page ${session.visits} time(s).`;
  }

  /** Multipart upload, streamed to a temp file, bound by field name. POST only (`@post()`). */
  @post()
  async upload(file: UploadedFile) {
    if (file.size === 0) throw new HttpError(400, "Choose a file first");
    return { filename: file.filename, contentType: file.contentType, size: file.size };
  }

  /** An async generator is streamed chunk by chunk, with backpressure. */
  async *ticks() {
    for (let i = 1; i <= 5; i++) {
      yield `tick ${i}\n`;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** `[status, body, headers]` tuples and redirects. */
  async created() {
    return [201, { id: 7 }, { "X-Id": "7" }];
  }

  async home() {
    return redirect("/");
  }
}

