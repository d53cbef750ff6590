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
export { runAdapterContract } from "./adapter-contract.js";
export { runBrokerContract, type BrokerFixture } from "./broker-contract.js";
export { runSessionBackendContract, type SessionBackendFixture } from "./session-backend-contract.js";
export type { AdapterHarness, AdapterUnderTest, HarnessResponse, HarnessSocket } from "./harness.js";
export { testClientAdapter } from "./test-client-harness.js";
export { uwsAdapter } from "./uws-harness.js";
