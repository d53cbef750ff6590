/** HTTP hello: `GET /` answered with the text "Hello, World!". @module */
import { simpleHttpScenario } from "../http-scenario.js";

export default simpleHttpScenario({
  name: "hello",
  title: "HTTP hello text",
  summary: "`GET /` → `Hello, World!` (text), keep-alive, wrk with 100 connections.",
  probe: () => ({ path: "/" }),
  expect: (status, text) => status === 200 && text === "Hello, World!",
});
