/**
 * `upie/adapter`: what a server adapter needs besides upie's own two (the
 * uWebSockets.js server and the in-process TestClient). An adapter turns each
 * connection into a {@link Scope} and a channel, hands them to
 * {@link handleHttp} or {@link handleWebSocket}, and registers its `listen`
 * with {@link useServerAdapter} so that `app.listen()` serves through it.
 * `runAdapterContract` in `upie/testing` then holds it to the behaviour of
 * upie's own adapters.
 *
 * @example
 * ```ts
 * import { handleHttp, useServerAdapter, type Listen } from "upie/adapter";
 * const listen: Listen = async (core, options) => {
 *   // accept connections; per request: handleHttp(core, scope, channel, done)
 *   return { port: options.port ?? 8000, host: options.host ?? "127.0.0.1", uws: { package: "none", version: "0" }, close: async () => {} };
 * };
 * useServerAdapter(async () => listen);
 * ```
 *
 * @module
 */
// upie's public types use Node's (Buffer, node:stream/web). TypeScript 6+ loads no
// @types by default ("types": []), so the entry points name them themselves;
// preserve="true" keeps the directive in the emitted .d.ts.
/// <reference types="node" preserve="true" />
export type * from "./protocol/protocol.js";
export { useServerAdapter, type Listen, type ListenOptions, type Server } from "./core/server-adapter.js";
export { appCore } from "./core/app.js";
export type { AppCore } from "./core/app-core.js";
export { handleHttp, handleHttpAsync, hasBody, type HttpDone } from "./core/http-handler.js";
export { handleWebSocket, handleWebSocketAsync } from "./websocket/websocket-handler.js";
export { framingProblem } from "./body/framing.js";
export { handshakeProblem, type HandshakeProblem } from "./websocket/handshake.js";
export { ProtocolViolationError, InvalidStateError, NoServerAdapterError } from "./protocol/errors.js";
export { ClientGoneError } from "./body/client-gone-error.js";
export { CLOSE_GRACE_MS, SHUTDOWN_CLOSE_CODE, SHUTDOWN_CLOSE_REASON, withinGrace, type StoppingServer } from "./core/app-lifecycle.js";
