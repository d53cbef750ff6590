/**
 * One bounded read of the broker's stream. `XREAD COUNT n` hands over `n`
 * entries whatever their size (issue 22.8: 40 entries of 8 MiB grew a reader
 * by 658 MiB in one call), and nothing tells their sizes before they are
 * read. So the read runs as a script inside Redis, which sees each entry
 * before anything is sent: it stops once the entries it has taken reach the
 * byte budget, and replaces an entry over the per-entry cap by its bare id.
 *
 * @module
 */
import type { Redis } from "ioredis";

/**
 * KEYS[1] the stream; ARGV: the id to read after, the most entries, the byte
 * budget, the largest entry. One entry per `XRANGE`, so Redis itself never
 * holds more than the budget and one entry for the script either.
 */
const SCRIPT = `
local key, after = KEYS[1], ARGV[1]
local count, budget, largest = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local out, used = {}, 0
for _ = 1, count do
  local entry = redis.call('XRANGE', key, '(' .. after, '+', 'COUNT', 1)[1]
  if entry == nil then break end
  local size = 0
  for _, value in ipairs(entry[2]) do size = size + #value end
  if size > largest then
    out[#out + 1] = { entry[1] }
  elseif used + size > budget and used > 0 then
    break
  else
    used = used + size
    out[#out + 1] = entry
  end
  after = entry[1]
end
return out
`;

/** One entry of a batch: its id, and its fields unless it was over the per-entry cap (then `undefined`). */
export type BatchEntry = [id: string, fields: unknown];

/** How much one read may bring in. */
export interface ReadLimits {
  /** Entries at most. */
  count: number;
  /** Bytes of field names and values at most (one entry is always taken if it fits `largestEntry`). */
  budget: number;
  /** An entry bigger than this is skipped: its id comes back, its fields stay in Redis. */
  largestEntry: number;
}

/**
 * Reads the entries after `after`, bounded by `limits`.
 *
 * @param connection - the reader's connection (needs `EVAL`; Redis ≥ 6.2 for the exclusive `(` range).
 * @param streamKey - the stream.
 * @param after - the last id already read.
 * @returns the entries in stream order; empty when there is nothing newer.
 */
export async function readBatch(connection: Redis, streamKey: string, after: string, limits: ReadLimits): Promise<BatchEntry[]> {
  const reply = await connection.callBuffer("EVAL", SCRIPT, 1, streamKey, after, limits.count, limits.budget, limits.largestEntry);
  if (!Array.isArray(reply)) return [];
  const batch: BatchEntry[] = [];
  for (const item of reply as unknown[]) {
    if (!Array.isArray(item) || !Buffer.isBuffer(item[0])) continue;
    batch.push([item[0].toString("latin1"), item.length > 1 ? item[1] : undefined]);
  }
  return batch;
}

/** The bytes `XREAD` or the script count for an entry: its field names and values. */
export function entryBytes(fields: unknown): number {
  if (!Array.isArray(fields)) return 0;
  let size = 0;
  for (const value of fields) if (Buffer.isBuffer(value)) size += value.length;
  return size;
}
