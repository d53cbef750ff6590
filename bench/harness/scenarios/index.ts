/** Every scenario, in the order `npm run bench` runs them. @module */
import type { Scenario } from "../scenario.js";
import { hello, json, params } from "./get.js";
import postJson from "./post-json.js";
import session from "./session.js";
import upload from "./upload.js";
import wsBroadcast from "./ws-broadcast.js";
import wsConnect from "./ws-connect.js";
import wsEcho from "./ws-echo.js";
import wsIdle from "./ws-idle.js";
import wsIdleSettled from "./ws-idle-settled.js";

export const SCENARIOS: readonly Scenario[] = [hello, json, params, postJson, upload, session, wsEcho, wsBroadcast, wsIdle, wsIdleSettled, wsConnect];
