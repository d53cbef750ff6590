/** Path parameter + query binding: `GET /user/42?q=abc` → `User 42, q=abc`. @module */
import { simpleHttpScenario } from "../http-scenario.js";
import { GET_SERVERS } from "../servers.js";

export default simpleHttpScenario({
  name: "params",
  title: "Path parameter + query",
  summary: "`GET /user/42?q=abc` → `User 42, q=abc`: one path parameter and one query value bound per request.",
  probe: () => ({ path: "/user/42?q=abc" }),
  servers: GET_SERVERS,
  expect: (status, text) => status === 200 && text === "User 42, q=abc",
});
