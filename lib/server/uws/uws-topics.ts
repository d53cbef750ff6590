/**
 * The uWS server's local fan-out for published messages: native uWS topics,
 * plus the check that keeps a slow subscriber from losing messages silently.
 *
 * uWS skips a subscriber whose buffer is over `maxBackpressure` without
 * telling anyone. upie turns that limit off (uWS then buffers everything) and
 * enforces its own: after publishing, subscribers of the topics just
 * published whose buffer is above `maxSubscriberBackpressure` are closed
 * with 1013 after the messages they were already sent. A client thus gets
 * every message in order, or a close frame saying it fell behind.
 *
 * @module
 */
import type { TemplatedApp } from "uWebSockets.js";
import type { Logger } from "../../core/logger.js";
import type { Broker, BrokerSink, PublishedMessage } from "../../pubsub/broker.js";
import { TopicRegistry } from "../../pubsub/topic-registry.js";
import type { WebSocketConnection } from "./websocket-connection.js";

/**
 * Subscriptions of one uWS server, and its {@link BrokerSink}.
 *
 * @example
 * ```ts
 * const topics = new UwsTopics(uwsApp, broker, 1024 * 1024, logger);
 * const detach = broker.attach(topics);
 * ```
 */
export class UwsTopics implements BrokerSink {
  readonly #app: TemplatedApp;
  readonly #broker: Broker;
  readonly #limit: number;
  readonly #logger: Logger;
  readonly #registry = new TopicRegistry<WebSocketConnection>();
  readonly #dirty = new Set<string>();
  #uncheckedBytes = 0;
  #scheduled = false;

  /**
   * @param app - the uWS app whose topics carry the messages.
   * @param broker - told when a topic gains its first or loses its last local subscriber.
   * @param limit - `maxSubscriberBackpressure`, in bytes.
   * @param logger - where broker hook failures go.
   */
  constructor(app: TemplatedApp, broker: Broker, limit: number, logger: Logger) {
    this.#app = app;
    this.#broker = broker;
    this.#limit = limit;
    this.#logger = logger;
  }

  /**
   * Fans `message` out to this server's subscribers of `topic`.
   *
   * @param topic - the topic.
   * @param message - text or bytes; uWS copies it before returning.
   */
  deliver(topic: string, message: PublishedMessage): void {
    if (this.#registry.subscribers(topic).size === 0) return;
    const isBinary = typeof message !== "string";
    this.#app.publish(topic, message, isBinary);
    this.#dirty.add(topic);
    this.#uncheckedBytes += isBinary ? message.byteLength : message.length;
    // Check once per tick (a burst costs one pass), and at once too if the
    // burst alone could overrun the limit before the tick ends.
    if (this.#uncheckedBytes > this.#limit) {
      this.#uncheckedBytes = 0;
      this.#checkDirty();
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#check);
    }
  }

  /**
   * Subscribes an open connection to `topic`.
   *
   * @param connection - the subscriber.
   * @param topic - the topic.
   */
  subscribe(connection: WebSocketConnection, topic: string): void {
    connection.socket?.subscribe(topic);
    if (this.#registry.add(topic, connection)) this.#hook("topicAdded", topic);
  }

  /**
   * Unsubscribes a connection from `topic`.
   *
   * @param connection - the subscriber.
   * @param topic - the topic.
   */
  unsubscribe(connection: WebSocketConnection, topic: string): void {
    connection.socket?.unsubscribe(topic);
    if (this.#registry.remove(topic, connection)) this.#hook("topicRemoved", topic);
  }

  /**
   * Forgets a closed connection (uWS already dropped its native subscriptions).
   *
   * @param connection - the closed subscriber.
   */
  removeAll(connection: WebSocketConnection): void {
    for (const topic of this.#registry.removeAll(connection)) this.#hook("topicRemoved", topic);
  }

  readonly #check = (): void => {
    this.#scheduled = false;
    this.#uncheckedBytes = 0;
    this.#checkDirty();
    this.#dirty.clear();
  };

  #checkDirty(): void {
    const limit = this.#limit;
    for (const topic of this.#dirty) {
      // Closing a subscriber removes it from this set while we iterate: Set iteration allows that.
      for (const connection of this.#registry.subscribers(topic)) connection.checkSubscriber(limit);
    }
  }

  #hook(name: "topicAdded" | "topicRemoved", topic: string): void {
    try {
      const result = this.#broker[name]?.(topic);
      if (result instanceof Promise) result.catch((error: unknown) => this.#logger.error(`broker.${name}(${JSON.stringify(topic)}) failed`, error));
    } catch (error) {
      this.#logger.error(`broker.${name}(${JSON.stringify(topic)}) failed`, error);
    }
  }
}
