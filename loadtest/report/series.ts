/**
 * Time series of the report: samples counted into fixed buckets (by label, in total, by shard),
 * latency percentiles per bucket over every shard's scenario samples (from the cells' log
 * histograms), active threads, bytes and dropped arrivals per second. A bucket is whole cells
 * (samples.ts).
 */
import { Acc } from './accumulator';
import type { Report, SeriesPerLabel } from './model';
import type { Aggregates } from './samples';
import { round } from './stats';
const BUCKET_CHOICES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800];
/** A chart of more buckets than this is too dense to read on a laptop. */
export const MAX_BUCKETS = 150;
/** Fewer buckets than this hide the run's shape. */
const MIN_BUCKETS = 30;
/** With fewer scenario samples per bucket than this, one 429 reads as a spike of several %. */
const MIN_SAMPLES_PER_BUCKET = 20;

/** The test window: first and last sample (epoch ms) and the span in seconds. */
export interface SampleWindow {
  readonly minTs: number;
  readonly maxTs: number;
  readonly spanSec: number;
}

export function sampleWindow(a: Aggregates): SampleWindow {
  return { minTs: a.minTs, maxTs: a.maxTs, spanSec: a.n > 0 ? (a.maxTs - a.minTs) / 1000 : 0 };
}

/**
 * The bucket width: the given one, else chosen from the run's length and rate: the smallest
 * width giving at most MAX_BUCKETS buckets that also holds MIN_SAMPLES_PER_BUCKET samples on
 * average (or leaves only MIN_BUCKETS buckets). A 6-minute and a 2-hour run both read well.
 * Past 75 hours, a multiple of 30 minutes (whole cells, samples.ts).
 */
export function chooseBucketSec(spanSec: number, given?: number, samples = Infinity): number {
  const fits = BUCKET_CHOICES.filter((b) => spanSec / b <= MAX_BUCKETS);
  const last = BUCKET_CHOICES[BUCKET_CHOICES.length - 1];
  const chosen =
    given ??
    fits.find((b) => (samples * b) / Math.max(spanSec, 1e-9) >= MIN_SAMPLES_PER_BUCKET || spanSec / b <= MIN_BUCKETS) ??
    fits[fits.length - 1] ??
    Math.ceil(spanSec / MAX_BUCKETS / last) * last;
  if (!(chosen > 0)) throw new RangeError(`bucketSec must be > 0 (got ${chosen})`);
  return chosen;
}

/** Buckets of the series: epoch origin, count, and the bucket of a cell key. */
export interface Buckets {
  readonly origin: number;
  readonly count: number;
  readonly bucketSec: number;
  readonly ofCell: (key: number) => number;
}

export function bucketsOf(a: Aggregates, w: SampleWindow, bucketSec: number): Buckets {
  const bucketMs = bucketSec * 1000;
  const origin = a.n > 0 ? Math.floor(w.minTs / bucketMs) * bucketMs : 0;
  const count = a.n > 0 ? Math.floor((w.maxTs - origin) / bucketMs) + 1 : 0;
  return { origin, count, bucketSec, ofCell: (key) => Math.floor((a.origin + key * a.cellMs - origin) / bucketMs) };
}

interface Counts {
  req: Float64Array;
  err: Float64Array;
  thr: Float64Array;
  wait: Float64Array;
}

function add(s: Counts, k: number, acc: Acc): void {
  s.req[k] += acc.n;
  s.err[k] += acc.errors;
  s.thr[k] += acc.throttled;
  s.wait[k] += acc.waitSum;
}

const perSec = (values: ArrayLike<number>, bucketSec: number, digits = 3): number[] =>
  Array.from(values, (v) => round(v / bucketSec, digits));

/** Requests, errors, 429s and waits per bucket: per label, all scenario labels, per shard; bytes, threads, drops, latency. */
function countBuckets(a: Aggregates, b: Buckets) {
  const empty = (): Counts => ({
    req: new Float64Array(b.count),
    err: new Float64Array(b.count),
    thr: new Float64Array(b.count),
    wait: new Float64Array(b.count),
  });
  const perLabel = a.labels.map(empty);
  const all = empty();
  const latency = Array.from({ length: b.count }, () => new Acc());
  const perShard = a.shards.map(() => new Float64Array(b.count));
  const threads = a.shards.map(() => new Float64Array(b.count));
  const bytes = { in: new Float64Array(b.count), out: new Float64Array(b.count) };
  const dropped = new Float64Array(b.count);
  for (const [key, cell] of a.cells) {
    const k = b.ofCell(key);
    if (!(k >= 0 && k < b.count)) continue;
    cell.labels.forEach((acc, li) => {
      if (!acc) return;
      add(perLabel[li], k, acc);
      if (li === a.tokenLabel) return;
      add(all, k, acc);
      latency[k].merge(acc);
    });
    cell.shardRequests.forEach((v, si) => (perShard[si][k] += v));
    cell.threads.forEach((v, si) => (threads[si][k] = Math.max(threads[si][k], v)));
    bytes.in[k] += cell.bytesIn;
    bytes.out[k] += cell.bytesOut;
    dropped[k] += cell.drops;
  }
  return { perLabel, all, latency, perShard, threads, bytes, dropped };
}

/** Latency percentiles per bucket over its scenario samples (null for an empty bucket). */
function bucketPercentiles(latency: readonly Acc[]): Report['series']['all']['latencyMs'] {
  const lat = { p50: [] as (number | null)[], p90: [] as (number | null)[], p99: [] as (number | null)[] };
  for (const acc of latency) {
    const [p50, p90, p99] = acc.n ? acc.percentiles([50, 90, 99]) : [null, null, null];
    lat.p50.push(p50);
    lat.p90.push(p90);
    lat.p99.push(p99);
  }
  return lat;
}

export function timeSeries(a: Aggregates, order: readonly { label: string; li: number }[], b: Buckets): Report['series'] {
  const counts = countBuckets(a, b);
  const { bucketSec } = b;
  const toSeries = (s: Counts): SeriesPerLabel => ({
    requestsPerSec: perSec(s.req, bucketSec),
    errorShare: Array.from(s.req, (cnt, k) => (cnt ? round(s.err[k] / cnt, 6) : null)),
    throttledShare: Array.from(s.req, (cnt, k) => (cnt ? round(s.thr[k] / cnt, 6) : null)),
    retryAfterSec: Array.from(s.wait, (v) => round(v)),
  });
  const threads = new Float64Array(b.count);
  for (const perShard of counts.threads) for (let k = 0; k < b.count; k++) threads[k] += perShard[k];
  return {
    t: Array.from({ length: b.count }, (_, k) => b.origin + k * bucketSec * 1000),
    all: { ...toSeries(counts.all), latencyMs: bucketPercentiles(counts.latency) },
    byLabel: Object.fromEntries(order.map(({ label, li }) => [label, toSeries(counts.perLabel[li])])),
    requestsPerSecByShard: Object.fromEntries(a.shards.map((sh, si) => [sh.name, perSec(counts.perShard[si], bucketSec)])),
    threads: Array.from(threads),
    bytesReceivedPerSec: perSec(counts.bytes.in, bucketSec, 0),
    bytesSentPerSec: perSec(counts.bytes.out, bucketSec, 0),
    droppedPerSec: perSec(counts.dropped, bucketSec),
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
