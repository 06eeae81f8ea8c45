/**
 * Figures per endpoint label and in total (ALL: every scenario request, token requests left
 * out): counts, shares, throughput, bytes, Retry-After waits, latency percentiles, Apdex and the
 * response-time histogram over the merged samples of all shards, within a time range.
 */
import type { ApdexStats, Histogram, LabelStats, LatencyStats } from './model';
import { F_ERROR, F_THROTTLED, type SampleColumns } from './samples';
import { nearestRank, niceTicks, round } from './stats';

/** Samples with `from <= ts <= to` (ms since the columns' base) count. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
  /** Throughputs are averaged over this long. */
  readonly windowSec: number;
}

export interface ApdexThresholds {
  readonly satisfiedMs: number;
  readonly toleratedMs: number;
}

/** min, mean, stddev, p50/p90/p95/p99 (nearest rank) and max of ascending values; null when there are none. */
export function latencyOf(sorted: Float32Array | Float64Array): LatencyStats | null {
  const n = sorted.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (sorted[i] - mean) ** 2;
  return {
    min: sorted[0],
    mean: round(mean),
    stddev: round(Math.sqrt(sq / n)),
    p50: nearestRank(sorted, 50)!,
    p90: nearestRank(sorted, 90)!,
    p95: nearestRank(sorted, 95)!,
    p99: nearestRank(sorted, 99)!,
    max: sorted[n - 1],
  };
}

/** Index of the first value > v in ascending values. */
function upperBound(sorted: Float32Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** About 20 bins of a nice width up to the 99th percentile; the last bin holds the slow tail. */
export function histogramOf(sorted: Float32Array): Histogram | null {
  if (sorted.length === 0) return null;
  const p99 = nearestRank(sorted, 99)!;
  const ticks = niceTicks(0, Math.max(p99, 1), 20);
  const binMs = ticks[1] - ticks[0] || 1;
  const bins = Math.max(1, Math.ceil(p99 / binMs) + 1);
  const counts: number[] = [];
  let prev = 0;
  for (let k = 1; k < bins; k++) {
    const at = upperBound(sorted, k * binMs - 1e-9);
    counts.push(at - prev);
    prev = at;
  }
  counts.push(sorted.length - prev);
  return { binMs, counts };
}

/** Apdex of ascending response times; failed samples (by the band their time falls in) count as frustrated. */
function apdexOf(sorted: Float32Array, failedFast: number, failedTolerable: number, t: ApdexThresholds): ApdexStats | null {
  const n = sorted.length;
  if (n === 0) return null;
  const satisfied = upperBound(sorted, t.satisfiedMs) - failedFast;
  const tolerating = upperBound(sorted, t.toleratedMs) - upperBound(sorted, t.satisfiedMs) - failedTolerable;
  return { score: round((satisfied + tolerating / 2) / n, 3), satisfied, tolerating, frustrated: n - satisfied - tolerating };
}

/** Label indexes in report order: by name. */
export function labelOrder(c: SampleColumns): { label: string; li: number }[] {
  return c.labels.map((label, li) => ({ label, li })).sort((a, b) => a.label.localeCompare(b.label));
}

/** Scenario samples: all but the token requests. */
export const scenarioCount = (c: SampleColumns): number => c.n - (c.tokenLabel >= 0 ? c.labelCount[c.tokenLabel] : 0);

const meanOrNull = (sum: number, n: number): number | null => (n > 0 ? round(sum / n) : null);

/** Response codes of one label, or of every scenario label (li = -1). */
function responseCodes(c: SampleColumns, li: number): Record<string, number> {
  const codes: Record<string, number> = {};
  const from = li >= 0 ? [li] : c.labels.map((_, j) => j).filter((j) => j !== c.tokenLabel);
  for (const j of from) for (const [code, cnt] of c.codes[j]) codes[code] = (codes[code] ?? 0) + cnt;
  return Object.fromEntries(Object.entries(codes).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The figures of one label (`li` >= 0), or of every scenario sample (`li` = -1, named ALL),
 * over the samples in `range`.
 */
export function labelStats(c: SampleColumns, li: number, range: TimeRange, apdex: ApdexThresholds): LabelStats {
  const { n, ts, elapsed, flags, retry, labelIdx, tokenLabel } = c;
  const whole = range.from === -Infinity && range.to === Infinity;
  const capacity = li >= 0 ? c.labelCount[li] : scenarioCount(c);
  const values = new Float32Array(capacity);
  let k = 0;
  let errors = 0;
  let throttled = 0;
  const wait = { n: 0, sum: 0, max: 0 };
  const sums = { bytes: 0, sent: 0, ttfb: 0, ttfbN: 0, conn: 0, connN: 0 };
  // Failed samples are frustrated whatever their time: counted here by the band their time falls in.
  let failedFast = 0;
  let failedTolerable = 0;
  for (let i = 0; i < n; i++) {
    if (li >= 0 ? labelIdx[i] !== li : labelIdx[i] === tokenLabel) continue;
    if (!whole && (ts[i] < range.from || ts[i] > range.to)) continue;
    const e = elapsed[i];
    values[k++] = e;
    if (flags[i] & F_ERROR) {
      errors++;
      if (e <= apdex.satisfiedMs) failedFast++;
      else if (e <= apdex.toleratedMs) failedTolerable++;
    }
    if (flags[i] & F_THROTTLED) throttled++;
    const r = retry[i];
    if (r === r) {
      wait.n++;
      wait.sum += r;
      if (r > wait.max) wait.max = r;
    }
    if (c.bytes[i] === c.bytes[i]) sums.bytes += c.bytes[i];
    if (c.sentBytes[i] === c.sentBytes[i]) sums.sent += c.sentBytes[i];
    if (c.latency[i] === c.latency[i]) {
      sums.ttfb += c.latency[i];
      sums.ttfbN++;
    }
    if (c.connect[i] === c.connect[i]) {
      sums.conn += c.connect[i];
      sums.connN++;
    }
  }
  const sorted = values.subarray(0, k).sort();
  return {
    label: li >= 0 ? c.labels[li] : 'ALL',
    requests: k,
    errors,
    throttled,
    errorShare: k ? round(errors / k, 6) : 0,
    throttledShare: k ? round(throttled / k, 6) : 0,
    throughputPerSec: round(k / range.windowSec),
    latencyMs: latencyOf(sorted),
    ttfbMeanMs: meanOrNull(sums.ttfb, sums.ttfbN),
    connectMeanMs: meanOrNull(sums.conn, sums.connN),
    bytesReceivedPerSec: round(sums.bytes / range.windowSec, 1),
    bytesSentPerSec: round(sums.sent / range.windowSec, 1),
    apdex: apdexOf(sorted, failedFast, failedTolerable, apdex),
    histogram: histogramOf(sorted),
    retryAfter: { waits: wait.n, totalSec: round(wait.sum), maxSec: round(wait.max) },
    ...(whole ? { responseCodes: responseCodes(c, li) } : {}),
  };
}
