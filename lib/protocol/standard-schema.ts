/**
 * Standard Schema (https://standardschema.dev) v1: the interface zod (3.24+),
 * valibot (1.0+), arktype (2.0+) and others implement under a `~standard`
 * property. upie validates with any of them through this interface alone, so
 * none becomes a dependency; the types below are written from the spec, which
 * asks implementers to carry them rather than import a package.
 *
 * @module
 */

/** A validator that follows Standard Schema v1, typed by what it accepts and what it produces. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>;
}

export declare namespace StandardSchemaV1 {
  /** What a validator exposes under `~standard`. */
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => Result<Output> | Promise<Result<Output>>;
    /** Only for type inference: never present at run time. */
    readonly types?: Types<Input, Output> | undefined;
  }

  /** Either the validated (possibly transformed) value, or what was wrong. */
  export type Result<Output> = SuccessResult<Output> | FailureResult;

  export interface SuccessResult<Output> {
    readonly value: Output;
    readonly issues?: undefined;
  }

  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>;
  }

  /** One problem, with where it is in the value. */
  export interface Issue {
    readonly message: string;
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined;
  }

  export interface PathSegment {
    readonly key: PropertyKey;
  }

  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input;
    readonly output: Output;
  }

  /** The type a schema accepts. */
  export type InferInput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["input"];
  /** The type a schema produces: what upie hands your code after validating. */
  export type InferOutput<Schema extends StandardSchemaV1> = NonNullable<Schema["~standard"]["types"]>["output"];
}

/** The type a schema produces (`StandardSchemaV1.InferOutput`). */
export type InferOutput<Schema extends StandardSchemaV1> = StandardSchemaV1.InferOutput<Schema>;

/** An issue as upie reports it: a message and the path as plain keys (`["items", 0, "name"]`). */
export interface ValidationIssue {
  message: string;
  path: Array<string | number>;
}

/** True when `value` carries a Standard Schema v1 `~standard` with a `validate` function. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: unknown })["~standard"];
  return typeof props === "object" && props !== null && (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === "function";
}

/**
 * Runs `schema` on `value` (validators may answer synchronously or not).
 *
 * @returns the output, or the issues in a JSON-friendly form.
 */
export async function validateWith<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
): Promise<{ value: InferOutput<S> } | { issues: ValidationIssue[] }> {
  const result = await schema["~standard"].validate(value);
  if (result.issues === undefined) return { value: result.value as InferOutput<S> };
  return { issues: result.issues.map(toValidationIssue) };
}

function toValidationIssue(issue: StandardSchemaV1.Issue): ValidationIssue {
  const path = (issue.path ?? []).map((segment) => {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    return typeof key === "number" ? key : String(key);
  });
  return { message: String(issue.message), path };
}
