/**
 * `ChannelsBase`: what every part of the channels HTTP API shares: the
 * platform and its store, the middlewares (rate limit, static files,
 * security headers), and the helpers that turn a request into an account,
 * a service or a channel, or into a clear 4xx.
 *
 * The routes live in the subclasses: {@link AccountsApi} (sign-up, sign-in,
 * sessions, the current user) and `ChannelsApp` (channels, agents, groups,
 * files, the WebSocket and the page).
 *
 * @module
 */
import { fileURLToPath } from "node:url";

import { App, HttpError, RateLimit, SecurityHeaders, StaticFiles, type AppOptions, type MessageRate, type RateLimitOptions, type Request } from "upie";
import { ChannelStore, type Account, type Channel, type Role, type StoreLimits } from "./channel-store.js";
import { Platform } from "./platform.js";
import { ProtocolError } from "./protocol.js";
import { SignInBackoff, type SignInBackoffOptions } from "./sign-in-backoff.js";

/** Options for the channels app: upie's own, plus the platform's. */
export interface ChannelsOptions extends AppOptions {
  /** Bounds of the in-memory store (per account and in all). */
  storeLimits?: Partial<StoreLimits>;
  /**
   * Frames one WebSocket may send (upie's `websocket.messageRate`: past it the
   * socket is closed with 1008); `false` for no limit. Default {@link DEFAULT_FRAME_RATE}.
   */
  frameRate?: MessageRate | false;
  /** Sign-up and sign-in attempts per client address; `false` for none. Default: bursts of 30, then 2 per second. */
  authRate?: RateLimitOptions | false;
  /** Failed sign-ins per account before it must wait, and how long. */
  signInBackoff?: Partial<SignInBackoffOptions>;
  /** Accounts one client address may create. Default 50. */
  accountsPerAddress?: number;
}

/** The default frame budget: far above what a person types, low enough that one socket cannot monopolise the platform. */
export const DEFAULT_FRAME_RATE: Readonly<MessageRate> = Object.freeze({ perSecond: 200, burst: 400 });

/** Largest upload (bytes). */
export const MAX_UPLOAD = 2 * 1024 * 1024;
const HERE = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export class ChannelsBase extends App {
  readonly platform: Platform;
  readonly signInBackoff: SignInBackoff;
  readonly accountsPerAddress: number;

  constructor(options: ChannelsOptions = {}) {
    const { storeLimits, authRate = {}, frameRate = DEFAULT_FRAME_RATE, signInBackoff, accountsPerAddress = 50, ...appOptions } = options;
    // A socket that does not read holds at most maxSubscriberBackpressure (1 MiB) of frames: past it upie closes it (1013).
    const websocket = { maxPayloadLength: 128 * 1024, maxBackpressure: 256 * 1024, ...(frameRate === false ? {} : { messageRate: frameRate }), ...appOptions.websocket };
    super({ limits: { bodySize: 64 * 1024, fileSize: MAX_UPLOAD, files: 1, fields: 8, parts: 10 }, ...appOptions, websocket });
    this.platform = new Platform(new ChannelStore(storeLimits));
    this.signInBackoff = new SignInBackoff(signInBackoff);
    this.accountsPerAddress = accountsPerAddress;
    if (authRate !== false) {
      const onAuth = (request: Request) => (request.method === "POST" && request.path.startsWith("/api/sign_") ? request.remoteAddress : undefined);
      this.middlewares.push(new RateLimit({ capacity: 30, refillPerSecond: 2, key: onAuth, ...authRate }));
    }
    this.middlewares.push(new StaticFiles({ root: HERE("./public"), prefix: "/static", maxAge: 300 }), new SecurityHeaders({ cacheControl: "no-store" }));
  }

  get store(): ChannelStore {
    return this.platform.store;
  }

  /** The account of the request's `Authorization: Bearer` token (of `role`, if given), else 401/403. */
  _account(role?: Role): Account {
    const account = this.store.accountForToken(bearer(this.request));
    if (account === undefined) throw new HttpError(401, "sign in first: Authorization: Bearer <access_token>");
    if (role !== undefined && account.role !== role) throw new HttpError(403, `only a ${role} may do this`);
    return account;
  }

  /** The service the request acts as: `X-Service-Id` (one the account owns), else the account's own. */
  _service(): string {
    const account = this._account("service");
    const asked = this.request.headers["x-service-id"];
    const serviceId = asked === undefined || asked === "" ? account.id : asked;
    if (!this.store.accounts.owns(account, serviceId)) throw new HttpError(403, "X-Service-Id is not a service of this account");
    return serviceId;
  }

  _channel(channelId: string): Channel {
    const channel = this.store.channel(channelId);
    if (channel === undefined) throw new HttpError(404, "no such channel");
    return channel;
  }

  _serviceOnline(channelId: string): boolean {
    const serviceId = this.store.channel(channelId)?.serviceId;
    return serviceId !== undefined && this.platform.isServiceOnline(serviceId);
  }

  /** Runs a check; its {@link ProtocolError} becomes a 400. */
  _check<T>(check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (error instanceof ProtocolError) throw new HttpError(400, error.message);
      throw error;
    }
  }

  /** Runs a store call; a refusal becomes 409, a quota 403, a full platform 507. */
  async _api<T>(call: () => T | Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      const status = error.name === "StoreFullError" ? 507 : error.name === "QuotaError" ? 403 : 409;
      throw new HttpError(status, error.message);
    }
  }

  /** A whole-number query parameter in 1..max (larger values are cut to max), `fallback` when absent; 400 otherwise. */
  _integerQuery(name: string, fallback: number, max: number): number {
    const raw = this.request.query(name);
    if (raw === undefined || raw === "") return fallback;
    if (!/^[0-9]{1,16}$/.test(raw) || Number(raw) < 1) throw new HttpError(400, `${name} must be a whole number from 1`);
    return Math.min(Number(raw), max);
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearer(request: Request): string | undefined {
  const header = request.headers.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
}

/** `value` as a string, or a 400 naming `what`: JSON may carry anything, and only strings go on. */
export function stringField(value: unknown, what: string): string {
  if (typeof value !== "string") throw new HttpError(400, `${what} must be a string`);
  return value;
}
