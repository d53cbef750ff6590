/**
 * `ws.receiveJson(schema?)`: a text message parsed as JSON and, when a
 * Standard Schema is given, validated and typed by it. Kept apart from the
 * WebSocket class: the class only reads the next message and hands it here.
 *
 * @module
 */
import { InvalidMessageError, InvalidArgumentError } from "../protocol/errors.js";
import { isStandardSchema, validateWith, type InferOutput, type StandardSchemaV1 } from "../protocol/standard-schema.js";

/**
 * Parses `text` as JSON and validates it with `schema` when there is one.
 *
 * @returns the parsed value, or the schema's output (transforms and defaults applied).
 * @throws InvalidMessageError when `text` is not JSON or the schema rejects it.
 * @throws TypeError when `schema` is not a Standard Schema.
 */
export async function parseJsonMessage<S extends StandardSchemaV1>(text: string, schema?: S): Promise<InferOutput<S> | unknown> {
  if (schema !== undefined && !isStandardSchema(schema)) {
    throw new InvalidArgumentError("receiveJson() takes a Standard Schema validator (zod, valibot, arktype, …)");
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidMessageError([{ message: `Malformed JSON: ${(error as Error).message}`, path: [] }]);
  }
  if (schema === undefined) return value;
  const result = await validateWith(schema, value);
  if ("issues" in result) throw new InvalidMessageError(result.issues);
  return result.value;
}
