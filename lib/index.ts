/**
 * upie: a class-routed micro web framework on uWebSockets.js.
 *
 * @module
 */
// upie's public types use Node's (Buffer, node:stream/web). TypeScript 6+ loads no
// @types by default ("types": []), so the entry points name them themselves;
// preserve="true" keeps the directive in the emitted .d.ts.
/// <reference types="node" preserve="true" />
// The composition root wires the server: the core never imports it, and the
// uWS build loads only when an app calls listen().
import "./server/uws/register.js";

export { App } from "./core/app.js";
export type { ListenOptions, Server } from "./core/server-adapter.js";
export type { AppOptions } from "./core/app-config.js";
export {
  HttpError, ConnectionClosed, ERRORS, InvalidMessageError, InvalidOptionError, ListenError, UnboundRouteParameterError, UnreadableSignatureError, UwsUnavailableError,
  WebSocketStateError, InvalidArgumentError, ArgumentRangeError, InvalidStateError, NoServerAdapterError, type ErrorSpec,
} from "./protocol/errors.js";
export type { StandardSchemaV1, InferOutput, ValidationIssue } from "./protocol/standard-schema.js";
export type { InvalidBodyResponse } from "./core/body-schema.js";
export { redirect, type ResponseInit, type ResponseTuple, type ResponseBody } from "./core/response.js";
export { HttpMiddleware, WebSocketMiddleware, type WebSocketRejection } from "./core/middleware.js";
export { Request } from "./core/request.js";
export { route, get, post, type RouteOptions } from "./core/route.js";
export { html, escapeHtml, Html, type HtmlTag } from "./templates/html.js";
export type { Logger } from "./protocol/logger.js";
export type { CookieOptions } from "./cookies/cookies.js";
export type { Limits } from "./body/limits.js";
export type { UploadedFile } from "./body/uploaded-file.js";
export { SessionBackend, type SessionData } from "./session/backend.js";
export { InMemorySessionBackend } from "./session/memory.js";
export { TestClient, TestResponse, type RequestOptions, type TestClientOptions, type TestFile } from "./testing/test-client.js";
export { TemplateEngineMissingError } from "./templates/templates.js";
export { sse, formatSseEvent, type SseEvent, type SseContext, type SseSource, type SseOptions } from "./sse/sse.js";
export { StaticFiles, type StaticFilesOptions, type DotfilesPolicy } from "./middleware/static-files.js";
export { Cors, type CorsOptions, type CorsOrigins, type OriginPredicate } from "./middleware/cors.js";
export { Csrf, csrfToken, verifyCsrfToken, type CsrfOptions } from "./middleware/csrf.js";
export { RateLimit, type RateLimitOptions } from "./middleware/rate-limit.js";
export { SecurityHeaders, DEFAULT_CONTENT_SECURITY_POLICY, type SecurityHeadersOptions } from "./middleware/security-headers.js";
export { Compression, type CompressionOptions, type CompressionEncoding } from "./middleware/compression.js";
export { WebSocket } from "./websocket/websocket.js";
export { DEFAULT_WEBSOCKET_OPTIONS } from "./websocket-policy/websocket-options.js";
export type { MessageRate } from "./websocket-policy/message-budget.js";
export type { AppWebSocketOptions as WebSocketOptions, AppWebSocketOrigins as WebSocketOrigins } from "./core/app-config.js";
export { LocalBroker } from "./pubsub/local-broker.js";
export type { Broker, BrokerSink, PublishedMessage } from "./pubsub/broker.js";
export { TestWebSocket, type WebSocketRequestOptions } from "./testing/test-websocket.js";
