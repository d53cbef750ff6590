/**
 * `upie/redis`: the Redis broker and session backend. Importing it loads
 * `ioredis` (an optional peer dependency); importing `upie` never does.
 *
 * @module
 */
// upie's public types use Node's (Buffer, node:stream/web). TypeScript 6+ loads no
// @types by default ("types": []), so the entry points name them themselves;
// preserve="true" keeps the directive in the emitted .d.ts.
/// <reference types="node" preserve="true" />
export { RedisBroker, type RedisBrokerOptions } from "./redis-broker.js";
export { RedisSessionBackend, type RedisSessionBackendOptions } from "./redis-session-backend.js";
export { BacklogFullError } from "./backlog-full-error.js";
export { MessageTooLargeError } from "./message-too-large-error.js";
export type { ReaderStats } from "./stream-reader.js";
export type { RedisConnectionOptions } from "./redis-connection.js";
