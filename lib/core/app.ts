/**
 * The `App` class users extend: its subclass' methods are the URLs.
 *
 * @module
 */
import { InvalidStateError } from "../protocol/errors.js";
import { publish } from "../pubsub/publish.js";
import { AppCore } from "./app-core.js";
import { resolveAppConfig, type AppOptions } from "./app-config.js";
import { currentRequest } from "./context.js";
import type { HttpMiddleware, WebSocketMiddleware } from "./middleware.js";
import type { Request } from "./request.js";
import { assertParamsBound, checkSchema, RoutePattern, type RouteOptions } from "./route.js";
import { serverAdapter, type ListenOptions, type Server } from "./server-adapter.js";

// Re-exported for code that imported them from here; they live with the adapter seam.
export type { ListenOptions, Server } from "./server-adapter.js";

let coreOf: (app: App) => AppCore;

/**
 * Extend it; every method your subclass declares is a route.
 *
 * @example
 * ```ts
 * class MyApp extends App {
 *   async index() { return "Welcome"; }
 *   async greet(name = "Guest") { return html`Hello, ${name}!`; }   // html escapes: strings are HTML
 * }
 * const server = await new MyApp().listen({ port: 8000 });
 * ```
 */
export class App {
  /** HTTP middleware, run in order. */
  readonly middlewares: HttpMiddleware[] = [];
  /** WebSocket middleware, run in order. */
  readonly webSocketMiddlewares: WebSocketMiddleware[] = [];
  /**
   * The same array as {@link App.webSocketMiddlewares}, under its old name.
   *
   * @deprecated Use `webSocketMiddlewares`; this alias goes in a later release.
   */
  get wsMiddlewares(): WebSocketMiddleware[] {
    return this.webSocketMiddlewares;
  }
  /** Awaited, in order, before `listen()` resolves. */
  readonly startupHandlers: Array<() => unknown> = [];
  /** Awaited, in order, inside `server.close()`. */
  readonly shutdownHandlers: Array<() => unknown> = [];
  readonly #core: AppCore;

  static {
    coreOf = (app) => app.#core;
  }

  constructor(options: AppOptions = {}) {
    // Every option is checked here, so a bad one fails `new App()`, not a request.
    this.#core = new AppCore(this, resolveAppConfig(options), App.prototype);
  }

  /**
   * The current request, inside a handler and anything it awaits.
   *
   * @throws {@link InvalidStateError} when read outside of a request.
   */
  get request(): Request {
    const request = currentRequest();
    if (request === undefined) throw new InvalidStateError("this.request is only available while handling a request");
    return request;
  }

  /**
   * Renders a Nunjucks (Jinja2-style) template from the `templates` folder,
   * HTML-escaping every value. Needs the optional package `nunjucks`.
   * Being `App`'s own method, it is never a route.
   *
   * @param name - a path inside the templates folder, e.g. `"index.html"`.
   * @param context - the variables the template sees.
   * @returns the rendered HTML, ready to return from a handler.
   * @throws TemplateEngineMissingError when `nunjucks` is not installed (a logged 500).
   * @example
   * ```ts
   * async index() { return this.renderTemplate("index.html", { user: this.request.session.user }); }
   * ```
   */
  renderTemplate(name: string, context: object = {}): Promise<string> {
    return this.#core.config.templates.render(name, context);
  }

  /**
   * Sends `data` to every WebSocket subscribed to `topic` (`ws.subscribe(topic)`),
   * through the app's broker (in process by default; see `websocket.broker`).
   * A subscriber too slow to take it is closed with 1013 rather than skipped.
   *
   * @param topic - a non-empty string.
   * @param data - a string (text frame) or bytes (binary frame).
   * @returns resolves once the broker has taken the message.
   * @throws `InvalidArgumentError` (a `TypeError`, as a rejection) for an empty topic or data that is neither text nor bytes.
   * @example
   * ```ts
   * async ws_chat(ws: WebSocket, room = "lobby") {
   *   await ws.accept();
   *   await ws.subscribe(room);
   *   for await (const text of ws) await this.publish(room, text);
   * }
   * ```
   */
  publish(topic: string, data: string | Uint8Array | ArrayBuffer): Promise<void> {
    return publish(this.#core.config.broker, topic, data);
  }

  /**
   * Adds an explicit route (the plain-JS equivalent of the `@route` decorator).
   * The handler runs with `this` bound to the app and binds parameters by name.
   *
   * @example
   * ```js
   * app.route("/users/:id/posts", async function (id) { return posts(id); }, { methods: ["GET"] });
   * ```
   */
  route(pattern: string, handler: (...args: any[]) => unknown, options: RouteOptions & { websocket?: boolean } = {}): this {
    assertParamsBound(new RoutePattern(pattern), handler, handler.name || pattern, options.websocket ? 1 : 0);
    const schema = checkSchema(options.schema, Boolean(options.websocket));
    this.#core.explicitRoutes.push({ pattern, fn: handler, methods: options.methods, websocket: options.websocket, schema });
    return this;
  }

  /**
   * Runs the startup handlers, then serves the app with uWebSockets.js.
   */
  async listen(options: ListenOptions = {}): Promise<Server> {
    await this.#core.lifecycle.start();
    const listen = await serverAdapter();
    return listen(this.#core, options);
  }
}

/** The internals of `app`, for adapters and the TestClient. */
export function appCore(app: App): AppCore {
  return coreOf(app);
}
