/**
 * The pub/sub seam: how `app.publish(topic, data)` reaches the WebSockets
 * that called `ws.subscribe(topic)`, in this process or in others.
 *
 * A broker only moves messages between servers; it never sees a socket.
 * Every running server (the uWS server, a TestClient) owns a local fan-out,
 * a {@link BrokerSink}, and attaches it to the app's broker. The in-process
 * default ({@link LocalBroker}) hands each message straight to the attached
 * sinks; the uWS sink then fans it out with native uWS topics. A Redis broker
 * would `PUBLISH` instead, and call `sink.deliver` for what its `SUBSCRIBE`
 * connection receives: handlers do not change.
 *
 * @module
 */

/** A published message: text frames for strings, binary frames for bytes. */
export type PublishedMessage = string | Uint8Array;

/** One server's local fan-out, attached to a broker with {@link Broker.attach}. */
export interface BrokerSink {
  /**
   * Sends `message` to every local subscriber of `topic`, after what they were already sent.
   * Never drops silently: a subscriber that cannot keep up is closed instead.
   *
   * @param topic - the topic it was published on.
   * @param message - the payload; the sink copies what it keeps.
   */
  deliver(topic: string, message: PublishedMessage): void;
}

/**
 * Moves published messages to the servers that have subscribers.
 *
 * @example
 * ```ts
 * // A cross-process broker, sketched with a Redis client:
 * class RedisBroker implements Broker {
 *   #sinks = new Set<BrokerSink>();
 *   constructor(private pub: Redis, private sub: Redis) {
 *     sub.on("messageBuffer", (channel, payload) => {
 *       for (const sink of this.#sinks) sink.deliver(channel.toString(), decode(payload));
 *     });
 *   }
 *   publish(topic: string, message: PublishedMessage) { return this.pub.publish(topic, encode(message)); }
 *   attach(sink: BrokerSink) { this.#sinks.add(sink); return () => this.#sinks.delete(sink); }
 *   topicAdded(topic: string) { return this.sub.subscribe(topic); }
 *   topicRemoved(topic: string) { return this.sub.unsubscribe(topic); }
 * }
 * const app = new MyApp({ websocket: { broker: new RedisBroker(pub, sub) } });
 * ```
 */
export interface Broker {
  /**
   * Publishes `message` on `topic` to every subscriber the broker reaches.
   *
   * @param topic - any non-empty string.
   * @param message - a string (sent as a text frame) or bytes (a binary frame).
   * @returns once the broker has taken the message (not once subscribers have read it).
   */
  publish(topic: string, message: PublishedMessage): void | Promise<void>;
  /**
   * Connects a server's local fan-out; called once by each server that starts.
   *
   * @param sink - where messages for this server go.
   * @returns a function that disconnects the sink (called when the server closes).
   */
  attach(sink: BrokerSink): () => void;
  /**
   * Optional: a sink got its first local subscriber of `topic` (a
   * distributed broker starts listening to that channel here).
   *
   * @param topic - the topic.
   */
  topicAdded?(topic: string): void | Promise<void>;
  /**
   * Optional: the app's `secret` (normalised to a list, the first signs),
   * given once by each app built on this broker with a `secret`. A broker
   * that crosses process boundaries may authenticate its messages with it.
   *
   * @param secrets - the app's secrets.
   */
  useSecrets?(secrets: readonly string[]): void;
  /**
   * Optional: a sink lost its last local subscriber of `topic`.
   *
   * @param topic - the topic.
   */
  topicRemoved?(topic: string): void | Promise<void>;
}

/**
 * Duck-types a broker (for option validation).
 *
 * @param value - e.g. the `websocket.broker` option.
 * @returns true when `value` has `publish` and `attach` methods.
 * @example
 * ```ts
 * isBroker(new LocalBroker()); // true
 * ```
 */
export function isBroker(value: unknown): value is Broker {
  return (
    typeof value === "object" && value !== null &&
    typeof (value as Broker).publish === "function" && typeof (value as Broker).attach === "function"
  );
}
