/**
 * `upie/testing`: the contract suites upie proves its own adapters and
 * backends with, for yours. Each registers node:test suites.
 *
 * @example
 * ```ts
 * import { runAdapterContract, runBrokerContract, testClientAdapter, uwsAdapter } from "upie/testing";
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
export { runAdapterContract } from "./adapter-contract.js";
export { runBrokerContract, type BrokerFixture } from "./broker-contract.js";
export { runSessionBackendContract, type SessionBackendFixture } from "./session-backend-contract.js";
export type { AdapterHarness, AdapterUnderTest, HarnessResponse, HarnessSocket } from "./harness.js";
export { testClientAdapter } from "./test-client-harness.js";
export { uwsAdapter } from "./uws-harness.js";
