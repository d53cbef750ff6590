/**
 * The two statistics every bench program reports: the median of its runs and
 * percentiles of its latencies. One definition, so that a p99 in one table
 * means what it means in the next.
 *
 * @module
 */

/**
 * The median of the numbers, nulls and NaN ignored.
 *
 * @param values - the runs (not modified).
 * @returns the middle value, the mean of the two middle ones for an even count, or null when none is a number.
 */
export function median(values: ReadonlyArray<number | null>): number | null {
  const numbers = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (numbers.length === 0) return null;
  const mid = numbers.length >> 1;
  return numbers.length % 2 === 1 ? numbers[mid]! : (numbers[mid - 1]! + numbers[mid]!) / 2;
}

/**
 * The value at percentile `p` of numbers already sorted ascending: the one at
 * rank ⌊p/100 × n⌋ (so p50 of 1..100 is 51 and p99 is 100). For large
 * latency samples kept in a typed array, sorted once.
 *
 * @param sorted - ascending.
 * @param p - 0 to 100.
 * @returns the value, or null when there are none.
 * @throws RangeError when p is outside 0..100.
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * The value at percentile `p` (see {@link percentileOfSorted}) of unsorted numbers.
 *
 * @param values - any order (not modified).
 * @param p - 0 to 100.
 * @returns the value, or null when there are none.
 */
export function percentile(values: readonly number[], p: number): number | null {
  return percentileOfSorted([...values].sort((a, b) => a - b), p);
}
