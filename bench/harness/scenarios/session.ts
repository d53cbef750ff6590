/**
 * Session read: a logged-in client (cookie from `GET /login`) reads
 * `GET /session` → `Hello, bench`, the value loaded from the server's session store.
 *
 * @module
 */
import { checkResponse, wrkSample } from "../http-scenario.js";
import type { Scenario } from "../scenario.js";
import { HTTP_ONLY_NOTE, HTTP_SERVERS } from "../servers.js";

const scenario: Scenario = {
  name: "session",
  title: "Session read",
  summary:
    "`GET /session` with the session cookie `GET /login` set → `Hello, bench`, read from each framework's own in-memory session store.",
  metric: { unit: "req/s", higherIsBetter: true },
  servers: HTTP_SERVERS,
  notApplicable: HTTP_ONLY_NOTE,
  async prepare(server) {
    const login = await checkResponse(server, { path: "/login" }, (status) => status === 200);
    const cookie = login.headers
      .getSetCookie()
      .map((line) => line.split(";")[0]!)
      .join("; ");
    if (cookie === "") throw new Error("GET /login set no cookie");
    await checkResponse(server, { path: "/session", headers: { cookie } }, (status, text) => status === 200 && text === "Hello, bench");
    return cookie;
  },
  measure: (ctx) => wrkSample(ctx, { path: "/session", headers: { cookie: ctx.state as string } }, ctx.settings.httpConnections),
};

export default scenario;
