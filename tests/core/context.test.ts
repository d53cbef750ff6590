import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { bindToRequest, currentRequest, runWithRequest } from "../../lib/core/context.js";
import type { Request } from "../../lib/core/request.js";

/** Stand-ins: the context only carries the object, it never reads it. */
const requestA = { path: "/a" } as unknown as Request;
const requestB = { path: "/b" } as unknown as Request;

describe("runWithRequest and currentRequest", () => {
  it("has no request outside of one", () => {
    assert.equal(currentRequest(), undefined);
  });

  it("gives fn the request, returns fn's result, and restores the outer one after", () => {
    const result = runWithRequest(requestA, () => {
      assert.equal(currentRequest(), requestA);
      runWithRequest(requestB, () => assert.equal(currentRequest(), requestB));
      assert.equal(currentRequest(), requestA);
      return 42;
    });
    assert.equal(result, 42);
    assert.equal(currentRequest(), undefined);
  });

  it("keeps each request across awaits, with concurrent requests never seeing each other's", async () => {
    const seen = await Promise.all([
      runWithRequest(requestA, async () => {
        await sleep(15);
        return currentRequest();
      }),
      runWithRequest(requestB, async () => {
        await sleep(1);
        const first = currentRequest();
        await sleep(20);
        return first === currentRequest() ? first : undefined;
      }),
    ]);
    assert.deepEqual(seen, [requestA, requestB]);
  });
});

describe("bindToRequest", () => {
  it("returns fn itself outside of a request", () => {
    const fn = (x: number) => x + 1;
    assert.equal(bindToRequest(fn), fn);
  });

  it("binds fn to the request it was created in, whatever context later calls it", async () => {
    const bound = runWithRequest(requestA, () => bindToRequest((tag: string) => `${tag}:${(currentRequest() as unknown as { path: string } | undefined)?.path}`));
    assert.equal(bound("plain"), "plain:/a", "called from outside any request");
    assert.equal(runWithRequest(requestB, () => bound("inside b")), "inside b:/a", "called from another request's callback");
    const later = await new Promise<string>((resolve) => setImmediate(() => resolve(bound("later"))));
    assert.equal(later, "later:/a");
  });

  it("keeps the request across fn's own awaits, call after call", async () => {
    const bound = runWithRequest(requestA, () => bindToRequest(async (ms: number) => {
      await sleep(ms);
      return currentRequest();
    }));
    assert.deepEqual(await Promise.all([bound(5), runWithRequest(requestB, () => bound(1)), bound(0)]), [requestA, requestA, requestA]);
  });
});
