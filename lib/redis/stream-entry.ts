/**
 * The broker's stream entries: how one is written and how one read back is
 * checked. Anyone who can write to the stream can add an entry, so a read
 * entry is data to check, never to trust: {@link parseEntry} refuses every
 * shape but the one the broker writes, without throwing.
 *
 * Fields: `p` publisher id, `s` sequence number (decimal, from 1), `t`
 * topic, `k` kind (`t` text, `b` bytes), `d` payload, and `h` the HMAC when
 * the broker has a secret (see {@link EntrySigner}).
 *
 * @module
 */
import { createHmac, timingSafeEqual } from "node:crypto";

/** A checked entry; `p`, `t` and `d` are the bytes as Redis holds them, which is what the signature covers. */
export interface StreamEntry {
  publisher: Buffer;
  sequence: number;
  topic: Buffer;
  kind: "t" | "b";
  data: Buffer;
  /** The signature, if the entry carries one. */
  mac: Buffer | undefined;
}

const FIELDS = new Set(["p", "s", "t", "k", "d", "h"]);
/** A sequence number as the broker writes it: 1 to 2^53 − 1, no sign, no leading zero, no exponent. */
const SEQUENCE = /^[1-9][0-9]{0,15}$/;
const MAC_BYTES = 32;

/**
 * Checks one entry's fields as `XREAD` returns them (`[name, value, …]`).
 *
 * @param fields - whatever Redis handed back for the entry.
 * @returns the entry, or `undefined` for anything else: an odd or unknown
 *   field, a repeated one, a missing one, a sequence that is not a safe
 *   positive integer, an empty topic, an unknown kind, a signature of the wrong size.
 */
export function parseEntry(fields: unknown): StreamEntry | undefined {
  if (!Array.isArray(fields) || fields.length % 2 !== 0 || fields.length > 2 * FIELDS.size) return undefined;
  const values = new Map<string, Buffer>();
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i] as unknown;
    const value = fields[i + 1] as unknown;
    if (!Buffer.isBuffer(name) || !Buffer.isBuffer(value)) return undefined;
    const key = name.toString("latin1");
    if (!FIELDS.has(key) || values.has(key)) return undefined;
    values.set(key, value);
  }
  const publisher = values.get("p");
  const sequenceText = values.get("s")?.toString("latin1");
  const topic = values.get("t");
  const kind = values.get("k")?.toString("latin1");
  const data = values.get("d");
  const mac = values.get("h");
  if (publisher === undefined || publisher.length === 0 || topic === undefined || topic.length === 0 || data === undefined) return undefined;
  if (sequenceText === undefined || !SEQUENCE.test(sequenceText)) return undefined;
  const sequence = Number(sequenceText);
  if (!Number.isSafeInteger(sequence) || (kind !== "t" && kind !== "b")) return undefined;
  if (mac !== undefined && mac.length !== MAC_BYTES) return undefined;
  return { publisher, sequence, topic, kind, data, mac };
}

/** What a signature covers, as written (strings) or as read (bytes). */
export interface SignedParts {
  publisher: string | Buffer;
  sequence: number;
  topic: string | Buffer;
  kind: "t" | "b";
  data: string | Uint8Array;
}

/**
 * Signs and verifies entries with HMAC-SHA256 under the app's `secret` (a
 * list rotates: the first signs, any verifies). The MAC covers the stream's
 * key and every field, each length-prefixed, so no entry's signature fits
 * another entry, another stream, or a signed cookie made with the same secret.
 *
 * @example
 * ```ts
 * const signer = new EntrySigner(["s3cret"], "upie:broker");
 * const mac = signer.sign({ publisher: "p1", sequence: 1, topic: "news", kind: "t", data: "hi" });
 * ```
 */
export class EntrySigner {
  readonly #secrets: readonly string[];
  readonly #context: string;

  /**
   * @param secrets - non-empty; the first signs.
   * @param streamKey - the stream the entries live in.
   */
  constructor(secrets: readonly string[], streamKey: string) {
    this.#secrets = secrets;
    this.#context = `upie-broker-entry/1\n${Buffer.byteLength(streamKey)}:${streamKey}\n`;
  }

  /** The signature of an entry about to be written. */
  sign(parts: SignedParts): Buffer {
    return this.#mac(this.#secrets[0]!, parts);
  }

  /** True when `mac` is the signature of `entry` under one of the secrets. */
  verify(entry: StreamEntry): boolean {
    if (entry.mac === undefined) return false;
    for (const secret of this.#secrets) {
      if (timingSafeEqual(this.#mac(secret, entry), entry.mac)) return true;
    }
    return false;
  }

  #mac(secret: string, parts: SignedParts): Buffer {
    const hmac = createHmac("sha256", secret).update(this.#context);
    const sequence = String(parts.sequence);
    hmac.update(`${Buffer.byteLength(parts.publisher)}:`).update(parts.publisher);
    hmac.update(`${sequence.length}:${sequence}1:${parts.kind}`);
    hmac.update(`${Buffer.byteLength(parts.topic)}:`).update(parts.topic);
    return hmac.update(parts.data).digest();
  }
}
