/**
 * A server's local fan-out for published messages, the same for every
 * adapter: who follows which topic, the broker's `topicAdded` /
 * `topicRemoved` hooks, and the check that keeps a slow subscriber from
 * losing messages silently. The adapter only says how a message reaches its
 * subscribers (native uWS topics, or an in-process inbox).
 *
 * After a burst of publishes, the subscribers of the topics just published
 * to are asked to check themselves ({@link WebSocketEndpoint.checkSubscriber}):
 * one whose send buffer is over `maxSubscriberBackpressure` is closed with
 * 1013 after the messages it was already sent. A client thus gets every
 * message in order, or a close frame saying it fell behind.
 *
 * @module
 */
import { isThenable } from "../protocol/is-thenable.js";
import type { Logger } from "../protocol/logger.js";
import type { WebSocketEndpoint } from "../protocol/protocol.js";
import type { Broker, BrokerSink, PublishedMessage } from "./broker.js";
import { TopicRegistry } from "./topic-registry.js";

/** A local subscriber: anything with the engine's endpoint. */
export interface Subscriber {
  readonly endpoint: WebSocketEndpoint;
}

/** How messages and subscriptions reach an adapter's sockets. */
export interface FanoutTransport<S extends Subscriber> {
  /**
   * Sends `message` to every subscriber of `topic` (never skipping one).
   *
   * @param topic - the topic.
   * @param message - text or bytes; copy what you keep.
   * @param subscribers - the local subscribers (live view: do not mutate).
   */
  publish(topic: string, message: PublishedMessage, subscribers: ReadonlySet<S>): void;
  /** The adapter's own subscription (uWS topics); optional. */
  subscribe?(subscriber: S, topic: string): void;
  /** The adapter's own unsubscription; optional. */
  unsubscribe?(subscriber: S, topic: string): void;
}

/**
 * Subscriptions of one server, and its {@link BrokerSink}.
 *
 * @example
 * ```ts
 * const fanout = new LocalFanout(transport, broker, options.maxSubscriberBackpressure, logger);
 * const detach = broker.attach(fanout);
 * ```
 */
export class LocalFanout<S extends Subscriber> implements BrokerSink {
  readonly #transport: FanoutTransport<S>;
  readonly #broker: Broker;
  readonly #limit: number;
  readonly #logger: Logger;
  readonly #registry = new TopicRegistry<S>();
  readonly #dirty = new Set<string>();
  #uncheckedBytes = 0;
  #scheduled = false;

  /**
   * @param transport - how this adapter delivers.
   * @param broker - told when a topic gains its first or loses its last local subscriber.
   * @param limit - `maxSubscriberBackpressure`, in bytes: a burst this big is checked at once.
   * @param logger - where broker hook failures go.
   */
  constructor(transport: FanoutTransport<S>, broker: Broker, limit: number, logger: Logger) {
    this.#transport = transport;
    this.#broker = broker;
    this.#limit = limit;
    this.#logger = logger;
  }

  /**
   * Fans `message` out to this server's subscribers of `topic`.
   *
   * @param topic - the topic.
   * @param message - text or bytes.
   */
  deliver(topic: string, message: PublishedMessage): void {
    const subscribers = this.#registry.subscribers(topic);
    if (subscribers.size === 0) return;
    this.#transport.publish(topic, message, subscribers);
    this.#dirty.add(topic);
    // The limit is in bytes, as the socket buffers them: text goes out as UTF-8 (up to 3 bytes per UTF-16 unit).
    this.#uncheckedBytes += typeof message === "string" ? Buffer.byteLength(message) : message.byteLength;
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
   * Subscribes an open socket to `topic`.
   *
   * @param subscriber - the socket.
   * @param topic - the topic.
   */
  subscribe(subscriber: S, topic: string): void {
    this.#transport.subscribe?.(subscriber, topic);
    if (this.#registry.add(topic, subscriber)) this.#hook("topicAdded", topic);
  }

  /**
   * Unsubscribes a socket from `topic`.
   *
   * @param subscriber - the socket.
   * @param topic - the topic.
   */
  unsubscribe(subscriber: S, topic: string): void {
    this.#transport.unsubscribe?.(subscriber, topic);
    if (this.#registry.remove(topic, subscriber)) this.#hook("topicRemoved", topic);
  }

  /**
   * Forgets a closed socket (its native subscriptions, if any, died with it).
   *
   * @param subscriber - the closed socket.
   */
  removeAll(subscriber: S): void {
    for (const topic of this.#registry.removeAll(subscriber)) this.#hook("topicRemoved", topic);
  }

  /**
   * Whether `subscriber` follows `topic`.
   *
   * @returns true when subscribed.
   */
  has(topic: string, subscriber: S): boolean {
    return this.#registry.has(topic, subscriber);
  }

  readonly #check = (): void => {
    this.#scheduled = false;
    this.#uncheckedBytes = 0;
    this.#checkDirty();
    this.#dirty.clear();
  };

  #checkDirty(): void {
    for (const topic of this.#dirty) {
      // Closing a subscriber removes it from this set while we iterate: Set iteration allows that.
      for (const subscriber of this.#registry.subscribers(topic)) subscriber.endpoint.checkSubscriber();
    }
  }

  #hook(name: "topicAdded" | "topicRemoved", topic: string): void {
    const failed = (error: unknown) => this.#logger.error(`broker.${name}(${JSON.stringify(topic)}) failed`, error);
    try {
      const result = this.#broker[name]?.(topic);
      // Any thenable, not only a native Promise: a broker may return another library's.
      if (isThenable(result)) result.then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }
}
