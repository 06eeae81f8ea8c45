/**
 * Time series of the report: samples counted into fixed buckets (by label, in total, by shard),
 * and exact latency percentiles per bucket over every shard's scenario samples.
 */
import { scenarioCount } from './label-stats';
import type { Report, SeriesPerLabel } from './model';
import { F_ERROR, F_THROTTLED, type SampleColumns } from './samples';
import { nearestRank, round } from './stats';

const BUCKET_CHOICES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
const MAX_BUCKETS = 360;

/** The test window: first and last sample (ms since the epoch) and the span in seconds. */
export interface SampleWindow {
  readonly minTs: number;
  readonly maxTs: number;
  readonly spanSec: number;
}

export function sampleWindow(c: SampleColumns): SampleWindow {
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (let i = 0; i < c.n; i++) {
    if (c.ts[i] < minTs) minTs = c.ts[i];
    if (c.ts[i] > maxTs) maxTs = c.ts[i];
  }
  return { minTs, maxTs, spanSec: c.n > 0 ? (maxTs - minTs) / 1000 : 0 };
}

/** The bucket width: the given one, else the smallest of BUCKET_CHOICES giving fewer than MAX_BUCKETS buckets. */
export function chooseBucketSec(spanSec: number, given?: number): number {
  const bucketSec = given ?? BUCKET_CHOICES.find((b) => spanSec / b < MAX_BUCKETS) ?? Math.ceil(spanSec / MAX_BUCKETS);
  if (!(bucketSec > 0)) throw new RangeError(`bucketSec must be > 0 (got ${bucketSec})`);
  return bucketSec;
}

interface Counts {
  req: Float64Array;
  err: Float64Array;
  thr: Float64Array;
  wait: Float64Array;
}

export function timeSeries(
  c: SampleColumns,
  order: readonly { label: string; li: number }[],
  w: SampleWindow,
  bucketSec: number,
): Report['series'] {
  const { n, ts, elapsed, labelIdx, shardIdx, flags, retry, tokenLabel } = c;
  const bucketMs = bucketSec * 1000;
  const origin = n > 0 ? Math.floor(w.minTs / bucketMs) * bucketMs : 0;
  const buckets = n > 0 ? Math.floor((w.maxTs - origin) / bucketMs) + 1 : 0;
  const bucketOf = (t: number): number => Math.floor((t - origin) / bucketMs);

  const empty = (): Counts => ({
    req: new Float64Array(buckets),
    err: new Float64Array(buckets),
    thr: new Float64Array(buckets),
    wait: new Float64Array(buckets),
  });
  const perLabel = c.labels.map(empty);
  const all = empty();
  const perShard = c.shards.map(() => new Float64Array(buckets));
  const bucketCount = new Int32Array(buckets);
  for (let i = 0; i < n; i++) {
    const b = bucketOf(ts[i]);
    const s = perLabel[labelIdx[i]];
    const f = flags[i];
    const r = retry[i];
    s.req[b]++;
    if (f & F_ERROR) s.err[b]++;
    if (f & F_THROTTLED) s.thr[b]++;
    if (r === r) s.wait[b] += r;
    if (labelIdx[i] === tokenLabel) continue;
    all.req[b]++;
    if (f & F_ERROR) all.err[b]++;
    if (f & F_THROTTLED) all.thr[b]++;
    if (r === r) all.wait[b] += r;
    perShard[shardIdx[i]][b]++;
    bucketCount[b]++;
  }
  const toSeries = (s: Counts): SeriesPerLabel => ({
    requestsPerSec: Array.from(s.req, (cnt) => round(cnt / bucketSec)),
    errorShare: Array.from(s.req, (cnt, b) => (cnt ? round(s.err[b] / cnt, 6) : null)),
    throttledShare: Array.from(s.req, (cnt, b) => (cnt ? round(s.thr[b] / cnt, 6) : null)),
    retryAfterSec: Array.from(s.wait, (v) => round(v)),
  });

  // Latency percentiles per bucket, exact: scenario samples grouped by bucket, each group sorted.
  const starts = new Int32Array(buckets + 1);
  for (let b = 0; b < buckets; b++) starts[b + 1] = starts[b] + bucketCount[b];
  const fill = starts.slice(0, buckets);
  const byBucket = new Float64Array(scenarioCount(c));
  for (let i = 0; i < n; i++) {
    if (labelIdx[i] === tokenLabel) continue;
    byBucket[fill[bucketOf(ts[i])]++] = elapsed[i];
  }
  const lat = { p50: [] as (number | null)[], p90: [] as (number | null)[], p99: [] as (number | null)[] };
  for (let b = 0; b < buckets; b++) {
    const slice = byBucket.subarray(starts[b], starts[b + 1]).sort();
    lat.p50.push(nearestRank(slice, 50) ?? null);
    lat.p90.push(nearestRank(slice, 90) ?? null);
    lat.p99.push(nearestRank(slice, 99) ?? null);
  }

  return {
    t: Array.from({ length: buckets }, (_, b) => origin + b * bucketMs),
    all: { ...toSeries(all), latencyMs: lat },
    byLabel: Object.fromEntries(order.map(({ label, li }) => [label, toSeries(perLabel[li])])),
    requestsPerSecByShard: Object.fromEntries(
      c.shards.map((sh, si) => [sh.name, Array.from(perShard[si], (cnt) => round(cnt / bucketSec))]),
    ),
  };
}

/** The planned rate (requests/s) of each bucket: a linear ramp from the first sample, then flat. */
export function plannedRequestsPerSec(report: Report, requestsPerMinute: number): number[] {
  const start = report.window.start ? Date.parse(report.window.start) : NaN;
  const ramp = report.target?.rampUpSec ?? 0;
  const full = requestsPerMinute / 60;
  const half = (report.bucketSec * 1000) / 2;
  return report.series.t.map((t) => {
    const elapsedSec = (t + half - start) / 1000;
    const share = ramp > 0 ? Math.min(1, Math.max(0, elapsedSec / ramp)) : 1;
    return round(full * share);
  });
}
