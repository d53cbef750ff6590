/**
 * The channels service SDK: {@link Moobius} (services and user-mode programs) and {@link HttpApi}.
 *
 * @module
 */
export { Moobius, type MoobiusOptions, type SendMessageOptions, type Recipients, type Action, type Copy, type Update } from "./moobius.js";
export { HttpApi, ApiError, type SignIn } from "./http-api.js";
export type { ChannelInfo, Character, MessageBody, MessageContent, MessageSubtype } from "../protocol.js";
