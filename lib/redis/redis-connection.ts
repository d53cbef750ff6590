/**
 * How `upie/redis` gets its Redis connections: from a URL, or modelled on a
 * client the user already has.
 *
 * @module
 */
import { Redis, type RedisOptions } from "ioredis";

import { InvalidOptionError } from "../protocol/errors.js";

/** Where to find Redis: a URL, or an ioredis client to copy the settings of (or to use). */
export interface RedisConnectionOptions {
  /** e.g. `redis://127.0.0.1:6379/0` or `rediss://user:pass@host:6380`. */
  url?: string;
  /** An ioredis client; see each class for whether it is used or duplicated. */
  client?: Redis;
}

/**
 * Checks that exactly one of `url` and `client` is given.
 *
 * @param owner - the class name, for the error message.
 * @param options - what the user passed.
 * @throws {@link InvalidOptionError} when neither or both are given, or they have the wrong type.
 */
export function checkConnectionOptions(owner: string, options: RedisConnectionOptions): void {
  if (typeof options !== "object" || options === null) throw new InvalidOptionError(`${owner} options must be an object`);
  const { url, client } = options;
  if ((url === undefined) === (client === undefined)) throw new InvalidOptionError(`${owner} needs exactly one of url and client`);
  if (url !== undefined && (typeof url !== "string" || !/^rediss?:\/\//.test(url))) {
    throw new InvalidOptionError(`${owner} url must be a redis:// or rediss:// URL`);
  }
  if (client !== undefined && (typeof client !== "object" || client === null || typeof client.duplicate !== "function")) {
    throw new InvalidOptionError(`${owner} client must be an ioredis client`);
  }
}

/**
 * Opens a connection of one's own: a new client for `url`, or a duplicate
 * of `client` (same host, auth, TLS) so that settings the owner relies on
 * can be overridden without touching the user's client.
 *
 * @param options - `url` or `client`.
 * @param overrides - ioredis options this connection needs.
 * @returns a connecting client, owned (and to be closed) by the caller.
 */
export function openConnection(options: RedisConnectionOptions, overrides: RedisOptions): Redis {
  if (options.client !== undefined) return options.client.duplicate(overrides);
  return new Redis(options.url!, overrides);
}
