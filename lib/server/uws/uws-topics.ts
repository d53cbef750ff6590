/**
 * How published messages reach sockets on uWS: native uWS topics, under the
 * shared {@link LocalFanout} (subscriptions, broker hooks, the 1013 check).
 *
 * uWS skips a subscriber whose buffer is over `maxBackpressure` without
 * telling anyone; upie turns that limit off (uWS then buffers everything)
 * and the fan-out's check closes a subscriber that fell too far behind.
 *
 * @module
 */
import type { TemplatedApp } from "uWebSockets.js";
import type { Logger } from "../../protocol/logger.js";
import type { Broker, PublishedMessage } from "../../pubsub/broker.js";
import { LocalFanout } from "../../pubsub/local-fanout.js";
import type { UwsWebSocket } from "./uws-websocket.js";

/**
 * The uWS server's fan-out: `app.publish` to native topics.
 *
 * @param app - the uWS app whose topics carry the messages.
 * @param broker - told when a topic gains its first or loses its last local subscriber.
 * @param limit - `maxSubscriberBackpressure`, in bytes.
 * @param logger - where broker hook failures go.
 * @returns the fan-out to attach to the broker.
 * @example
 * ```ts
 * const topics = uwsTopics(uwsApp, broker, 1024 * 1024, logger);
 * const detach = broker.attach(topics);
 * ```
 */
export function uwsTopics(app: TemplatedApp, broker: Broker, limit: number, logger: Logger): LocalFanout<UwsWebSocket> {
  return new LocalFanout<UwsWebSocket>(
    {
      // uWS copies the message before returning, and writes it to every subscriber's buffer.
      publish: (topic: string, message: PublishedMessage) => void app.publish(topic, message, typeof message !== "string"),
      subscribe: (socket, topic) => void socket.socket?.subscribe(topic),
      unsubscribe: (socket, topic) => void socket.socket?.unsubscribe(topic),
    },
    broker,
    limit,
    logger,
  );
}
