/**
 * The GET scenarios, where issue 21's HTTP targets are: each a fixed request
 * and its one right answer, run against every HTTP server plus the
 * microtask floor, upie's plain methods and hyper-express's async handlers.
 *
 * @module
 */
import { simpleHttpScenario } from "../http-scenario.js";
import type { Scenario } from "../scenario.js";
import { GET_SERVERS } from "../servers.js";

/** One GET scenario: the path and the body every server must answer. */
function getScenario(name: string, title: string, path: string, body: string, summary: string): Scenario {
  return simpleHttpScenario({
    name,
    title,
    summary,
    probe: () => ({ path }),
    servers: GET_SERVERS,
    expect: (status, text) => status === 200 && text === body,
  });
}

/** `GET /` → `Hello, World!`. */
export const hello = getScenario("hello", "HTTP hello text", "/", "Hello, World!",
  "`GET /` → `Hello, World!` (text), keep-alive, wrk with 100 connections.");

/** `GET /json` → `{"hello":"world"}`, serialised per request. */
export const json = getScenario("json", "JSON response", "/json", '{"hello":"world"}',
  '`GET /json` → `{"hello":"world"}` serialised per request.');

/** One path parameter and one query value bound per request. */
export const params = getScenario("params", "Path parameter + query", "/user/42?q=abc", "User 42, q=abc",
  "`GET /user/42?q=abc` → `User 42, q=abc`: one path parameter and one query value bound per request.");
