import assert from "node:assert/strict";
import { describe, it } from "node:test";

import * as v from "valibot";
import { z } from "zod";

import { App, InvalidOptionError, post, route, type InvalidBodyResponse, type StandardSchemaV1 } from "../../lib/index.js";
import { testClientAdapter, uwsAdapter, type AdapterUnderTest } from "../../lib/testing/index.js";

const Transfer = z.object({ to: z.string().min(1), amount: z.coerce.number().positive() });
const Signup = v.object({ name: v.pipe(v.string(), v.trim(), v.minLength(2)), tags: v.optional(v.array(v.string()), []) });

/** A hand-written Standard Schema that answers asynchronously, as some validators do. */
const AsyncEven: StandardSchemaV1<unknown, { n: number }> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate: async (value) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      const n = (value as { n?: unknown } | undefined)?.n;
      return typeof n === "number" && n % 2 === 0 ? { value: { n } } : { issues: [{ message: "n must be even", path: [{ key: "n" }] }] };
    },
  },
};

class Bank extends App {
  calls = 0;
  @post({ schema: Transfer })
  async transfer(to: string, amount: number) {
    this.calls++;
    return { to, amount, typed: typeof amount, body: this.request.json() };
  }
  @route("/members/:team", { methods: ["POST"], schema: Signup })
  async signup(team: string, name: string, tags: string[]) { return { team, name, tags }; }
}

function bank(): Bank {
  const app = new Bank();
  app.route("/even", async function even(n: number) { return { half: n / 2 }; }, { methods: ["POST"], schema: AsyncEven });
  return app;
}

const JSON_HEADERS = { "content-type": "application/json" };

function suite(adapter: AdapterUnderTest): void {
  describe(`the schema route option on ${adapter.name}`, () => {
    it("hands the handler the schema's output: binding and request.json() both see it", async () => {
      const harness = await adapter.serve(bank());
      try {
        const ok = await harness.request("POST", "/transfer", { headers: JSON_HEADERS, body: '{"to":"bo","amount":"12.5"}' });
        assert.equal(ok.status, 200);
        assert.deepEqual(JSON.parse(ok.text), { to: "bo", amount: 12.5, typed: "number", body: { to: "bo", amount: 12.5 } });
        const trimmed = await harness.request("POST", "/members/red", { headers: JSON_HEADERS, body: '{"name":"  Al  "}' });
        assert.deepEqual(JSON.parse(trimmed.text), { team: "red", name: "Al", tags: [] });
        const even = await harness.request("POST", "/even", { headers: JSON_HEADERS, body: '{"n":8}' });
        assert.deepEqual(JSON.parse(even.text), { half: 4 });
      } finally {
        await harness.close();
      }
    });

    it("answers an invalid body with 422 and every issue, without running the handler", async () => {
      const app = bank();
      const harness = await adapter.serve(app);
      try {
        const bad = await harness.request("POST", "/transfer", { headers: JSON_HEADERS, body: '{"to":"","amount":-3}' });
        assert.equal(bad.status, 422);
        assert.match(bad.headers["content-type"]!, /^application\/json/);
        const body = JSON.parse(bad.text) as InvalidBodyResponse;
        assert.equal(body.code, "UPIE_ERR_INVALID_BODY");
        assert.deepEqual(body.issues.map((i) => i.path), [["to"], ["amount"]]);
        assert.ok(body.issues.every((i) => i.message.length > 0));
        const odd = await harness.request("POST", "/even", { headers: JSON_HEADERS, body: '{"n":7}' });
        assert.equal(odd.status, 422);
        assert.deepEqual(JSON.parse(odd.text).issues, [{ message: "n must be even", path: ["n"] }]);
        const short = await harness.request("POST", "/members/red", { headers: JSON_HEADERS, body: '{"name":" A ","tags":[1]}' });
        assert.deepEqual(JSON.parse(short.text).issues.map((i: { path: unknown[] }) => i.path), [["name"], ["tags", 0]]);
        assert.equal(app.calls, 0);
      } finally {
        await harness.close();
      }
    });

    it("validates a missing or non-JSON body as undefined (422), and malformed JSON stays a 400", async () => {
      const harness = await adapter.serve(bank());
      try {
        assert.equal((await harness.request("POST", "/transfer")).status, 422);
        const form = await harness.request("POST", "/transfer", {
          headers: { "content-type": "application/x-www-form-urlencoded" }, body: "to=bo&amount=3",
        });
        assert.equal(form.status, 422);
        assert.equal((await harness.request("POST", "/transfer", { headers: JSON_HEADERS, body: "{" })).status, 400);
        assert.equal((await harness.request("GET", "/transfer")).status, 405);
      } finally {
        await harness.close();
      }
    });
  });
}

suite(testClientAdapter);
suite(uwsAdapter);

describe("the schema option's checks", () => {
  it("refuses a schema that is not a Standard Schema, and one on a WebSocket route", () => {
    assert.throws(() => post({ schema: { parse() {} } as unknown as StandardSchemaV1 }), InvalidOptionError);
    assert.throws(() => new App().route("/x", async function x() {}, { schema: { "~standard": { version: 2 } } as unknown as StandardSchemaV1 }), InvalidOptionError);
    assert.throws(() => new App().route("/ws", async function ws() {}, { websocket: true, schema: Transfer }), InvalidOptionError);
    assert.throws(() => {
      class Sockets extends App {
        @route({ schema: Transfer })
        async ws_room(_ws: unknown) {}
      }
      return Sockets;
    }, InvalidOptionError);
  });
});
