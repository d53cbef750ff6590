/**
 * A real WebSocket client for integration tests, on the `ws` package: every
 * message is recorded from the start, so none is missed between awaits.
 */
import WsSocket from "ws";

export interface Closed {
  code: number;
  reason: string;
}

export class WsClient {
  readonly socket: WsSocket;
  readonly messages: Array<string | Buffer> = [];
  readonly closed: Promise<Closed>;
  readonly opened: Promise<void>;
  #waiters: Array<() => void> = [];
  #read = 0;

  constructor(url: string, options: WsSocket.ClientOptions & { protocols?: string[] } = {}) {
    this.socket = new WsSocket(url, options.protocols ?? [], options);
    this.socket.on("message", (data, isBinary) => {
      this.messages.push(isBinary ? (data as Buffer) : data.toString());
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) => this.socket.on("close", (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const wake of this.#waiters.splice(0)) wake();
    }));
    this.opened = new Promise((resolve, reject) => {
      this.socket.once("open", () => resolve());
      this.socket.once("error", reject);
      this.socket.once("unexpected-response", (_request, response) => reject(Object.assign(new Error(`handshake refused: ${response.statusCode}`), { status: response.statusCode })));
    });
    this.opened.catch(() => {});
    this.socket.on("error", () => {});
  }

  /** The next message not yet returned by `next()`. */
  async next(timeoutMs = 5000): Promise<string | Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.#read >= this.messages.length) {
      if (this.socket.readyState === WsSocket.CLOSED) throw new Error("closed before the next message");
      if (Date.now() > deadline) throw new Error("no message in time");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.messages[this.#read++]!;
  }

  async nextText(): Promise<string> {
    return String(await this.next());
  }

  send(data: string | Uint8Array): void {
    this.socket.send(data);
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }
}

/** Opens a client and waits for the handshake. */
export async function connect(url: string, options?: ConstructorParameters<typeof WsClient>[1]): Promise<WsClient> {
  const client = new WsClient(url, options);
  await client.opened;
  return client;
}

/** The HTTP status a refused handshake got. */
export async function refusedStatus(url: string, options?: WsSocket.ClientOptions): Promise<{ status: number; body: string }> {
  const socket = new WsSocket(url, options);
  return new Promise((resolve, reject) => {
    socket.on("open", () => reject(new Error("the handshake was accepted")));
    socket.on("error", () => {});
    socket.on("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
      response.on("error", () => resolve({ status: response.statusCode ?? 0, body }));
    });
  });
}

/** Polls `check` until it holds. */
export async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
