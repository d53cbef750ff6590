/**
 * `upie/testing`: the in-process `TestClient` (also exported from `upie`), and
 * the contract suites upie proves its own adapters and backends with, for
 * yours. Each suite registers node:test suites.
 *
 * @example
 * ```ts
 * import { TestClient, runAdapterContract, runBrokerContract, testClientAdapter, uwsAdapter } from "upie/testing";
 * runAdapterContract(uwsAdapter);
 * runBrokerContract("NatsBroker", () => ({ broker: () => new NatsBroker(url) }));
 * ```
 *
 * @module
 */
// upie's public types use Node's (Buffer, node:stream/web). TypeScript 6+ loads no
// @types by default ("types": []), so the entry points name them themselves;
// preserve="true" keeps the directive in the emitted .d.ts.
/// <reference types="node" preserve="true" />
export { TestClient, TestResponse, type RequestOptions, type TestClientOptions, type TestFile } from "./test-client.js";
export { TestWebSocket, type WebSocketRequestOptions } from "./test-websocket.js";
export { TimedOutError } from "../protocol/errors.js";
export { runAdapterContract } from "./adapter-contract.js";
export { runBrokerContract, type BrokerFixture } from "./broker-contract.js";
export { runSessionBackendContract, type SessionBackendFixture } from "./session-backend-contract.js";
export type { AdapterHarness, AdapterUnderTest, HarnessResponse, HarnessSocket } from "./harness.js";
export { testClientAdapter } from "./test-client-harness.js";
export { uwsAdapter } from "./uws-harness.js";
