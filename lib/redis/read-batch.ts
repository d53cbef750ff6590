/**
 * One bounded read of the broker's stream. `XREAD COUNT n` hands over `n`
 * entries whatever their size (issue 22.8: 40 entries of 8 MiB grew a reader
 * by 658 MiB in one call), and nothing tells their sizes before they are
 * read. So a script inside Redis measures the entries first and names the
 * last one that fits the byte budget (and an oversized one to skip); then
 * `XRANGE` fetches exactly that range. The range cannot grow in between:
 * new entries only ever get larger ids than those already in the stream.
 * Measuring in the script and fetching natively costs about half of
 * returning the entries from the script.
 *
 * @module
 */
import type { Redis } from "ioredis";

/**
 * KEYS[1] the stream; ARGV: the id to read after, the most entries, the byte
 * budget, the largest entry. Returns { last id that fits, or false; id of an
 * oversized entry right after it, or false }. It reads in chunks no bigger
 * than the budget has room for, so Redis itself holds about one budget for
 * the script at a time.
 */
const MEASURE = `
local key, after = KEYS[1], ARGV[1]
local count, budget, largest = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local used, taken, last = 0, 0, false
while taken < count do
  local room = math.floor((budget - used) / largest)
  local chunk = redis.call('XRANGE', key, '(' .. after, '+', 'COUNT', math.max(1, math.min(room, 64, count - taken)))
  if #chunk == 0 then break end
  for _, entry in ipairs(chunk) do
    local size = 0
    for _, value in ipairs(entry[2]) do size = size + #value end
    if size > largest then return { last, entry[1] } end
    if used + size > budget then return { last, false } end
    used, taken, last, after = used + size, taken + 1, entry[1], entry[1]
  end
end
return { last, false }
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
 * @returns the entries in stream order, an oversized one last as `[id, undefined]`; empty when there is nothing newer.
 */
export async function readBatch(connection: Redis, streamKey: string, after: string, limits: ReadLimits): Promise<BatchEntry[]> {
  const reply = await connection.call("EVAL", MEASURE, 1, streamKey, after, limits.count, limits.budget, limits.largestEntry);
  const [last, skip] = Array.isArray(reply) ? (reply as unknown[]) : [];
  const batch: BatchEntry[] = [];
  if (typeof last === "string") {
    for (const [id, fields] of await connection.xrangeBuffer(streamKey, `(${after}`, last)) batch.push([id.toString("latin1"), fields]);
  }
  if (typeof skip === "string") batch.push([skip, undefined]);
  return batch;
}

/** The bytes `XREAD` or the script count for an entry: its field names and values. */
export function entryBytes(fields: unknown): number {
  if (!Array.isArray(fields)) return 0;
  let size = 0;
  for (const value of fields) if (Buffer.isBuffer(value)) size += value.length;
  return size;
}
