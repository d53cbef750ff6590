/**
 * The space protocol's schema, loaded from `space.proto` with protobufjs'
 * reflection at start-up: no generated code, no hand-written encoder.
 * The server, `GatherClient` and the bundle for the browser page share it.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

import protobuf from "protobufjs";

/** Where the schema lives. */
export const PROTO_PATH = fileURLToPath(new URL("./space.proto", import.meta.url));

/** One decoded event: exactly one key set (its kind, as in `WhichOneof("event")`). */
export type SpaceEvent = Record<string, any> & { event?: string };
/** A decoded `ServerClientBatch`. */
export interface SpaceBatch {
  events: SpaceEvent[];
}
/** A decoded `ClientServerAction`. */
export type SpaceAction = Record<string, any> & { txnId: number; action?: string };

/** The loaded schema and the three types every side uses. */
export interface SpaceSchema {
  readonly root: protobuf.Root;
  readonly ClientServerAction: protobuf.Type;
  readonly ServerClientBatch: protobuf.Type;
  readonly ServerClientEvent: protobuf.Type;
}

let cached: SpaceSchema | undefined;

/** Loads (once) and returns the schema. */
export function loadSchema(): SpaceSchema {
  if (cached !== undefined) return cached;
  const root = protobuf.loadSync(PROTO_PATH);
  root.resolveAll();
  cached = schemaFromRoot(root);
  return cached;
}

/** The three types of an already loaded root (the browser builds its root from JSON). */
export function schemaFromRoot(root: protobuf.Root): SpaceSchema {
  return {
    root,
    ClientServerAction: root.lookupType("upie.space.ClientServerAction"),
    ServerClientBatch: root.lookupType("upie.space.ServerClientBatch"),
    ServerClientEvent: root.lookupType("upie.space.ServerClientEvent"),
  };
}

/** protobufjs' decode options: plain objects, the oneof's name on `action` / `event`, defaults filled in. */
export const TO_OBJECT: protobuf.IConversionOptions = { oneofs: true, defaults: true, longs: Number, bytes: Uint8Array as unknown as typeof Array };

/** Encodes one action frame. */
export function encodeAction(schema: SpaceSchema, action: Record<string, unknown>): Uint8Array {
  const { ClientServerAction } = schema;
  const problem = ClientServerAction.verify(action);
  if (problem !== null) throw new TypeError(`bad action: ${problem}`);
  return ClientServerAction.encode(ClientServerAction.fromObject(action)).finish();
}

/** Decodes one action frame; throws on bytes that are not one. */
export function decodeAction(schema: SpaceSchema, bytes: Uint8Array): SpaceAction {
  const { ClientServerAction } = schema;
  return ClientServerAction.toObject(ClientServerAction.decode(bytes), TO_OBJECT) as SpaceAction;
}

/**
 * Encodes one batch of events (each a plain object with one event key).
 * The server's events are built with the schema's types (numbers, strings,
 * Uint8Array bytes), so they are encoded as they are: `fromObject` would copy
 * every event into a message first, a third of the tick's time under load.
 */
export function encodeBatch(schema: SpaceSchema, events: readonly object[]): Uint8Array {
  const { ServerClientBatch } = schema;
  return ServerClientBatch.encode({ events }).finish();
}

/** Decodes one batch; each event carries its kind on `event`. */
export function decodeBatch(schema: SpaceSchema, bytes: Uint8Array): SpaceBatch {
  const { ServerClientBatch } = schema;
  return ServerClientBatch.toObject(ServerClientBatch.decode(bytes), TO_OBJECT) as SpaceBatch;
}

/** The names of the actions in the schema's `ClientServerAction.action` oneof, in field order. */
export function actionNames(schema: SpaceSchema): string[] {
  const oneof = schema.ClientServerAction.oneofs!.action!;
  return oneof.fieldsArray.map((field) => field.name);
}
