/**
 * Shared by the tests of lib/testing: runs a contract suite in a child process (tests/testing/fixtures/
 * contract-implementations.ts) and reports which of its tests passed and failed.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURE = "tests/testing/fixtures/contract-implementations.ts";

export interface ContractOutcome {
  passed: string[];
  failed: string[];
}

/**
 * Runs one contract suite against the fixture's implementations.
 *
 * @param contract - "broker" or "session".
 * @returns by suite title (e.g. "Broker contract: TinyBroker"), the titles of its tests that passed and failed.
 */
export function runContract(contract: "broker" | "session"): Promise<Map<string, ContractOutcome>> {
  // Without the runner's own context variable: a child that sees it reports to this runner, not as TAP.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--test", "--test-reporter=tap", FIXTURE],
      { cwd: ROOT, env: { ...env, CONTRACT_UNDER_TEST: contract }, timeout: 60_000 },
      (error, stdout) => {
        // A failing suite exits 1: that is an outcome here, not an error.
        if (error !== null && typeof error.code !== "number") return reject(error);
        // Nested TAP: a suite's "# Subtest:" line at column 0, its tests' results indented by four.
        const outcomes = new Map<string, ContractOutcome>();
        let current: ContractOutcome | undefined;
        for (const line of stdout.split("\n")) {
          const suite = /^# Subtest: (.*)$/.exec(line);
          if (suite !== null) outcomes.set(suite[1]!.trim(), (current = { passed: [], failed: [] }));
          const result = /^ {4}(not ok|ok) \d+ - (.*)$/.exec(line);
          if (result !== null && current !== undefined) current[result[1] === "ok" ? "passed" : "failed"].push(result[2]!.trim());
        }
        resolve(outcomes);
      },
    );
  });
}
