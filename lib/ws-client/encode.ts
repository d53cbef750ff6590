/**
 * How `WSClient.send` turns a value into a frame.
 *
 * @module
 */
import { InvalidArgumentError } from "../protocol/errors.js";
import type { Frame } from "./transport.js";

/** Values `send` accepts. */
export type SendValue = string | Uint8Array | ArrayBuffer | ArrayBufferView | object | number | boolean | null;

/**
 * Strings stay text; `Uint8Array`, `ArrayBuffer` and other views are binary;
 * anything else is JSON text.
 * @throws {@link InvalidArgumentError} (a `TypeError`) when the value has no JSON form (`undefined`, a function).
 */
export function encode(value: SendValue): Frame {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const json = JSON.stringify(value);
  if (json === undefined) throw new InvalidArgumentError(`WSClient: cannot send ${typeof value} (not JSON-serialisable)`);
  return json;
}
