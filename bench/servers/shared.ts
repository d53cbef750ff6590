/**
 * What every bench server shares: where to listen, the bodies to answer with,
 * and the "READY <port>" line the harness waits for. Kept tiny so each server
 * file reads like its framework's own docs.
 *
 * @module
 */

/** Every server binds to loopback only. */
export const HOST = "127.0.0.1";

/** The port the harness chose (0 = any free port; the real one is announced). */
export const PORT = Number(process.env.PORT ?? 0);

/** The body of the hello scenario. */
export const HELLO = "Hello, World!";

/** The body of the JSON scenario. */
export const JSON_BODY = { hello: "world" } as const;

/** The text answered by the path-parameter scenario. */
export function userText(id: string, q: string): string {
  return `User ${id}, q=${q}`;
}

/** The value `/login` stores in the session and `/session` reads back. */
export const SESSION_USER = "bench";

/** The body of the session scenario. */
export function sessionText(user: string | undefined): string {
  return `Hello, ${user ?? "anonymous"}`;
}

/** Upload limit every server is configured with: above the 10 MiB test file. */
export const UPLOAD_LIMIT = 32 * 1024 * 1024;

/** Session-cookie signing secret for the peers whose session library wants one. */
export const SECRET = "upie-bench-secret-0123456789abcdef0123456789";

/** Pub/sub topic of the broadcast scenario. */
export const ROOM = "room";

/** Tells the harness the server is listening; the harness waits for exactly this line. */
export function announce(port: number): void {
  process.stdout.write(`READY ${port}\n`);
}

/**
 * The harness stops servers with SIGTERM; exit at once (nothing to flush).
 * Also exit when stdin (a pipe from the harness) closes, so a harness killed
 * with SIGKILL leaves no server behind.
 */
export function exitOnSignal(): void {
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => process.exit(0));
  if (!process.stdin.isTTY) {
    process.stdin.on("end", () => process.exit(0));
    process.stdin.on("error", () => process.exit(0));
    process.stdin.resume();
  }
}

/** The part of a uWS `TemplatedApp` and module that {@link listenUws} uses (kept structural: shared.ts loads no uWS). */
interface UwsListener {
  listen(host: string, port: number, callback: (listenSocket: unknown) => void): unknown;
}

/**
 * Listens on {@link HOST}:{@link PORT} and announces the port, or exits with
 * the server's name when the port cannot be bound: the raw uWS servers' last lines.
 */
export function listenUws(name: string, app: UwsListener, localPort: (listenSocket: never) => number): void {
  exitOnSignal();
  app.listen(HOST, PORT, (listenSocket) => {
    if (!listenSocket) {
      console.error(`${name}: cannot listen on ${HOST}:${PORT}`);
      process.exit(1);
    }
    announce(localPort(listenSocket as never));
  });
}
