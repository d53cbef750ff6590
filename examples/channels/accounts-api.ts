/**
 * `AccountsApi`: the channels API's account routes: sign-up, sign-in (with a
 * per-account failure backoff), sign-out (which closes that session's
 * sockets with 4401), token refresh, and the current user's profile.
 *
 * @module
 */
import { HttpError, route } from "upie";
import { bearer, ChannelsBase, stringField } from "./channels-base.js";
import { USERNAME, text } from "./protocol.js";
import type { Role } from "./channel-store.js";

export class AccountsApi extends ChannelsBase {
  readonly #signUps = new Map<string, number>();

  /** `POST /api/sign_up` `{username, password, role?, name?}`: a new user (or, with `role: "service"`, a service account). */
  @route("/api/sign_up", { methods: ["POST"] })
  async sign_up(username: unknown, password: unknown, role: unknown = "user", name: unknown = "") {
    // Types first: a JSON body may carry an array where a string belongs (`["alice"]` once made a second alice).
    const [user, pass, kind, shown] = [stringField(username, "username"), stringField(password, "password"), stringField(role, "role"), stringField(name, "name")];
    if (!USERNAME.test(user)) throw new HttpError(400, "username: 1 to 32 letters, digits or underscores");
    if (pass.length < 8 || pass.length > 200) throw new HttpError(400, "password: 8 to 200 characters");
    if (kind !== "user" && kind !== "service") throw new HttpError(400, 'role: "user" or "service"');
    if (shown.length > 64) throw new HttpError(400, "name: at most 64 characters");
    const address = this.request.remoteAddress;
    const made = this.#signUps.get(address) ?? 0;
    if (made >= this.accountsPerAddress) throw new HttpError(403, `quota: at most ${this.accountsPerAddress} accounts per address`);
    const account = await this._api(() => this.store.signUp(user, pass, kind as Role, shown || user));
    this.#signUps.set(address, made + 1);
    if (this.#signUps.size > 100_000) this.#signUps.delete(this.#signUps.keys().next().value!); // bounded; the oldest address is forgotten
    return [201, { id: account.id, username: user, role: kind }];
  }

  /** `POST /api/sign_in` `{username, password}`: an access token (and a refresh token) for the WebSocket login and the API. */
  @route("/api/sign_in", { methods: ["POST"] })
  async sign_in(username: unknown, password: unknown) {
    const user = stringField(username, "username").slice(0, 64);
    const pass = stringField(password, "password").slice(0, 200);
    const waitMs = this.signInBackoff.waitMs(user);
    if (waitMs > 0) throw new HttpError(429, "too many failed sign-ins for this account: wait and try again", { headers: { "retry-after": String(Math.ceil(waitMs / 1000)) } });
    const account = await this.store.accounts.signIn(user, pass);
    if (account === undefined) {
      this.signInBackoff.fail(user);
      throw new HttpError(401, "wrong username or password");
    }
    this.signInBackoff.succeed(user);
    const session = await this._api(() => this.store.accounts.openSession(account));
    return { access_token: session.accessToken, refresh_token: session.refreshToken, id: account.id, username: account.username, role: account.role };
  }

  /** `POST /api/sign_out`: the token stops working, and the sockets logged in with it are closed (4401). */
  @route("/api/sign_out", { methods: ["POST"] })
  async sign_out() {
    this._account();
    const session = this.store.accounts.session(bearer(this.request))!;
    this.store.accounts.endSession(session.id);
    return { ok: true };
  }

  /** `POST /api/refresh` `{refresh_token}`: a new access token for the same session; its sockets stay. */
  @route("/api/refresh", { methods: ["POST"] })
  async refresh(refresh_token: unknown) {
    const session = this.store.accounts.refresh(stringField(refresh_token, "refresh_token"));
    if (session === undefined) throw new HttpError(401, "unknown refresh token");
    return { access_token: session.accessToken };
  }

  /** `GET /api/me`: who the token belongs to (a user's Character, or a service account's services). */
  @route("/api/me", { methods: ["GET"] })
  async me() {
    const account = this._account();
    const base = { id: account.id, username: account.username, role: account.role };
    if (account.role === "service") return { ...base, service_ids: this.store.accounts.servicesOf(account.id).map((s) => s.service_id) };
    return { ...base, character: this.store.character(account.id) };
  }

  /** `POST /api/me/update` `{name?, avatar?, description?}`: a user changes how it shows in chat. */
  @route("/api/me/update", { methods: ["POST"] })
  async me_update() {
    const user = this._account("user");
    const changes = this._check(() => profileChanges(this.request.json()));
    return this.store.updateCharacter(user.id, changes);
  }
}

/** `{name?, avatar?, description?}` from a JSON body, checked. */
export function profileChanges(body: unknown): { name?: string; avatar?: string; description?: string } {
  const raw = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const changes: { name?: string; avatar?: string; description?: string } = {};
  if (raw.name !== undefined) changes.name = text(raw.name, "name", undefined, 64);
  if (raw.avatar !== undefined) changes.avatar = text(raw.avatar, "avatar", undefined, 500);
  if (raw.description !== undefined) changes.description = text(raw.description, "description", undefined, 1000);
  return changes;
}
