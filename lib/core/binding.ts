/**
 * Binds request data to handler parameters by name, with the order of
 * precedence in docs/routing.md: path segment → query → body field (urlencoded,
 * multipart, or top-level JSON key) → uploaded file → the parameter's
 * default → 400.
 *
 * The session is never a source (MicroPie binds it last; upie does not):
 * every source above is one the client controls, so a handler expecting
 * `user` from the session would take `?user=admin` from anyone. Handlers
 * read `this.request.session` instead.
 *
 * @module
 */
import { ERRORS, HttpError } from "../protocol/errors.js";
import { requestFields, type Request } from "./request.js";
import type { RouteMatch } from "./route-table.js";

const NO_ARGS: unknown[] = [];

/**
 * Builds the argument list for a matched handler.
 *
 * @param first - the value for parameters before `handler.firstBound` (the WebSocket).
 * @throws HttpError 400 `Missing required parameter 'name'`.
 */
export function bindArguments(match: RouteMatch, request: Request, first?: unknown): unknown[] {
  const { handler, positional, named } = match;
  const params = handler.params;
  const count = params.length;
  if (count === 0) return NO_ARGS;
  // Sized up front: an array grown by push() from empty takes room for 17.
  const args: unknown[] = new Array(count);
  let bound = 0;
  let next = 0;
  let pathParams: Record<string, string> | undefined = named;
  for (let i = 0; i < count; i++) {
    if (i < handler.firstBound) {
      args[bound++] = first;
      continue;
    }
    const { name, rest, hasDefault } = params[i]!;
    if (rest) {
      const values = next < positional.length ? positional.slice(next) : named && name && named[name] !== undefined ? named[name].split("/") : [];
      if (name !== undefined && next < positional.length) (pathParams ??= Object.create(null))[name] = values.join("/");
      for (const value of values) args[bound++] = value;
      next = positional.length;
      break;
    }
    let value: unknown;
    if (next < positional.length) {
      value = positional[next++];
      if (name !== undefined) (pathParams ??= Object.create(null))[name] = value as string;
    } else if (name !== undefined) {
      value = lookup(name, request, named);
    }
    if (value === undefined && !hasDefault) {
      throw HttpError.of(ERRORS.MISSING_PARAMETER, `Missing required parameter '${name ?? `#${i}`}'`);
    }
    args[bound++] = value;
  }
  // A rest parameter takes any number of values, none included.
  args.length = bound;
  if (pathParams !== undefined) requestFields(request).pathParams = pathParams;
  return args;
}

function lookup(name: string, request: Request, named: Record<string, string> | undefined): unknown {
  const fromPath = named?.[name];
  if (fromPath !== undefined) return fromPath;
  const fromQuery = request.queryParams[name];
  if (fromQuery !== undefined) return fromQuery[0];
  const fromForm = request.bodyParams[name];
  if (fromForm !== undefined) return fromForm[0];
  const json = request.jsonBody;
  if (json !== null && typeof json === "object" && !Array.isArray(json) && Object.hasOwn(json, name)) {
    return (json as Record<string, unknown>)[name];
  }
  const file = request.files[name];
  if (file !== undefined) return file[0];
  return undefined;
}
