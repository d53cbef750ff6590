/**
 * How an action refuses: a handler (or a lookup it calls) throws a Refusal,
 * and `refusing` turns it into the failed result the hub answers with; a
 * handler that returns succeeded; any other error is a bug and still throws.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { refuse, refusing, type ActionDef } from "../../../../examples/space/actions/define.js";
import type { SpaceConnection } from "../../../../examples/space/space-connection.js";
import type { Space } from "../../../../examples/space/space.js";

const action = (handle: ActionDef["handle"]): ActionDef => ({ role: "guest", event: "none", does: "tests refusing", handle });
const call = (def: ActionDef) => refusing(def).handle({} as Space, {} as SpaceConnection, {});

describe("refusing", () => {
  it("answers ok when the handler returns", () => {
    assert.deepEqual(call(action(() => {})), { ok: true });
  });

  it("answers the refusal's reason when the handler, or a lookup it calls, refuses", () => {
    const lookup = (): never => refuse("no player 'x' here");
    assert.deepEqual(call(action(() => lookup())), { ok: false, reason: "no player 'x' here" });
  });

  it("keeps the role, event and description", () => {
    const { role, event, does } = refusing(action(() => {}));
    assert.deepEqual({ role, event, does }, { role: "guest", event: "none", does: "tests refusing" });
  });

  it("lets any other error through: a bug is not a refusal", () => {
    const bug = action(() => {
      throw new TypeError("boom");
    });
    assert.throws(() => call(bug), TypeError);
  });
});
