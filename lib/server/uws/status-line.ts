/**
 * uWS wants the whole status line ("200 OK"); build each one once.
 *
 * @module
 */
import { STATUS_TEXT } from "../../protocol/errors.js";

const lines = new Map<number, string>();

/** The status line for `status`, cached. */
export function statusLine(status: number): string {
  let line = lines.get(status);
  if (line === undefined) {
    line = `${status} ${STATUS_TEXT[status] ?? "Unknown"}`;
    lines.set(status, line);
  }
  return line;
}
