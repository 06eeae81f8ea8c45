/**
 * Merges the raw JTL results of every shard into one report. Percentiles are computed over ALL
 * samples of all shards (nearest-rank on the sorted values), never by averaging per-shard
 * percentiles, which is wrong whenever shards see different latency distributions.
 */
import { readJtl, type JtlSample } from './jtl';
import { labelOrder, labelStats } from './label-stats';
import { PERCENTILE_METHOD, REPORT_SCHEMA_VERSION, type Report, type ReportLink, type ReportOptions, type ShardInput } from './model';
import { SampleStore } from './samples';
import { chooseBucketSec, sampleWindow, timeSeries } from './series';
import { shardStats } from './shard-stats';
import { isoTime, round } from './stats';

export * from './model';
export { plannedRequestsPerSec } from './series';

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
    const bucketSec = chooseBucketSec(w.spanSec, options.bucketSec);
    // The window the throughput figures are averaged over: at least one bucket.
    const windowSec = Math.max(w.spanSec, bucketSec);
    const order = labelOrder(c);
    const endpoints = order.map(({ li }) => labelStats(c, li, windowSec));
    const totals = labelStats(c, -1, windowSec);
    const series = timeSeries(c, order, w, bucketSec);
    const shards = shardStats(c, warnings);
    if (c.n === 0) warnings.push('no samples: the results hold no JMeter samples');

    const links: { metadata?: ReportLink; analytics?: ReportLink; results?: ReportLink } = {};
    if (options.metadataUri) links.metadata = s3Link(options.metadataUri, options.awsRegion);
    if (options.analyticsUri) links.analytics = s3Link(options.analyticsUri, options.awsRegion);
    if (options.resultsUri) links.results = s3Link(options.resultsUri, options.awsRegion);

    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      testId: options.testId ?? 'loadtest',
      generatedAt: (options.now ?? new Date()).toISOString(),
      window: { start: isoTime(c.n ? w.minTs : undefined), end: isoTime(c.n ? w.maxTs : undefined), durationSec: round(w.spanSec) },
      percentileMethod: PERCENTILE_METHOD,
      bucketSec,
      totals,
      endpoints,
      shards,
      series,
      links,
      ...(options.target ? { target: options.target } : {}),
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
