/** JSON response: `GET /json` answered with `{"hello":"world"}`. @module */
import { simpleHttpScenario } from "../http-scenario.js";
import { GET_SERVERS } from "../servers.js";

export default simpleHttpScenario({
  name: "json",
  title: "JSON response",
  summary: '`GET /json` → `{"hello":"world"}` serialised per request.',
  probe: () => ({ path: "/json" }),
  servers: GET_SERVERS,
  expect: (status, text) => status === 200 && text === '{"hello":"world"}',
});
