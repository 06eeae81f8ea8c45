/**
 * Merges the raw JTL results of every shard into one report. Percentiles are computed over ALL
 * samples of all shards (nearest-rank on the sorted values), never by averaging per-shard
 * percentiles, which is wrong whenever shards see different latency distributions.
 */
import type { Readable } from 'node:stream';
import { TOKEN_LABEL } from '../labels';
import { readJtl, type JtlSample } from './jtl';
import { GrowableArray, nearestRank } from './stats';

export const REPORT_SCHEMA_VERSION = 1;
export const PERCENTILE_METHOD =
  'nearest-rank over all samples of all shards: the smallest response time t such that at least p % of samples took <= t (sorted[ceil(p/100 n) - 1])';

export interface LatencyStats {
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export interface RetryAfterStats {
  /** 429 responses after which the plan waited. */
  readonly waits: number;
  readonly totalSec: number;
  readonly maxSec: number;
}

export interface LabelStats {
  readonly label: string;
  readonly requests: number;
  /** Samples JMeter marked unsuccessful (429 included). */
  readonly errors: number;
  /** Responses with code 429. */
  readonly throttled: number;
  readonly errorShare: number;
  readonly throttledShare: number;
  /** Requests per second over the test window. */
  readonly throughputPerSec: number;
  readonly latencyMs: LatencyStats | null;
  readonly retryAfter: RetryAfterStats;
  readonly responseCodes: Readonly<Record<string, number>>;
}

export interface ShardStats {
  readonly name: string;
  readonly requests: number;
  readonly errors: number;
  readonly throttled: number;
  readonly start: string | null;
  readonly end: string | null;
  /** This shard's own percentiles, for comparison only: the merged figures are in `totals`. */
  readonly latencyMs: LatencyStats | null;
  /** Malformed records skipped (e.g. the cut-off last line of a stopped task). */
  readonly skippedRecords: number;
}

export interface SeriesPerLabel {
  readonly requestsPerSec: number[];
  /** errors / requests per bucket (null where the bucket has no request). */
  readonly errorShare: (number | null)[];
  readonly throttledShare: (number | null)[];
  /** Seconds waited per Retry-After, summed per bucket. */
  readonly retryAfterSec: number[];
}

export interface ReportLink {
  readonly uri: string;
  /** The AWS console page of the prefix, when the URI is s3://. */
  readonly consoleUrl?: string;
}

/** The rate the plan aimed at, drawn beside the achieved throughput. */
export interface ReportTarget {
  /** All shards together, scenario requests per minute at full load. */
  readonly requestsPerMinute: number;
  /** The plan ramps linearly from 0 to full load over this long from the first sample. */
  readonly rampUpSec: number;
  /** Planned requests/min per endpoint label (when the plan says how it splits). */
  readonly byLabel: Readonly<Record<string, number>>;
  /** Where the figures come from, e.g. `bot-analytics.summary.json` or `--target-rpm`. */
  readonly source: string;
}

export interface Report {
  readonly schemaVersion: number;
  readonly testId: string;
  readonly generatedAt: string;
  readonly window: { readonly start: string | null; readonly end: string | null; readonly durationSec: number };
  readonly percentileMethod: string;
  readonly bucketSec: number;
  /** Scenario requests of all endpoints and shards (token requests excluded). */
  readonly totals: LabelStats;
  readonly endpoints: readonly LabelStats[];
  readonly shards: readonly ShardStats[];
  readonly series: {
    /** Bucket starts, ms since the epoch. */
    readonly t: number[];
    readonly all: SeriesPerLabel & { readonly latencyMs: { p50: (number | null)[]; p90: (number | null)[]; p99: (number | null)[] } };
    readonly byLabel: Readonly<Record<string, SeriesPerLabel>>;
    readonly requestsPerSecByShard: Readonly<Record<string, number[]>>;
  };
  readonly links: { readonly metadata?: ReportLink; readonly analytics?: ReportLink; readonly results?: ReportLink };
  /** The planned rate, when known (npm run report reads a plan summary or --target-rpm). */
  readonly target?: ReportTarget;
  readonly warnings: readonly string[];
}

export interface ReportOptions {
  readonly testId?: string;
  /** Width of the time buckets; default: the smallest of 1, 2, 5, 10, 15, 30, 60, 120, 300, 600 s giving <= 360 buckets. */
  readonly bucketSec?: number;
  /** Archived recording metadata of the test window (s3://bucket/prefix/ or any URL). */
  readonly metadataUri?: string;
  /** Archived analytics job output of the test window. */
  readonly analyticsUri?: string;
  readonly resultsUri?: string;
  /** AWS region for console links. */
  readonly awsRegion?: string;
  readonly target?: ReportTarget;
  readonly now?: Date;
}

export interface ShardInput {
  readonly name: string;
  readonly stream: Readable | AsyncIterable<Uint8Array | string>;
}

const BUCKET_CHOICES = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
const MAX_BUCKETS = 360;
const F_ERROR = 1;
const F_THROTTLED = 2;

const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());
const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

function latencyOf(sorted: Float64Array): LatencyStats | null {
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

export function s3Link(uri: string, region?: string): ReportLink {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) return { uri };
  const [, bucket, prefix] = m;
  const q = new URLSearchParams();
  if (prefix) q.set('prefix', prefix);
  if (region) q.set('region', region);
  const qs = q.toString();
  return { uri, consoleUrl: `https://s3.console.aws.amazon.com/s3/buckets/${encodeURIComponent(bucket)}${qs ? `?${qs}` : ''}` };
}

/** Collects samples of many shards compactly, then computes the report in one pass per statistic. */
export class ReportBuilder {
  private readonly ts = new GrowableArray((n) => new Float64Array(n));
  private readonly elapsed = new GrowableArray((n) => new Float64Array(n));
  private readonly labelIdx = new GrowableArray((n) => new Int32Array(n));
  private readonly shardIdx = new GrowableArray((n) => new Uint16Array(n));
  private readonly flags = new GrowableArray((n) => new Uint8Array(n));
  private readonly retry = new GrowableArray((n) => new Float32Array(n));
  private readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();
  private readonly codes: Map<string, number>[] = [];
  private readonly shards: { name: string; skipped: number }[] = [];

  /** Registers a shard and returns the callback that adds its samples. */
  shard(name: string): (s: JtlSample) => void {
    if (this.shards.length >= 65535) throw new Error('too many shards (at most 65535)');
    const index = this.shards.length;
    this.shards.push({ name, skipped: 0 });
    return (s) => this.add(index, s);
  }

  setSkipped(name: string, skipped: number): void {
    const shard = this.shards.find((s) => s.name === name);
    if (shard) shard.skipped += skipped;
  }

  get sampleCount(): number {
    return this.ts.length;
  }

  private add(shard: number, s: JtlSample): void {
    let li = this.labelIndex.get(s.label);
    if (li === undefined) {
      li = this.labels.length;
      this.labels.push(s.label);
      this.labelIndex.set(s.label, li);
      this.codes.push(new Map());
    }
    const codes = this.codes[li];
    codes.set(s.responseCode, (codes.get(s.responseCode) ?? 0) + 1);
    this.ts.push(s.timeStamp);
    this.elapsed.push(s.elapsed);
    this.labelIdx.push(li);
    this.shardIdx.push(shard);
    this.flags.push((s.success ? 0 : F_ERROR) | (s.responseCode === '429' ? F_THROTTLED : 0));
    this.retry.push(s.retryAfterSec ?? NaN);
  }

  build(options: ReportOptions = {}): Report {
    const n = this.ts.length;
    const ts = this.ts.view();
    const elapsed = this.elapsed.view();
    const labelIdx = this.labelIdx.view();
    const shardIdx = this.shardIdx.view();
    const flags = this.flags.view();
    const retry = this.retry.view();
    const tokenLabel = this.labelIndex.get(TOKEN_LABEL) ?? -1;
    const warnings: string[] = [];

    let minTs = Infinity;
    let maxTs = -Infinity;
    for (let i = 0; i < n; i++) {
      if (ts[i] < minTs) minTs = ts[i];
      if (ts[i] > maxTs) maxTs = ts[i];
    }
    const spanSec = n > 0 ? (maxTs - minTs) / 1000 : 0;
    const bucketSec = options.bucketSec ?? BUCKET_CHOICES.find((b) => spanSec / b < MAX_BUCKETS) ?? Math.ceil(spanSec / MAX_BUCKETS);
    if (!(bucketSec > 0)) throw new RangeError(`bucketSec must be > 0 (got ${bucketSec})`);
    const bucketMs = bucketSec * 1000;
    const origin = n > 0 ? Math.floor(minTs / bucketMs) * bucketMs : 0;
    const buckets = n > 0 ? Math.floor((maxTs - origin) / bucketMs) + 1 : 0;
    const bucketOf = (t: number): number => Math.floor((t - origin) / bucketMs);
    // The window the throughput figures are averaged over: at least one bucket.
    const windowSec = Math.max(spanSec, bucketSec);

    // Group sample indexes by label (counting sort) so each label's latencies sort on their own.
    const L = this.labels.length;
    const labelCount = new Int32Array(L);
    for (let i = 0; i < n; i++) labelCount[labelIdx[i]]++;

    const labelStats = (li: number, members: (i: number) => boolean, count: number, label: string): LabelStats => {
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
        for (const [code, c] of [...this.codes[li].entries()].sort()) codes[code] = c;
      } else {
        for (let j = 0; j < L; j++) {
          if (j === tokenLabel) continue;
          for (const [code, c] of this.codes[j]) codes[code] = (codes[code] ?? 0) + c;
        }
      }
      return {
        label,
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
    };

    const order = this.labels
      .map((label, li) => ({ label, li }))
      .sort((a, b) => (a.li === tokenLabel ? 1 : b.li === tokenLabel ? -1 : a.label.localeCompare(b.label)));
    const endpoints = order.map(({ label, li }) => labelStats(li, (i) => labelIdx[i] === li, labelCount[li], label));
    const scenarioCount = n - (tokenLabel >= 0 ? labelCount[tokenLabel] : 0);
    const totals = labelStats(-1, (i) => labelIdx[i] !== tokenLabel, scenarioCount, 'ALL');

    // Time series.
    const emptySeries = (): { req: Float64Array; err: Float64Array; thr: Float64Array; wait: Float64Array } => ({
      req: new Float64Array(buckets),
      err: new Float64Array(buckets),
      thr: new Float64Array(buckets),
      wait: new Float64Array(buckets),
    });
    const perLabel = this.labels.map(emptySeries);
    const all = emptySeries();
    const perShard = this.shards.map(() => new Float64Array(buckets));
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
    const toSeries = (s: ReturnType<typeof emptySeries>): SeriesPerLabel => ({
      requestsPerSec: Array.from(s.req, (c) => round(c / bucketSec)),
      errorShare: Array.from(s.req, (c, b) => (c ? round(s.err[b] / c, 6) : null)),
      throttledShare: Array.from(s.req, (c, b) => (c ? round(s.thr[b] / c, 6) : null)),
      retryAfterSec: Array.from(s.wait, (w) => round(w)),
    });

    // Latency percentiles per bucket, exact: scenario samples grouped by bucket, each group sorted.
    const starts = new Int32Array(buckets + 1);
    for (let b = 0; b < buckets; b++) starts[b + 1] = starts[b] + bucketCount[b];
    const fill = starts.slice(0, buckets);
    const byBucket = new Float64Array(scenarioCount);
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

    // Per shard in one pass, then each shard's latencies grouped (counting sort) and sorted.
    const S = this.shards.length;
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
    const byShard = new Float64Array(scenarioCount);
    for (let i = 0; i < n; i++) if (labelIdx[i] !== tokenLabel) byShard[sFill[shardIdx[i]]++] = elapsed[i];
    const shards: ShardStats[] = this.shards.map((sh, si) => {
      const count = sCount[si];
      if (sh.skipped > 0) warnings.push(`${sh.name}: skipped ${sh.skipped} malformed record(s)`);
      if (count === 0) warnings.push(`${sh.name}: no scenario samples (did the shard start?)`);
      return {
        name: sh.name,
        requests: count,
        errors: sErr[si],
        throttled: sThr[si],
        start: iso(count ? sFirst[si] : undefined),
        end: iso(count ? sLast[si] : undefined),
        latencyMs: latencyOf(byShard.subarray(sStart[si], sStart[si + 1]).sort()),
        skippedRecords: sh.skipped,
      };
    });
    if (n === 0) warnings.push('no samples: the results hold no JMeter samples');

    const links: { metadata?: ReportLink; analytics?: ReportLink; results?: ReportLink } = {};
    if (options.metadataUri) links.metadata = s3Link(options.metadataUri, options.awsRegion);
    if (options.analyticsUri) links.analytics = s3Link(options.analyticsUri, options.awsRegion);
    if (options.resultsUri) links.results = s3Link(options.resultsUri, options.awsRegion);

    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      testId: options.testId ?? 'loadtest',
      generatedAt: (options.now ?? new Date()).toISOString(),
      window: { start: iso(n ? minTs : undefined), end: iso(n ? maxTs : undefined), durationSec: round(spanSec) },
      percentileMethod: PERCENTILE_METHOD,
      bucketSec,
      totals,
      endpoints,
      shards,
      series: {
        t: Array.from({ length: buckets }, (_, b) => origin + b * bucketMs),
        all: { ...toSeries(all), latencyMs: lat },
        byLabel: Object.fromEntries(order.map(({ label, li }) => [label, toSeries(perLabel[li])])),
        requestsPerSecByShard: Object.fromEntries(
          this.shards.map((sh, si) => [sh.name, Array.from(perShard[si], (c) => round(c / bucketSec))]),
        ),
      },
      links,
      ...(options.target ? { target: options.target } : {}),
      warnings,
    };
  }
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

/** Shard name from a result file name: `results/t1/shard-3.jtl` -> `shard-3`. */
export function shardName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(jtl|csv)$/i, '');
}

/** Reads every shard's JTL and builds the report. */
export async function buildReport(inputs: readonly ShardInput[], options: ReportOptions = {}): Promise<Report> {
  const builder = new ReportBuilder();
  for (const input of inputs) {
    const add = builder.shard(input.name);
    const skipped = await readJtl(input.stream, input.name, add);
    builder.setSkipped(input.name, skipped);
  }
  return builder.build(options);
}
