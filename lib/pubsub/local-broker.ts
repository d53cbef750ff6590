/**
 * The default broker: in-process, synchronous, no network.
 *
 * @module
 */
import type { Broker, BrokerSink, PublishedMessage } from "./broker.js";

/**
 * Delivers every published message to every attached sink, in this process,
 * before `publish` returns. With the uWS server the sink fans out through
 * native uWS topics, so a publish to ten thousand subscribers is one call.
 *
 * @example
 * ```ts
 * const broker = new LocalBroker();
 * const detach = broker.attach({ deliver: (topic, message) => console.log(topic, message) });
 * broker.publish("news", "hello"); // logs: news hello
 * detach();
 * ```
 */
export class LocalBroker implements Broker {
  #sinks: BrokerSink[] = [];

  /**
   * Hands `message` to every attached sink.
   *
   * @param topic - the topic.
   * @param message - a string (text frame) or bytes (binary frame).
   */
  publish(topic: string, message: PublishedMessage): void {
    const sinks = this.#sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i]!.deliver(topic, message);
  }

  /**
   * Starts delivering to `sink`.
   *
   * @param sink - a server's local fan-out.
   * @returns a function that stops delivering to it.
   */
  attach(sink: BrokerSink): () => void {
    // Copy on write: a sink detaching during a publish must not skip another.
    this.#sinks = [...this.#sinks, sink];
    return () => {
      this.#sinks = this.#sinks.filter((s) => s !== sink);
    };
  }
}
