/**
 * Who is subscribed to what, for one server's local fan-out.
 *
 * @module
 */

const NONE: ReadonlySet<never> = new Set();

/**
 * Topic ↔ subscriber bookkeeping. Tells the caller when a topic gains its
 * first subscriber or loses its last, which is when a distributed broker
 * has to (un)subscribe the channel.
 *
 * @example
 * ```ts
 * const topics = new TopicRegistry<string>();
 * topics.add("room", "alice");      // true: first subscriber
 * topics.add("room", "bob");        // false
 * topics.removeAll("alice");        // [] ("room" still has bob)
 * topics.subscribers("room").size;  // 1
 * ```
 */
export class TopicRegistry<S> {
  readonly #byTopic = new Map<string, Set<S>>();
  readonly #bySubscriber = new Map<S, Set<string>>();

  /**
   * Subscribes `subscriber` to `topic` (again is a no-op).
   *
   * @returns true when `topic` had no subscriber before.
   */
  add(topic: string, subscriber: S): boolean {
    let subscribers = this.#byTopic.get(topic);
    const first = subscribers === undefined;
    if (subscribers === undefined) this.#byTopic.set(topic, (subscribers = new Set()));
    subscribers.add(subscriber);
    let topics = this.#bySubscriber.get(subscriber);
    if (topics === undefined) this.#bySubscriber.set(subscriber, (topics = new Set()));
    topics.add(topic);
    return first;
  }

  /**
   * Unsubscribes `subscriber` from `topic` (not subscribed is a no-op).
   *
   * @returns true when `topic` has no subscriber left because of this call.
   */
  remove(topic: string, subscriber: S): boolean {
    const topics = this.#bySubscriber.get(subscriber);
    if (topics === undefined || !topics.delete(topic)) return false;
    if (topics.size === 0) this.#bySubscriber.delete(subscriber);
    const subscribers = this.#byTopic.get(topic)!;
    subscribers.delete(subscriber);
    if (subscribers.size > 0) return false;
    this.#byTopic.delete(topic);
    return true;
  }

  /**
   * Unsubscribes `subscriber` from everything (its connection closed).
   *
   * @returns the topics left without subscribers.
   */
  removeAll(subscriber: S): string[] {
    const topics = this.#bySubscriber.get(subscriber);
    if (topics === undefined) return [];
    const emptied: string[] = [];
    for (const topic of [...topics]) if (this.remove(topic, subscriber)) emptied.push(topic);
    return emptied;
  }

  /**
   * The current subscribers of `topic` (live view: do not mutate).
   *
   * @returns an empty set for an unknown topic.
   */
  subscribers(topic: string): ReadonlySet<S> {
    return this.#byTopic.get(topic) ?? NONE;
  }

  /**
   * Whether `subscriber` follows `topic`.
   *
   * @returns true when subscribed.
   */
  has(topic: string, subscriber: S): boolean {
    return this.#bySubscriber.get(subscriber)?.has(topic) === true;
  }
}
