/**
 * Answers a request whose framing is bad (see `body/framing.ts`) so that
 * nothing after it on the connection runs.
 *
 * Writing the 400 at once is not enough: inside the route callback uWS has
 * corked the socket, so the 400 only leaves once uWS has parsed every request
 * left in the packet, and a request smuggled behind the bad one would be
 * routed first (issue 22.1). Closing at once loses the 400 (a close drops the
 * corked bytes). So the response is left pending for one turn of the event
 * loop: uWS closes a connection whose next request arrives while a response
 * is pending (it refuses asynchronous pipelining), and when nothing follows,
 * the 400 goes out on the next turn with `Connection: close`, after which
 * uWS closes the socket. Either way the connection ends with this request.
 *
 * @module
 */
import type { HttpResponse } from "uWebSockets.js";
import { statusLine } from "./status-line.js";

const BAD_REQUEST = statusLine(400);

/**
 * Refuses the request `res` answers: a 400 naming `reason`, then the
 * connection closes; no later request on it reaches the app.
 *
 * @param res - the response of the refused request, inside its route callback.
 * @param reason - the 400's body, e.g. "Conflicting Content-Length".
 */
export function refuseFraming(res: HttpResponse, reason: string): void {
  let aborted = false;
  // Registered before returning: a pending response needs one, and `res` is freed once it fires.
  res.onAborted(() => (aborted = true));
  // setImmediate, not a microtask: uWS drains microtasks after each callback, before it parses on.
  setImmediate(() => {
    if (aborted) return;
    // Corked: outside uWS's callback, the status line and headers would go out as separate writes.
    res.cork(() => res.writeStatus(BAD_REQUEST).end(reason, true));
  });
}
