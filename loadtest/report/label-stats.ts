/**
 * Figures per endpoint label and in total (ALL: every scenario request, token requests left
 * out): counts, shares, throughput, Retry-After waits and latency percentiles over the merged
 * samples of all shards.
 */
import type { LabelStats, LatencyStats } from './model';
import { F_ERROR, F_THROTTLED, type SampleColumns } from './samples';
import { nearestRank, round } from './stats';

/** min, mean, p50/p90/p99 (nearest rank) and max of ascending values; null when there are none. */
export function latencyOf(sorted: Float64Array): LatencyStats | null {
  if (sorted.length === 0) return null;
  let sum = 0;
  for (let i = 0; i < sorted.length; i++) sum += sorted[i];
  return {
    min: sorted[0],
    mean: round(sum / sorted.length),
    p50: nearestRank(sorted, 50)!,
    p90: nearestRank(sorted, 90)!,
    p99: nearestRank(sorted, 99)!,
    max: sorted[sorted.length - 1],
  };
}

/** Label indexes in report order: by name, the token requests last. */
export function labelOrder(c: SampleColumns): { label: string; li: number }[] {
  return c.labels
    .map((label, li) => ({ label, li }))
    .sort((a, b) => (a.li === c.tokenLabel ? 1 : b.li === c.tokenLabel ? -1 : a.label.localeCompare(b.label)));
}

/** Scenario samples: all but the token requests. */
export const scenarioCount = (c: SampleColumns): number => c.n - (c.tokenLabel >= 0 ? c.labelCount[c.tokenLabel] : 0);

/**
 * The figures of one label (`li` >= 0), or of every scenario sample (`li` = -1, named ALL);
 * throughput is averaged over `windowSec`.
 */
export function labelStats(c: SampleColumns, li: number, windowSec: number): LabelStats {
  const { n, elapsed, flags, retry, labelIdx, tokenLabel } = c;
  const members = li >= 0 ? (i: number) => labelIdx[i] === li : (i: number) => labelIdx[i] !== tokenLabel;
  const count = li >= 0 ? c.labelCount[li] : scenarioCount(c);
  const values = new Float64Array(count);
  let k = 0;
  let errors = 0;
  let throttled = 0;
  let waits = 0;
  let waitSum = 0;
  let waitMax = 0;
  for (let i = 0; i < n; i++) {
    if (!members(i)) continue;
    values[k++] = elapsed[i];
    if (flags[i] & F_ERROR) errors++;
    if (flags[i] & F_THROTTLED) throttled++;
    const r = retry[i];
    if (r === r) {
      waits++;
      waitSum += r;
      if (r > waitMax) waitMax = r;
    }
  }
  values.sort();
  const codes: Record<string, number> = {};
  if (li >= 0) {
    for (const [code, cnt] of [...c.codes[li].entries()].sort()) codes[code] = cnt;
  } else {
    for (let j = 0; j < c.labels.length; j++) {
      if (j === tokenLabel) continue;
      for (const [code, cnt] of c.codes[j]) codes[code] = (codes[code] ?? 0) + cnt;
    }
  }
  return {
    label: li >= 0 ? c.labels[li] : 'ALL',
    requests: count,
    errors,
    throttled,
    errorShare: count ? round(errors / count, 6) : 0,
    throttledShare: count ? round(throttled / count, 6) : 0,
    throughputPerSec: round(count / windowSec),
    latencyMs: latencyOf(values),
    retryAfter: { waits, totalSec: round(waitSum), maxSec: round(waitMax) },
    responseCodes: li >= 0 ? codes : Object.fromEntries(Object.entries(codes).sort(([a], [b]) => a.localeCompare(b))),
  };
}
