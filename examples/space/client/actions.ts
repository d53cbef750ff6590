/**
 * The action methods of `GatherClient`, generated from the schema's
 * `ClientServerAction.action` oneof: one per action, camelCase, taking the
 * action message's fields positionally in field order, with a doc string
 * naming the arguments and their types.
 *
 * @module
 */
import type protobuf from "protobufjs";

import type { SpaceSchema } from "../schema.js";

/** One generated action: its name, its arguments (field order) and its doc. */
export interface ActionSpec {
  name: string;
  args: Array<{ name: string; type: string }>;
  doc: string;
}

/** The type of a field as a reader wants to see it: `string`, `uint32[]`, `WireObject`, `map<string, bool>`. */
function typeName(field: protobuf.Field): string {
  const base = field.resolvedType?.name ?? field.type;
  if (field.map) return `map<${(field as unknown as protobuf.MapField).keyType}, ${base}>`;
  return field.repeated ? `${base}[]` : base;
}

/** One spec per action in the schema, in field order. */
export function actionSpecs(schema: SpaceSchema): ActionSpec[] {
  const oneof = schema.ClientServerAction.oneofs!.action!;
  return oneof.fieldsArray.map((field) => {
    field.resolve();
    const type = field.resolvedType as protobuf.Type;
    const args = type.fieldsArray.map((f) => {
      f.resolve();
      return { name: f.name, type: typeName(f) };
    });
    const doc = `${field.name}\nArgs:${args.length === 0 ? " none" : ""}\n${args.map((a) => `\t${a.name} (${a.type})`).join("\n")}`.trimEnd();
    return { name: field.name, args, doc };
  });
}

/** The action object for `spec` called with `values` (positional; missing ones take the schema's defaults). */
export function actionArgs(spec: ActionSpec, values: readonly unknown[]): Record<string, unknown> {
  if (values.length > spec.args.length) {
    throw new TypeError(`${spec.name} takes ${spec.args.length} argument(s) (${spec.args.map((a) => a.name).join(", ")}), got ${values.length}`);
  }
  const fields: Record<string, unknown> = {};
  values.forEach((value, i) => {
    if (value !== undefined) fields[spec.args[i]!.name] = value;
  });
  return fields;
}
