/**
 * `AccountStore`: accounts (scrypt-hashed passwords), their sessions (an
 * access token and a refresh token each) and the services a service
 * account owns. Every collection is bounded, and a bound is enforced per
 * account first: an account that signs in again and again ends its own
 * oldest session, never another account's.
 *
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

import { ProtocolError, newId } from "./protocol.js";
import { QuotaError, StoreFullError } from "./store-errors.js";

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

/** A user (a person, or a program in user mode) or a service. */
export type Role = "user" | "service";

/** An account: who signs in, with what password hash. Its id is its character id (users) or first service id. */
export interface Account {
  id: string;
  username: string;
  role: Role;
  salt: Buffer;
  hash: Buffer;
}

/** One sign-in: the tokens it handed out. Sockets logged in with its access token belong to it. */
export interface Session {
  id: string;
  accountId: string;
  accessToken: string;
  refreshToken: string;
}

/** A service: an account of role `service` owns one (its own id) or more. */
export interface Service {
  service_id: string;
  owner: string;
  description: string;
}

/** The bounds of an {@link AccountStore}. */
export interface AccountLimits {
  accounts: number;
  /** Sessions in all; past it a sign-in is refused (507), nobody is signed out. */
  sessions: number;
  /** Sessions one account may hold; its own oldest ends past it. */
  sessionsPerAccount: number;
  /** Services one service account may create. */
  servicesPerAccount: number;
}

export class AccountStore {
  readonly limits: AccountLimits;
  /** Called when a session ends (sign-out, or its account's quota): the platform closes its sockets. */
  onSessionEnded: (sessionId: string) => void = () => {};
  readonly #byName = new Map<string, Account>();
  readonly #byId = new Map<string, Account>();
  readonly #sessions = new Map<string, Session>();
  readonly #byAccess = new Map<string, Session>();
  readonly #byRefresh = new Map<string, Session>();
  /** Each account's session ids, oldest first. */
  readonly #sessionsOf = new Map<string, string[]>();
  readonly #services = new Map<string, Service>();

  constructor(limits: AccountLimits) {
    this.limits = limits;
  }

  /** Creates an account; the password is kept only as a salted scrypt hash. A service account owns the service of its own id. */
  async signUp(username: string, password: string, role: Role, description = ""): Promise<Account> {
    if (this.#byName.has(username)) throw new ProtocolError(`${username} is taken`);
    if (this.#byName.size >= this.limits.accounts) throw new StoreFullError("too many accounts");
    const salt = randomBytes(16);
    const hash = await scryptAsync(password, salt, 32);
    if (this.#byName.has(username)) throw new ProtocolError(`${username} is taken`); // raced while hashing
    const account: Account = { id: `${role === "user" ? "u" : "s"}_${newId()}`, username, role, salt, hash };
    this.#byName.set(username, account);
    this.#byId.set(account.id, account);
    if (role === "service") this.#services.set(account.id, { service_id: account.id, owner: account.id, description });
    return account;
  }

  /** The account if the password matches (constant-time compare), else undefined. */
  async signIn(username: string, password: string): Promise<Account | undefined> {
    const account = this.#byName.get(username);
    // Hash even for an unknown name, so timing does not tell which names exist.
    const hash = await scryptAsync(password, account?.salt ?? Buffer.alloc(16), 32);
    return account !== undefined && timingSafeEqual(hash, account.hash) ? account : undefined;
  }

  /**
   * A new session for `account`. Past its own quota, its oldest session
   * ends; when the platform holds {@link AccountLimits.sessions} in all, the
   * sign-in is refused instead of ending anyone else's.
   */
  openSession(account: Account): Session {
    const mine = () => this.#sessionsOf.get(account.id) ?? [];
    if (mine().length < this.limits.sessionsPerAccount && this.#sessions.size >= this.limits.sessions) throw new StoreFullError("too many sessions on the platform: try again later");
    while (mine().length >= this.limits.sessionsPerAccount) this.endSession(mine()[0]!);
    const session: Session = { id: newId(), accountId: account.id, accessToken: token(), refreshToken: token() };
    this.#sessions.set(session.id, session);
    this.#byAccess.set(session.accessToken, session);
    this.#byRefresh.set(session.refreshToken, session);
    this.#sessionsOf.set(account.id, [...mine(), session.id]);
    return session;
  }

  /** A new access token for the session of `refreshToken`; the old access token stops working, the session (and its sockets) go on. */
  refresh(refreshToken: unknown): Session | undefined {
    const session = typeof refreshToken === "string" ? this.#byRefresh.get(refreshToken) : undefined;
    if (session === undefined) return undefined;
    this.#byAccess.delete(session.accessToken);
    session.accessToken = token();
    this.#byAccess.set(session.accessToken, session);
    return session;
  }

  /** Ends a session: its tokens stop working and {@link onSessionEnded} closes its sockets. */
  endSession(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (session === undefined) return;
    this.#sessions.delete(sessionId);
    this.#byAccess.delete(session.accessToken);
    this.#byRefresh.delete(session.refreshToken);
    const left = (this.#sessionsOf.get(session.accountId) ?? []).filter((id) => id !== sessionId);
    if (left.length === 0) this.#sessionsOf.delete(session.accountId);
    else this.#sessionsOf.set(session.accountId, left);
    this.onSessionEnded(sessionId);
  }

  /** The session an access token belongs to. */
  session(accessToken: unknown): Session | undefined {
    return typeof accessToken === "string" ? this.#byAccess.get(accessToken) : undefined;
  }

  /** The account an access token belongs to. */
  accountForToken(accessToken: unknown): Account | undefined {
    const session = this.session(accessToken);
    return session === undefined ? undefined : this.#byId.get(session.accountId);
  }

  account(accountId: string): Account | undefined {
    return this.#byId.get(accountId);
  }

  /** Creates another service owned by `owner` (a service account). */
  createService(owner: Account, description: string): Service {
    if (this.servicesOf(owner.id).length >= this.limits.servicesPerAccount) throw new QuotaError(`quota: at most ${this.limits.servicesPerAccount} services per account`);
    const service: Service = { service_id: `s_${newId()}`, owner: owner.id, description };
    this.#services.set(service.service_id, service);
    return { ...service };
  }

  service(serviceId: string): Service | undefined {
    return this.#services.get(serviceId);
  }

  /** The services `accountId` owns. */
  servicesOf(accountId: string): Service[] {
    return [...this.#services.values()].filter((s) => s.owner === accountId).map((s) => ({ ...s }));
  }

  /** Whether `account` may act as `serviceId`. */
  owns(account: Account, serviceId: string): boolean {
    return account.role === "service" && this.#services.get(serviceId)?.owner === account.id;
  }
}

function token(): string {
  return randomBytes(24).toString("base64url");
}
