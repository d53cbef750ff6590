/**
 * `npm run channels`: the platform and the demo service in one process,
 * with two channels ("Lobby" and "Random") bound to the service. Open
 * http://127.0.0.1:8000 in two windows and sign up as two people.
 *
 * @module
 */
import { pathToFileURL } from "node:url";

import type { Server } from "upie";
import { ChannelsApp, type ChannelsOptions } from "./app.js";
import { DemoService, ensureServiceAccount, startDemoService } from "./demo-service.js";
import { HttpApi } from "./sdk/index.js";

/** A running platform with the demo service. */
export interface Demo {
  app: ChannelsApp;
  server: Server;
  service: DemoService;
  channels: string[];
  httpUrl: string;
  close(): Promise<void>;
}

/** Starts the platform on `port`, creates the demo channels and starts the demo service on them. */
export async function startDemo(port = 8000, host = "127.0.0.1", options: ChannelsOptions = {}): Promise<Demo> {
  const app = new ChannelsApp(options);
  const server = await app.listen({ port, host });
  const httpUrl = `http://${host}:${server.port}`;
  const username = "demo_service";
  const password = "demo-service-password";
  await ensureServiceAccount(httpUrl, username, password);
  const api = new HttpApi(httpUrl);
  await api.signIn(username, password);
  const channels = [
    (await api.createChannel("Lobby", "Where everyone meets the demo bot", true)).channel_id,
    (await api.createChannel("Random", "A second channel, same service", true)).channel_id,
  ];
  const service = await startDemoService({ httpUrl, username, password, channels, reconnect: { initialDelayMs: 100, maxDelayMs: 2_000 } });
  const demo: Demo = {
    app,
    server,
    service,
    channels,
    httpUrl,
    async close() {
      await this.service.stop(); // the current one: a test may have restarted it
      await server.close();
    },
  };
  return demo;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const demo = await startDemo(Number(process.env.PORT ?? 8000), process.env.HOST ?? "127.0.0.1");
  console.log(`upie channels on ${demo.httpUrl} with the demo service (uWS ${demo.server.uws.version} from ${demo.server.uws.package}; open it in two windows)`);
  const stop = () => void demo.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}
