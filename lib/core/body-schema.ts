/**
 * The `schema` route option: the JSON body validated before the handler runs.
 * On success the schema's output replaces the parsed body, so
 * `this.request.json()` and binding by name both see validated (and
 * transformed) data; on failure the client gets 422 with every issue.
 *
 * @module
 */
import { ERRORS } from "../protocol/errors.js";
import { validateWith, type StandardSchemaV1, type ValidationIssue } from "../protocol/standard-schema.js";
import { requestFields, type Request } from "./request.js";
import type { ResponseTuple } from "./response.js";

/** The JSON body of a 422: what a client (or its developer) needs to fix the request. */
export interface InvalidBodyResponse {
  error: string;
  code: string;
  issues: ValidationIssue[];
}

/**
 * Validates `request.jsonBody` (undefined when the body was missing or not
 * JSON: the schema then says what it expected) and stores the output there.
 *
 * @returns undefined when the body is valid; otherwise the 422 response to send.
 */
export async function validateBody(schema: StandardSchemaV1, request: Request): Promise<ResponseTuple | undefined> {
  const result = await validateWith(schema, request.jsonBody);
  if ("issues" in result) {
    const body: InvalidBodyResponse = { error: ERRORS.INVALID_BODY.message, code: ERRORS.INVALID_BODY.code, issues: result.issues };
    return [ERRORS.INVALID_BODY.status, body];
  }
  requestFields(request).jsonBody = result.value;
  return undefined;
}
