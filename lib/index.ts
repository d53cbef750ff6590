/**
 * upie: a class-routed micro web framework on uWebSockets.js.
 *
 * @module
 */
export { App, type AppOptions, type ListenOptions, type Server } from "./core/app.js";
export { HttpError, ConnectionClosed, ERRORS, InvalidOptionError, WebSocketStateError, type ErrorSpec } from "./core/errors.js";
export { redirect, type ResponseInit, type ResponseTuple, type ResponseBody } from "./core/response.js";
export { HttpMiddleware, WebSocketMiddleware, type WebSocketRejection } from "./core/middleware.js";
export { Request } from "./core/request.js";
export { route, type RouteOptions } from "./core/route.js";
export type { Logger } from "./core/logger.js";
export type { CookieOptions } from "./core/cookies.js";
export type { Limits } from "./body/limits.js";
export type { UploadedFile } from "./body/uploaded-file.js";
export { SessionBackend, type SessionData } from "./session/backend.js";
export { InMemorySessionBackend } from "./session/memory.js";
export { TestClient, TestResponse, type RequestOptions, type TestFile } from "./client/test-client.js";
export type * from "./core/protocol.js";
