/**
 * The channels service SDK: {@link Moobius} (services and user-mode programs), {@link HttpApi},
 * the {@link Wand}, and {@link SEED_METHODS} (seed 001's methods and where each lives).
 *
 * @module
 */
export { Moobius, type MoobiusOptions, type Action, type Copy, type Update, type Frame, type Group } from "./moobius.js";
export { MoobiusApi } from "./moobius-api.js";
export type { SendMessageOptions, Recipients } from "./message.js";
export { HttpApi, ApiError, type SignIn, type GroupInfo } from "./http-api.js";
export { Wand, WandError } from "./wand.js";
export { download, type DownloadOptions, type DownloadSource } from "./download.js";
export { SEED_METHODS, seedMethodTable, type SeedMethod } from "./seed-methods.js";
export type { ChannelInfo, Character, MessageBody, MessageContent, MessageSubtype } from "../protocol.js";
