/**
 * The scope of an HTTP request on uWS. A class rather than a literal so the
 * client address can be read lazily from the live response.
 *
 * @module
 */
import type { Headers, HttpScope } from "../../protocol/protocol.js";
import type { HttpExchange } from "./http-exchange.js";

export class UwsHttpScope implements HttpScope {
  readonly type = "http" as const;
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly headers: Headers;
  readonly #exchange: HttpExchange;

  constructor(method: string, path: string, rawQuery: string, headers: Headers, exchange: HttpExchange) {
    this.method = method;
    this.path = path;
    this.rawQuery = rawQuery;
    this.headers = headers;
    this.#exchange = exchange;
  }

  get client(): string {
    return this.#exchange.remoteAddress;
  }
}
