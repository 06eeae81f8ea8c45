/**
 * Merges the raw JTL results of every shard into one report. Percentiles are computed over ALL
 * samples of all shards (nearest-rank on the sorted values), never by averaging per-shard
 * percentiles, which is wrong whenever shards see different latency distributions.
 */
import { dropStats, errorRows } from './drops';
import { readJtl, type JtlSample } from './jtl';
import { labelOrder, labelStats, type ApdexThresholds, type TimeRange } from './label-stats';
import { PERCENTILE_METHOD, REPORT_SCHEMA_VERSION, type Report, type ReportLink, type ReportOptions, type ShardInput } from './model';
import { SampleStore, type SampleColumns } from './samples';
import { bucketsOf, chooseBucketSec, sampleWindow, timeSeries } from './series';
import { shardStats } from './shard-stats';
import { isoTime, round } from './stats';
import { achievedVsPlanned, steadyWindow, type ScenarioSpan } from './steady';
import { judge } from './thresholds';

export * from './model';
export { plannedRequestsPerSec } from './series';

/** JMeter's dashboard defaults (jmeter.reportgenerator.apdex_satisfied_threshold / _tolerated_threshold). */
export const DEFAULT_APDEX: ApdexThresholds = { satisfiedMs: 500, toleratedMs: 1500 };

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

function scenarioSpan(c: SampleColumns): ScenarioSpan | undefined {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < c.n; i++) {
    if (c.labelIdx[i] === c.tokenLabel) continue;
    if (c.ts[i] < first) first = c.ts[i];
    if (c.ts[i] > last) last = c.ts[i];
  }
  return first <= last ? { first, last } : undefined;
}

function links(options: ReportOptions): Report['links'] {
  const out: { metadata?: ReportLink; analytics?: ReportLink; results?: ReportLink } = {};
  if (options.metadataUri) out.metadata = s3Link(options.metadataUri, options.awsRegion);
  if (options.analyticsUri) out.analytics = s3Link(options.analyticsUri, options.awsRegion);
  if (options.resultsUri) out.results = s3Link(options.resultsUri, options.awsRegion);
  return out;
}

/** Collects samples of many shards compactly, then computes the report in one pass per statistic. */
export class ReportBuilder {
  private readonly samples = new SampleStore();

  /** Registers a shard and returns the callback that adds its samples. */
  shard(name: string): (s: JtlSample) => void {
    return this.samples.shard(name);
  }

  setSkipped(name: string, skipped: number): void {
    this.samples.setSkipped(name, skipped);
  }

  get sampleCount(): number {
    return this.samples.size;
  }

  build(options: ReportOptions = {}): Report {
    const c = this.samples.columns();
    const warnings: string[] = [];
    const w = sampleWindow(c);
    const order = labelOrder(c);
    const scenario = order.filter(({ li }) => li !== c.tokenLabel);
    const bucketSec = chooseBucketSec(w.spanSec, options.bucketSec, c.n);
    const target = options.target;
    const thresholds = options.thresholds ?? target?.thresholds;
    const apdex = {
      satisfiedMs: thresholds?.apdexSatisfiedMs ?? DEFAULT_APDEX.satisfiedMs,
      toleratedMs: thresholds?.apdexToleratedMs ?? DEFAULT_APDEX.toleratedMs,
    };
    // Whole-run throughputs are averaged over at least one bucket.
    const whole: TimeRange = { from: -Infinity, to: Infinity, windowSec: Math.max(w.spanSec, bucketSec) };
    const sw = steadyWindow(scenarioSpan(c), target, bucketSec);
    const steadyTotals = labelStats(c, -1, sw, apdex);
    const steady = {
      start: isoTime(steadyTotals.requests ? c.base + sw.from : undefined),
      end: isoTime(steadyTotals.requests ? c.base + sw.to : undefined),
      durationSec: round(sw.windowSec),
      basis: sw.basis,
      totals: steadyTotals,
      endpoints: scenario.map(({ li }) => labelStats(c, li, sw, apdex)),
    };
    const achieved = achievedVsPlanned({ steady, target });
    const shards = shardStats(c, warnings);
    const totals = labelStats(c, -1, whole, apdex);
    if (totals.requests === 0) warnings.push('no samples: the results hold no scenario samples (JMeter sent no request of the plan)');
    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      testId: options.testId ?? 'loadtest',
      generatedAt: (options.now ?? new Date()).toISOString(),
      window: {
        start: isoTime(c.n ? c.base + w.minTs : undefined),
        end: isoTime(c.n ? c.base + w.maxTs : undefined),
        durationSec: round(w.spanSec),
      },
      percentileMethod: PERCENTILE_METHOD,
      bucketSec,
      apdex,
      totals,
      endpoints: scenario.map(({ li }) => labelStats(c, li, whole, apdex)),
      tokens: c.tokenLabel >= 0 ? labelStats(c, c.tokenLabel, whole, apdex) : null,
      steady,
      achieved,
      errors: errorRows(c),
      drops: dropStats(c, target),
      shards,
      series: timeSeries(c, order, bucketsOf(c, w, bucketSec)),
      links: links(options),
      ...(target ? { target } : {}),
      verdict: judge(thresholds, steady, achieved, totals.requests),
      ...(options.shardFiles ? { shardFiles: options.shardFiles } : {}),
      warnings,
    };
  }
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
