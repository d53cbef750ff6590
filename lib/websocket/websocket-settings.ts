/**
 * One app's WebSocket settings and broker, resolved once and shared by
 * every server that runs the app (the uWS server, TestClients).
 *
 * @module
 */
import type { AppCore } from "../core/app-core.js";
import type { Broker } from "../pubsub/broker.js";
import { LocalBroker } from "../pubsub/local-broker.js";
import { resolveWebSocketOptions, type ResolvedWebSocketOptions } from "../core/websocket-options.js";

/** What every WebSocket of an app shares. */
export interface WebSocketSettings {
  readonly options: ResolvedWebSocketOptions;
  /** The user's broker, or the app's own {@link LocalBroker}. */
  readonly broker: Broker;
}

const settings = new WeakMap<AppCore, WebSocketSettings>();

/**
 * The WebSocket settings of an app, validated on first use.
 *
 * @param core - the app's internals.
 * @returns the same object on every call for one app.
 * @throws {@link InvalidOptionError} for bad `websocket` options.
 * @example
 * ```ts
 * websocketSettings(appCore(app)).options.maxPayloadLength; // 65536
 * ```
 */
export function websocketSettings(core: AppCore): WebSocketSettings {
  let found = settings.get(core);
  if (found === undefined) {
    const options = resolveWebSocketOptions(core.options.websocket);
    found = Object.freeze({ options, broker: options.broker ?? new LocalBroker() });
    settings.set(core, found);
  }
  return found;
}
