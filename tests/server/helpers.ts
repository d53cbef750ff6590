/**
 * Fixtures for the integration tests: raw HTTP/1.1 over `node:net`, for what
 * `fetch` hides (framing, half-sent requests, disconnects).
 */
import net from "node:net";

export { eventually, privateTempDir, recordingLogger } from "../core/helpers.js";

/** A parsed HTTP/1.1 response head plus whatever body bytes followed it. */
export interface RawResponse {
  status: number;
  /** Lower-case names; repeats joined by ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

/** Opens a TCP connection to the test server. */
export function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

/** Parses the head of a response; undefined until the blank line has arrived. */
export function parseHead(data: Buffer): { status: number; headers: Record<string, string>; bodyStart: number } | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end === -1) return undefined;
  const [statusLine = "", ...lines] = data.subarray(0, end).toString("latin1").split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(statusLine.split(" ")[1]), headers, bodyStart: end + 4 };
}

/**
 * Reads one response from `socket`: the head, then `content-length` bytes
 * (or until the server closes when there is none and `head` is false).
 */
export function readResponse(socket: net.Socket, options: { head?: boolean; timeoutMs?: number } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no complete response within ${options.timeoutMs ?? 5000} ms: ${JSON.stringify(data.toString("latin1").slice(0, 200))}`)), options.timeoutMs ?? 5000);
    const onData = (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      check(false);
    };
    const onEnd = () => check(true);
    function check(ended: boolean) {
      const head = parseHead(data);
      if (head === undefined) {
        if (ended) finish(new Error(`connection closed before a response: ${JSON.stringify(data.toString("latin1"))}`));
        return;
      }
      const length = head.headers["content-length"];
      const body = data.subarray(head.bodyStart);
      if (options.head === true || (length !== undefined && body.byteLength >= Number(length)) || ended) {
        finish(undefined, { status: head.status, headers: head.headers, body: length === undefined ? body : body.subarray(0, Number(length)) });
      }
    }
    function finish(error: Error | undefined, response?: RawResponse) {
      clearTimeout(timer);
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("close", onEnd);
      if (error !== undefined) reject(error);
      else resolve(response!);
    }
    socket.on("data", onData);
    socket.once("end", onEnd);
    socket.once("close", onEnd);
  });
}

/** Sends `request` on a fresh connection and reads one response. */
export async function rawRequest(port: number, request: string | Buffer, options: { head?: boolean } = {}): Promise<RawResponse> {
  const socket = await connect(port);
  try {
    const response = readResponse(socket, options);
    socket.write(request);
    return await response;
  } finally {
    socket.destroy();
  }
}

/** Resolves once `socket` is closed by the other side (or rejects after `ms`). */
export function closedBy(socket: net.Socket, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error("the server did not close the connection")), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on("error", () => {});
    socket.resume();
  });
}

/** A loopback port that was free a moment ago (for tests that need an explicit port, not 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Sends `request` in one write and collects everything the server sends until it closes or `ms` pass. */
export function exchange(port: number, request: string, ms = 1500): Promise<string> {
  return talk(port, request, ms).then((reply) => reply.data);
}

/** As {@link exchange}, and whether the server closed the connection. */
export function talk(port: number, request: string, ms = 1500): Promise<{ data: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    let closed = false;
    const timer = setTimeout(() => finish(), ms);
    function finish() {
      clearTimeout(timer);
      socket.destroy();
      resolve({ data, closed });
    }
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("error", () => {});
    socket.on("end", () => (closed = true));
    socket.on("close", () => {
      closed = true;
      finish();
    });
    socket.write(request);
  });
}

/** The status codes of every response in `response`, in order. */
export function statuses(response: string): number[] {
  return [...response.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1]));
}
