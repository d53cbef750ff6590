/** HTTP hello: `GET /` answered with the text "Hello, World!". @module */
import { simpleHttpScenario } from "../http-scenario.js";
import { GET_SERVERS } from "../servers.js";

export default simpleHttpScenario({
  name: "hello",
  title: "HTTP hello text",
  summary: "`GET /` → `Hello, World!` (text), keep-alive, wrk with 100 connections.",
  probe: () => ({ path: "/" }),
  servers: GET_SERVERS,
  expect: (status, text) => status === 200 && text === "Hello, World!",
});
