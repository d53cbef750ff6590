/** POST of a 1 KiB JSON body, parsed; the answer echoes one field. @module */
import { jsonBody } from "../bodies.js";
import { simpleHttpScenario } from "../http-scenario.js";

export default simpleHttpScenario({
  name: "post-json",
  title: "POST 1 KB JSON",
  summary: '`POST /body` with a 1 KiB JSON document → `{"ok":true,"name":"bench"}` (the body is read and parsed).',
  probe: () => ({ path: "/body", method: "POST", body: jsonBody() }),
  expect: (status, text) => status === 200 && text.replace(/\s/g, "") === '{"ok":true,"name":"bench"}',
});
