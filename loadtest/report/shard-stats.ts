/**
 * Figures per shard: counts, first and last sample, and the shard's own percentiles (shown for
 * comparison only: the test's percentiles are over all shards' samples, never an average of these).
 */
import { latencyOf } from './accumulator';
import type { ShardStats } from './model';
import type { Aggregates } from './samples';
import { isoTime } from './stats';

/** Scenario samples only (token requests left out); a shard without any, or with skipped records, adds a warning. */
export function shardStats(a: Aggregates, warnings: string[]): ShardStats[] {
  return a.shards.map((sh) => {
    const count = sh.acc.n;
    if (sh.skipped > 0) warnings.push(`${sh.name}: skipped ${sh.skipped} malformed record(s)`);
    if (count === 0) warnings.push(`${sh.name}: no scenario samples (did the shard start?)`);
    return {
      name: sh.name,
      requests: count,
      errors: sh.acc.errors,
      throttled: sh.acc.throttled,
      start: isoTime(count ? sh.first : undefined),
      end: isoTime(count ? sh.last : undefined),
      latencyMs: latencyOf(sh.acc),
      skippedRecords: sh.skipped,
    };
  });
}
