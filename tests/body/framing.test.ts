import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { framingProblem } from "../../lib/body/framing.js";

describe("framingProblem", () => {
  it("accepts a request without a body, a plain decimal length and a lone chunked coding", () => {
    assert.equal(framingProblem({ host: "x" }), undefined);
    assert.equal(framingProblem({ "content-length": "0" }), undefined);
    assert.equal(framingProblem({ "content-length": "123456789012345" }), undefined);
    assert.equal(framingProblem({ "transfer-encoding": "chunked" }), undefined);
    assert.equal(framingProblem({ "transfer-encoding": "Chunked" }), undefined, "coding names are case-insensitive");
  });

  it("refuses two Content-Length headers, equal or not", () => {
    assert.equal(framingProblem({ "content-length": "0, 5" }), "Conflicting Content-Length");
    assert.equal(framingProblem({ "content-length": "5, 5" }), "Conflicting Content-Length");
  });

  it("refuses a Content-Length that is not a plain decimal number", () => {
    for (const length of ["+5", "-1", "0x5", "5.0", "1e3", "", "1234567890123456"]) {
      assert.equal(framingProblem({ "content-length": length }), "Malformed Content-Length", length);
    }
  });

  it("refuses Content-Length together with Transfer-Encoding", () => {
    assert.equal(framingProblem({ "content-length": "5", "transfer-encoding": "chunked" }), "Content-Length with Transfer-Encoding");
  });

  it("refuses any Transfer-Encoding other than a lone chunked", () => {
    for (const coding of ["gzip", "identity", "gzip, chunked", "chunked, chunked", "chunkedx", "xchunked", ""]) {
      assert.equal(framingProblem({ "transfer-encoding": coding }), "Unsupported Transfer-Encoding", coding);
    }
  });
});
