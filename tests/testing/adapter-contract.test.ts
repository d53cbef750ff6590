import { runAdapterContract, testClientAdapter, uwsAdapter } from "../../lib/testing/index.js";

// The same scenarios over real sockets and in process: a difference is a failing test.
runAdapterContract(uwsAdapter);
runAdapterContract(testClientAdapter);
