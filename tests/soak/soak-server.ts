/**
 * The server the soak test attacks, in its own process so its RSS is its own:
 * an app with an upload route, a WebSocket echo and a 64 KiB page. Prints its
 * port on stdout, then serves until stdin closes.
 */
import { App, ConnectionClosed, type UploadedFile, type WebSocket } from "../../lib/index.js";

class Target extends App {
  async index() { return "up"; }
  async big() { return "x".repeat(64 * 1024); }
  async upload(file: UploadedFile) { return { size: file.size }; }
  async ws_echo(ws: WebSocket) {
    await ws.accept();
    try {
      for await (const message of ws) await ws.sendText(message);
    } catch (error) {
      if (!(error instanceof ConnectionClosed)) throw error;
    }
  }
}

const server = await new Target({ logger: { error() {} } }).listen({ port: 0, host: "127.0.0.1" });
process.stdout.write(`${server.port}\n`);
process.stdin.resume();
process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
