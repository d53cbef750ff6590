/**
 * The README's action table is the code's: regenerating it changes
 * nothing, it has a row for each of the seed's 116 actions, and the words
 * of the old partial table are gone.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";

import { ACTIONS } from "../../../examples/space/actions/index.js";
import { actionTable, README, withTable } from "../../../examples/space/action-table.js";
import { SEED_ACTIONS } from "./seed-actions.js";

describe("examples/space action table", () => {
  const readme = readFileSync(README, "utf8");

  it("is in the README as the code generates it (npx tsx examples/space/action-table.ts)", () => {
    assert.equal(withTable(readme, actionTable()), readme);
  });

  it("has one row per seed action, with its role", () => {
    for (const name of SEED_ACTIONS) {
      const camel = name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${camel}\` (${name}) |`));
      assert.ok(row, `a row for ${name}`);
      assert.ok(row.includes(` | ${ACTIONS[camel]!.role} | `), `${name}'s role`);
    }
  });

  it("no longer speaks of actions missing from the schema or not implemented", () => {
    assert.doesNotMatch(readme, /not in the schema|not implemented/i);
  });
});
