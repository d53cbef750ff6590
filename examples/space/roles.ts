/**
 * Who may do what: every API key has a role, and every action names the
 * least role it needs. Roles are ordered: a higher one may do all a lower
 * one may.
 *
 * @module
 */

/** The roles, lowest first. */
export const ROLES = ["guest", "member", "builder", "owner"] as const;
export type Role = (typeof ROLES)[number];

/** What an API key stands for. */
export interface ApiKey {
  /** The name its players start with. */
  name: string;
  role: Role;
}

/** True when `role` is `needed` or above it. */
export function allows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * Parses `SPACE_API_KEYS`: `key=Name:role,key2=Name2` (a missing role is `member`).
 * @throws TypeError naming the entry that is not `key=Name[:role]` or has an unknown role.
 */
export function parseApiKeys(spec: string): Record<string, ApiKey> {
  const keys: Record<string, ApiKey> = {};
  for (const entry of spec.split(",").map((part) => part.trim()).filter((part) => part !== "")) {
    const match = /^([^=]+)=([^:]+)(?::(\w+))?$/.exec(entry);
    if (match === null) throw new TypeError(`SPACE_API_KEYS: '${entry}' is not key=Name[:role]`);
    const role = match[3] ?? "member";
    if (!isRole(role)) throw new TypeError(`SPACE_API_KEYS: '${entry}' has role '${role}'; roles are ${ROLES.join(", ")}`);
    keys[match[1]!] = { name: match[2]!, role };
  }
  return keys;
}

/** A key given as a bare name (the older option form) is a member. */
export function toApiKey(value: string | ApiKey): ApiKey {
  return typeof value === "string" ? { name: value, role: "member" } : value;
}
