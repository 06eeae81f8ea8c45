/**
 * Figures per shard: counts, first and last sample, and the shard's own percentiles (shown for
 * comparison only: the test's percentiles are over all shards' samples, never an average of these).
 */
import { latencyOf, scenarioCount } from './label-stats';
import type { ShardStats } from './model';
import { F_ERROR, F_THROTTLED, type SampleColumns } from './samples';
import { isoTime } from './stats';

/** Scenario samples only (token requests left out); a shard without any, or with skipped records, adds a warning. */
export function shardStats(c: SampleColumns, warnings: string[]): ShardStats[] {
  const { n, ts, elapsed, labelIdx, shardIdx, flags, tokenLabel } = c;
  // Per shard in one pass, then each shard's latencies grouped (counting sort) and sorted.
  const S = c.shards.length;
  const sCount = new Int32Array(S);
  const sErr = new Int32Array(S);
  const sThr = new Int32Array(S);
  const sFirst = new Float64Array(S).fill(Infinity);
  const sLast = new Float64Array(S).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    if (labelIdx[i] === tokenLabel) continue;
    const si = shardIdx[i];
    sCount[si]++;
    if (flags[i] & F_ERROR) sErr[si]++;
    if (flags[i] & F_THROTTLED) sThr[si]++;
    if (ts[i] < sFirst[si]) sFirst[si] = ts[i];
    if (ts[i] > sLast[si]) sLast[si] = ts[i];
  }
  const sStart = new Int32Array(S + 1);
  for (let si = 0; si < S; si++) sStart[si + 1] = sStart[si] + sCount[si];
  const sFill = sStart.slice(0, S);
  const byShard = new Float32Array(scenarioCount(c));
  for (let i = 0; i < n; i++) if (labelIdx[i] !== tokenLabel) byShard[sFill[shardIdx[i]]++] = elapsed[i];
  return c.shards.map((sh, si) => {
    const count = sCount[si];
    if (sh.skipped > 0) warnings.push(`${sh.name}: skipped ${sh.skipped} malformed record(s)`);
    if (count === 0) warnings.push(`${sh.name}: no scenario samples (did the shard start?)`);
    return {
      name: sh.name,
      requests: count,
      errors: sErr[si],
      throttled: sThr[si],
      start: isoTime(count ? c.base + sFirst[si] : undefined),
      end: isoTime(count ? c.base + sLast[si] : undefined),
      latencyMs: latencyOf(byShard.subarray(sStart[si], sStart[si + 1]).sort()),
      skippedRecords: sh.skipped,
    };
  });
}
