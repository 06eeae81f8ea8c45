/**
 * Time series of the report: samples counted into fixed buckets (by label, in total, by shard),
 * exact latency percentiles per bucket over every shard's scenario samples, active threads,
 * bytes and dropped arrivals per second.
 */
import { scenarioCount } from './label-stats';
import type { Report, SeriesPerLabel } from './model';
import { F_ERROR, F_THROTTLED, type SampleColumns } from './samples';
import { nearestRank, round } from './stats';

const BUCKET_CHOICES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800];
/** A chart of more buckets than this is too dense to read on a laptop. */
const MAX_BUCKETS = 150;
/** Fewer buckets than this hide the run's shape. */
const MIN_BUCKETS = 30;
/** With fewer scenario samples per bucket than this, one 429 reads as a spike of several %. */
const MIN_SAMPLES_PER_BUCKET = 20;

/** The test window: first and last sample (ms since the columns' base) and the span in seconds. */
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

/**
 * The bucket width: the given one, else chosen from the run's length and rate: the smallest
 * width giving at most MAX_BUCKETS buckets that also holds MIN_SAMPLES_PER_BUCKET samples on
 * average (or leaves only MIN_BUCKETS buckets). A 6-minute and a 2-hour run both read well.
 */
export function chooseBucketSec(spanSec: number, given?: number, samples = Infinity): number {
  const fits = BUCKET_CHOICES.filter((b) => spanSec / b <= MAX_BUCKETS);
  const chosen =
    given ??
    fits.find((b) => (samples * b) / Math.max(spanSec, 1e-9) >= MIN_SAMPLES_PER_BUCKET || spanSec / b <= MIN_BUCKETS) ??
    fits[fits.length - 1] ??
    Math.ceil(spanSec / MAX_BUCKETS);
  if (!(chosen > 0)) throw new RangeError(`bucketSec must be > 0 (got ${chosen})`);
  return chosen;
}

/** Buckets of the series: epoch origin, count, and the bucket of a sample time (ms since base). */
export interface Buckets {
  readonly origin: number;
  readonly count: number;
  readonly bucketSec: number;
  readonly of: (rel: number) => number;
}

export function bucketsOf(c: SampleColumns, w: SampleWindow, bucketSec: number): Buckets {
  const bucketMs = bucketSec * 1000;
  const origin = c.n > 0 ? Math.floor((c.base + w.minTs) / bucketMs) * bucketMs : 0;
  const count = c.n > 0 ? Math.floor((c.base + w.maxTs - origin) / bucketMs) + 1 : 0;
  const shift = c.base - origin;
  return { origin, count, bucketSec, of: (rel) => Math.floor((rel + shift) / bucketMs) };
}

interface Counts {
  req: Float64Array;
  err: Float64Array;
  thr: Float64Array;
  wait: Float64Array;
}

function add(s: Counts, k: number, f: number, r: number): void {
  s.req[k]++;
  if (f & F_ERROR) s.err[k]++;
  if (f & F_THROTTLED) s.thr[k]++;
  if (r === r) s.wait[k] += r;
}

const perSec = (values: ArrayLike<number>, bucketSec: number, digits = 3): number[] =>
  Array.from(values, (v) => round(v / bucketSec, digits));

/** Requests, errors, 429s and waits per bucket: per label, all scenario labels, per shard; bytes and threads. */
function countBuckets(c: SampleColumns, b: Buckets) {
  const empty = (): Counts => ({
    req: new Float64Array(b.count),
    err: new Float64Array(b.count),
    thr: new Float64Array(b.count),
    wait: new Float64Array(b.count),
  });
  const perLabel = c.labels.map(empty);
  const all = empty();
  const perShard = c.shards.map(() => new Float64Array(b.count));
  const threads = c.shards.map(() => new Uint16Array(b.count));
  const bytes = { in: new Float64Array(b.count), out: new Float64Array(b.count) };
  for (let i = 0; i < c.n; i++) {
    const k = b.of(c.ts[i]);
    const f = c.flags[i];
    const r = c.retry[i];
    const si = c.shardIdx[i];
    if (c.threads[i] > threads[si][k]) threads[si][k] = c.threads[i];
    if (c.bytes[i] === c.bytes[i]) bytes.in[k] += c.bytes[i];
    if (c.sentBytes[i] === c.sentBytes[i]) bytes.out[k] += c.sentBytes[i];
    add(perLabel[c.labelIdx[i]], k, f, r);
    if (c.labelIdx[i] === c.tokenLabel) continue;
    add(all, k, f, r);
    perShard[si][k]++;
  }
  return { perLabel, all, perShard, threads, bytes };
}

/** Exact latency percentiles per bucket: scenario samples grouped by bucket (counting sort), each group sorted. */
function bucketPercentiles(c: SampleColumns, b: Buckets, perBucket: Float64Array): Report['series']['all']['latencyMs'] {
  const starts = new Int32Array(b.count + 1);
  for (let k = 0; k < b.count; k++) starts[k + 1] = starts[k] + perBucket[k];
  const fill = starts.slice(0, b.count);
  const byBucket = new Float32Array(scenarioCount(c));
  for (let i = 0; i < c.n; i++) if (c.labelIdx[i] !== c.tokenLabel) byBucket[fill[b.of(c.ts[i])]++] = c.elapsed[i];
  const lat = { p50: [] as (number | null)[], p90: [] as (number | null)[], p99: [] as (number | null)[] };
  for (let k = 0; k < b.count; k++) {
    const slice = byBucket.subarray(starts[k], starts[k + 1]).sort();
    lat.p50.push(nearestRank(slice, 50) ?? null);
    lat.p90.push(nearestRank(slice, 90) ?? null);
    lat.p99.push(nearestRank(slice, 99) ?? null);
  }
  return lat;
}

export function timeSeries(c: SampleColumns, order: readonly { label: string; li: number }[], b: Buckets): Report['series'] {
  const counts = countBuckets(c, b);
  const { bucketSec } = b;
  const toSeries = (s: Counts): SeriesPerLabel => ({
    requestsPerSec: perSec(s.req, bucketSec),
    errorShare: Array.from(s.req, (cnt, k) => (cnt ? round(s.err[k] / cnt, 6) : null)),
    throttledShare: Array.from(s.req, (cnt, k) => (cnt ? round(s.thr[k] / cnt, 6) : null)),
    retryAfterSec: Array.from(s.wait, (v) => round(v)),
  });
  const threads = new Float64Array(b.count);
  for (const perShard of counts.threads) for (let k = 0; k < b.count; k++) threads[k] += perShard[k];
  const dropped = new Float64Array(b.count);
  for (let i = 0; i < c.drops.n; i++) {
    const k = b.of(c.drops.ts[i]);
    if (k >= 0 && k < b.count) dropped[k]++;
  }
  return {
    t: Array.from({ length: b.count }, (_, k) => b.origin + k * bucketSec * 1000),
    all: { ...toSeries(counts.all), latencyMs: bucketPercentiles(c, b, counts.all.req) },
    byLabel: Object.fromEntries(order.map(({ label, li }) => [label, toSeries(counts.perLabel[li])])),
    requestsPerSecByShard: Object.fromEntries(c.shards.map((sh, si) => [sh.name, perSec(counts.perShard[si], bucketSec)])),
    threads: Array.from(threads),
    bytesReceivedPerSec: perSec(counts.bytes.in, bucketSec, 0),
    bytesSentPerSec: perSec(counts.bytes.out, bucketSec, 0),
    droppedPerSec: perSec(dropped, bucketSec),
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
