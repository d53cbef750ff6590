/**
 * `app.publish(topic, data)`: checks and normalises what users publish
 * before a broker sees it.
 *
 * @module
 */
import { InvalidArgumentError } from "../protocol/errors.js";
import type { Broker, PublishedMessage } from "./broker.js";

/**
 * Publishes `data` on `topic` through `broker`.
 *
 * @param broker - the app's broker.
 * @param topic - a non-empty string.
 * @param data - a string (text frame), or bytes (binary frame): a Uint8Array, ArrayBuffer or other view.
 * @returns resolves once the broker has taken the message; rejects with what the broker throws.
 * @throws `InvalidArgumentError` (a `TypeError`, as a rejection) for an empty topic or data that is neither text nor bytes.
 * @example
 * ```ts
 * await publish(broker, "room:lobby", JSON.stringify({ from: "al", text: "hi" }));
 * ```
 */
export async function publish(broker: Broker, topic: string, data: string | Uint8Array | ArrayBuffer | ArrayBufferView): Promise<void> {
  if (typeof topic !== "string" || topic === "") throw new InvalidArgumentError("A topic is a non-empty string");
  let message: PublishedMessage;
  if (typeof data === "string" || data instanceof Uint8Array) message = data;
  else if (data instanceof ArrayBuffer) message = new Uint8Array(data);
  else if (ArrayBuffer.isView(data)) message = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else throw new InvalidArgumentError("publish() takes a string or bytes");
  await broker.publish(topic, message);
}
