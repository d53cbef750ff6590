/**
 * Registers uWebSockets.js as the server `App.listen()` uses, as a lazy
 * import: nothing of uWS loads until an app listens. Imported by the
 * composition roots (`lib/index.ts`, the testing harness), never by the core.
 *
 * @module
 */
import { useServerAdapter } from "../../core/server-adapter.js";

useServerAdapter(async () => (await import("./listen.js")).listen);
