/**
 * Run by .ci/run with a Node.js that has no native uWS build on this machine
 * (Node 24 on glibc 2.36): `listen()` must refuse with the clear error and
 * never serve. Exits 0 when it refused as documented, 1 otherwise.
 */
import { App, ERRORS } from "../../lib/index.js";

class Site extends App {
  async index() { return "up"; }
}

try {
  const server = await new Site().listen({ port: 0, host: "127.0.0.1" });
  await server.close();
  console.error(`FAIL: ${process.version} served on ${server.uws.package} ${server.uws.version}; expected a refusal`);
  process.exit(1);
} catch (error) {
  const { code, message } = error as { code?: string; message: string };
  const clear = code === ERRORS.UWS_UNAVAILABLE.code && message.includes(process.version) && message.includes("overrides");
  console.log(`${clear ? "ok" : "FAIL"}: ${process.version} refused at listen() with ${code}\n${message}`);
  process.exit(clear ? 0 : 1);
}
