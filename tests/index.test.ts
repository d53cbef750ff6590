/**
 * `upie`'s entry point: the curated public names, kept on purpose (adding or
 * removing one changes this list, the docs and the CHANGELOG together), the
 * deprecated names that still work, and the composition root's one side
 * effect: registering the uWS adapter without loading a uWS build.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import type {
  AppOptions, CookieOptions, CorsOptions, CorsOrigins, CompressionEncoding, CompressionOptions, CsrfOptions, DotfilesPolicy, ErrorSpec, HtmlTag, InferOutput,
  InvalidBodyResponse, Limits, ListenOptions, Logger, MessageRate, OriginPredicate, PublishedMessage, RateLimitOptions, RequestOptions, ResponseBody, ResponseInit,
  ResponseTuple, RouteOptions, SecurityHeadersOptions, Server, SessionData, SseContext, SseEvent, SseOptions, SseSource, StandardSchemaV1, StaticFilesOptions,
  TestClientOptions, TestFile, UploadedFile, ValidationIssue, WebSocketOptions, WebSocketOrigins, WebSocketRejection, WebSocketRequestOptions, Broker, BrokerSink,
} from "../lib/index.js";
// The names App.ts re-exports for code that imported them from there.
import type { ListenOptions as AppListenOptions, Server as AppServer } from "../lib/core/app.js";

// Every public type is exported (a missing one fails tsc) and the old import path names the same types.
type PublicTypes = [
  AppOptions, CookieOptions, CorsOptions, CorsOrigins, CompressionEncoding, CompressionOptions, CsrfOptions, DotfilesPolicy, ErrorSpec, HtmlTag, InferOutput<StandardSchemaV1>,
  InvalidBodyResponse, Limits, ListenOptions, Logger, MessageRate, OriginPredicate, PublishedMessage, RateLimitOptions, RequestOptions, ResponseBody, ResponseInit,
  ResponseTuple, RouteOptions, SecurityHeadersOptions, Server, SessionData, SseContext, SseEvent, SseOptions, SseSource, StaticFilesOptions,
  TestClientOptions, TestFile, UploadedFile, ValidationIssue, WebSocketOptions, WebSocketOrigins, WebSocketRejection, WebSocketRequestOptions, Broker, BrokerSink,
];
const sameListenOptions: AppListenOptions = {} satisfies ListenOptions;
const sameServer = (server: Server): AppServer => server;
void [sameListenOptions, sameServer, undefined as PublicTypes | undefined];

/** Native modules this process loads, recorded before upie is imported. */
const dlopened: string[] = [];
const dlopen = process.dlopen;
process.dlopen = ((module: unknown, filename: string, ...rest: unknown[]) => {
  dlopened.push(filename);
  return (dlopen as (...args: unknown[]) => unknown)(module, filename, ...rest);
}) as typeof process.dlopen;
const upie = await import("../lib/index.js");
const { serverAdapter } = await import("../lib/core/server-adapter.js");
const uwsBuilds = () => dlopened.filter((file) => /uws/i.test(file));

describe("upie", () => {
  it("exports exactly the curated public values", () => {
    assert.deepEqual(Object.keys(upie).sort(), [
      "App", "ArgumentRangeError", "Compression", "ConnectionClosed", "Cors", "Csrf", "DEFAULT_CONTENT_SECURITY_POLICY", "DEFAULT_WEBSOCKET_OPTIONS", "ERRORS",
      "Html", "HttpError", "HttpMiddleware", "InMemorySessionBackend", "InvalidArgumentError", "InvalidMessageError", "InvalidOptionError", "InvalidStateError",
      "ListenError", "LocalBroker", "NoServerAdapterError", "RateLimit", "Request", "SecurityHeaders", "SessionBackend", "StaticFiles", "TemplateEngineMissingError",
      "TestClient", "TestResponse", "TestWebSocket", "UnboundRouteParameterError", "UnreadableSignatureError", "UwsUnavailableError", "WebSocket", "WebSocketMiddleware", "WebSocketStateError",
      "csrfToken", "escapeHtml", "formatSseEvent", "get", "html", "post", "redirect", "route", "sse", "verifyCsrfToken",
    ]);
  });

  it("exports every error class the catalogue documents for users, each with its catalogue code", () => {
    const errors = Object.entries(upie).filter(([name]) => /Error$|^ConnectionClosed$/.test(name));
    for (const [name, value] of errors) assert.ok((value as Function).prototype instanceof Error, name);
    assert.equal(new upie.NoServerAdapterError("x").code, upie.ERRORS.NO_SERVER_ADAPTER.code);
  });

  it("still serves the deprecated wsMiddlewares name, as the same array", () => {
    const app = new upie.App();
    assert.equal(app.wsMiddlewares, app.webSocketMiddlewares);
  });

  it("registers the uWS adapter on import, loading no uWS build until an app listens", async () => {
    assert.deepEqual(uwsBuilds(), [], "import \"upie\" loads no native build");
    assert.equal(typeof (await serverAdapter()), "function");
    assert.deepEqual(uwsBuilds(), [], "nor does finding the adapter");
    class Hello extends upie.App {
      async index() { return "hi"; }
    }
    const server = await new Hello({ logger: { error() {} } }).listen({ port: 0, host: "127.0.0.1" });
    try {
      assert.ok(uwsBuilds().length > 0, "listen() loads a build (trying the newest first)");
      assert.equal(await (await fetch(`http://127.0.0.1:${server.port}/`)).text(), "hi");
    } finally {
      await server.close();
    }
  });
});
