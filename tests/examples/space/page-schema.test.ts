/**
 * The page's protobuf functions, compiled ahead of time: the module the
 * page imports covers every function protobufjs generates, and a codegen
 * that only looks them up (as the page's shim does, under a CSP without
 * eval) encodes and decodes the protocol.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import protobuf from "protobufjs";

import { codegenKey, pageSchemaModule } from "../../../examples/space/page-schema.js";

type Codegen = ((format?: unknown, ...rest: unknown[]) => unknown) & { toString(name?: string): string };

describe("examples/space page schema", () => {
  it("serves every generated function, and a lookup-only codegen round-trips a batch and an action", async () => {
    const source = pageSchemaModule();
    const module = (await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`)) as {
      schema: protobuf.INamespace;
      precompiled: Record<string, (...scope: unknown[]) => unknown>;
    };
    assert.ok(Object.keys(module.precompiled).length > 100);
    const util = protobuf.util as unknown as { codegen: (params?: string[], name?: string) => Codegen };
    const original = util.codegen;
    const missing: string[] = [];
    let lookups = 0;
    util.codegen = (params, name) => {
      const gen = original(params, name);
      const shim = ((format?: unknown, ...rest: unknown[]) => {
        if (typeof format === "string") {
          gen(format, ...rest);
          return shim;
        }
        const scope = (format ?? {}) as Record<string, unknown>;
        const keys = Object.keys(scope);
        const factory = module.precompiled[codegenKey(keys, gen.toString())];
        if (factory === undefined) {
          missing.push(String(name));
          throw new Error(`not precompiled: ${name}`);
        }
        lookups++;
        return factory(...keys.map((k) => scope[k]));
      }) as Codegen;
      shim.toString = gen.toString;
      return shim;
    };
    try {
      const root = protobuf.Root.fromJSON(module.schema);
      const Batch = root.lookupType("upie.space.ServerClientBatch");
      const Action = root.lookupType("upie.space.ClientServerAction");
      const batch = { events: [{ ready: { id: "abc", encId: 7 } }, { playerChats: { contents: "hi", senderName: "Al", timestamp: 1.5 } }] };
      const decoded = Batch.toObject(Batch.decode(Batch.encode(Batch.fromObject(batch)).finish()), { oneofs: true });
      assert.deepEqual(decoded.events.map((e: { event: string }) => e.event), ["ready", "playerChats"]);
      assert.equal(decoded.events[1].playerChats.contents, "hi");
      const action = Action.decode(Action.encode(Action.fromObject({ txnId: 9, move: { dir: 2 } })).finish()) as unknown as { txnId: number; move: { dir: number } };
      assert.deepEqual([action.txnId, action.move.dir], [9, 2]);
    } finally {
      util.codegen = original;
    }
    assert.deepEqual(missing, []);
    assert.ok(lookups > 0, "the functions came from the module");
  });

  it("keys a function by its scope and source", () => {
    assert.equal(codegenKey(["a"], "function f(){}"), codegenKey(["a"], "function f(){}"));
    assert.notEqual(codegenKey(["a"], "function f(){}"), codegenKey(["b"], "function f(){}"));
  });
});
