import assert from "node:assert/strict";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { App, type Server } from "../../lib/index.js";
import { recordingLogger } from "./helpers.js";

class Counter extends App {
  async greet(name: string) { return `Hello, ${name}!`; }
  async wait(name: string) {
    await sleep(Math.random() * 20);
    return { name, seen: this.request.query("id") };
  }
}

/** GET over a keep-alive agent, resolving with the body text. */
function get(agent: http.Agent, port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path, agent }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve(text));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

describe("many requests", () => {
  const logger = recordingLogger();
  let server: Server;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 100 });

  before(async () => {
    server = await new Counter({ logger }).listen({ port: 0, host: "127.0.0.1" });
  });
  after(async () => {
    agent.destroy();
    await server.close();
  });

  it("answers 1000 sequential requests on a keep-alive connection", async () => {
    for (let i = 0; i < 1000; i++) {
      assert.equal(await get(agent, server.port, `/greet/n${i}`), `Hello, n${i}!`);
    }
  });

  it("answers 200 sequential JSON POSTs on a keep-alive connection", async () => {
    for (let i = 0; i < 200; i++) {
      const text = await new Promise<string>((resolve, reject) => {
        const body = JSON.stringify({ name: `p${i}` });
        const req = http.request(
          { host: "127.0.0.1", port: server.port, path: "/greet", method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
          (res) => {
            let out = "";
            res.on("data", (chunk: Buffer) => (out += chunk));
            res.on("end", () => resolve(out));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
      assert.equal(text, `Hello, p${i}!`);
    }
  });

  it("answers 100 concurrent requests, each with its own data", async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => get(agent, server.port, `/wait/n${i}?id=${i}`)),
    );
    answers.forEach((text, i) => assert.deepEqual(JSON.parse(text), { name: `n${i}`, seen: String(i) }));
    assert.deepEqual(logger.errors, []);
  });
});
