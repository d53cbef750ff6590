/**
 * The adapter harness for the in-process {@link TestClient}: the same
 * scenarios as over real sockets, with no socket.
 *
 * @module
 */
import { TestClient } from "./test-client.js";
import type { TestWebSocket } from "./test-websocket.js";
import type { App } from "../core/app.js";
import type { AdapterHarness, AdapterUnderTest, HarnessSocket } from "./harness.js";
import { MessageInbox } from "./message-inbox.js";

/**
 * Serves apps with a `TestClient`.
 *
 * @example
 * ```ts
 * runAdapterContract(testClientAdapter);
 * ```
 */
export const testClientAdapter: AdapterUnderTest = {
  name: "TestClient",
  async serve(app: App): Promise<AdapterHarness> {
    const client = new TestClient(app);
    return {
      async request(method, path, init = {}) {
        const res = await client.request(method, path, { headers: init.headers, body: init.body, signal: init.signal });
        return { status: res.status, headers: res.headers, text: res.text };
      },
      async websocket(path) {
        return harnessSocket(await client.websocket(path));
      },
      close: () => client.close(),
    };
  },
};

/** Reads the in-process socket into an inbox while not paused, like a socket client's event loop. */
function harnessSocket(ws: TestWebSocket): HarnessSocket {
  const inbox = new MessageInbox();
  let paused = false;
  let reading = false;
  const closed = ws.closed;
  async function pump(): Promise<void> {
    if (reading || ws.status !== 101) return;
    reading = true;
    try {
      while (!paused) inbox.push(await ws.receive());
    } catch {
      inbox.end();
    } finally {
      reading = false;
    }
  }
  void pump();
  return {
    status: ws.status,
    closed,
    sendText: (text) => void ws.sendText(text).catch(() => {}),
    sendBytes: (bytes) => void ws.sendBytes(bytes).catch(() => {}),
    next: (timeoutMs) => inbox.next(timeoutMs),
    pause: () => void (paused = true),
    resume: () => {
      paused = false;
      void pump();
    },
    close: (code, reason) => void ws.close(code, reason),
  };
}
