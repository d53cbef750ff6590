import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { InvalidOptionError } from "../../lib/index.js";
import { parseRunnerArgs } from "../../lib/runner/runner-options.js";

describe("parseRunnerArgs", () => {
  it("defaults to 127.0.0.1:8000, one worker, no reload", () => {
    assert.deepEqual(parseRunnerArgs(["app.ts"], {}), {
      file: "app.ts", exportName: undefined, host: "127.0.0.1", port: 8000, workers: 1, reload: false,
    });
  });

  it("takes HOST and PORT from the environment, and flags over them", () => {
    assert.deepEqual(parseRunnerArgs(["app.js"], { HOST: "0.0.0.0", PORT: "3000" }), {
      file: "app.js", exportName: undefined, host: "0.0.0.0", port: 3000, workers: 1, reload: false,
    });
    const flags = parseRunnerArgs(["src/app.ts:Chat", "--host", "::1", "--port", "0", "--workers", "4", "--reload"], { HOST: "x", PORT: "1" });
    assert.deepEqual(flags, { file: "src/app.ts", exportName: "Chat", host: "::1", port: 0, workers: 4, reload: true });
  });

  it("does not read a Windows drive letter as an export", () => {
    const options = parseRunnerArgs(["C:\\apps\\app.ts"], {});
    assert.ok(options !== "help");
    assert.equal(options.file, "C:\\apps\\app.ts");
    assert.equal(options.exportName, undefined);
  });

  it("answers --help", () => {
    assert.equal(parseRunnerArgs(["--help"], {}), "help");
  });

  it("refuses what it cannot serve, saying why", () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [[], {}, /FILE is missing/],
      [["a.ts", "b.ts"], {}, /one FILE only/],
      [["a.ts", "--port", "70000"], {}, /--port must be an integer from 0 to 65535/],
      [["a.ts"], { PORT: "http" }, /--port must be an integer/],
      [["a.ts", "--workers", "0"], {}, /--workers must be an integer from 1/],
      [["a.ts:not-a-name"], {}, /is not an export name/],
      [["a.ts", "--colour"], {}, /Unknown option '--colour'/],
      [["a.ts", "--host", "a b"], {}, /--host must be/],
    ];
    for (const [argv, env, message] of cases) {
      assert.throws(() => parseRunnerArgs(argv, env), (error: unknown) => error instanceof InvalidOptionError && message.test(error.message), argv.join(" "));
    }
  });
});
