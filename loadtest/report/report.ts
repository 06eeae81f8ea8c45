/**
 * Merges the raw JTL results of every shard into one report, in one streaming pass of bounded
 * memory (samples.ts). Percentiles are taken over ALL samples of all shards (nearest rank, on a
 * log histogram: exact below 1,024 ms, within 0.1 % above), never by averaging per-shard
 * percentiles, which is wrong whenever shards see different latency distributions.
 */
import type { Readable } from 'node:stream';
import { dropStats, errorRows } from './drops';
import type { JtlSample } from './jtl';
import { scanJtl } from './jtl-scan';
import { labelAccs, labelOrder, labelStats, scenarioAcc } from './label-stats';
import type { ApdexThresholds } from './accumulator';
import { PERCENTILE_METHOD, REPORT_SCHEMA_VERSION, type Report, type ReportLink, type ReportOptions, type ShardInput } from './model';
import { SampleStore, type Aggregates } from './samples';
import { bucketsOf, chooseBucketSec, sampleWindow, timeSeries } from './series';
import { shardStats } from './shard-stats';
import { isoTime, round } from './stats';
import { achievedVsPlanned, steadyCells, steadyWindow } from './steady';
import { judge } from './thresholds';

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

function links(options: ReportOptions): Report['links'] {
  const out: { metadata?: ReportLink; analytics?: ReportLink; results?: ReportLink } = {};
  if (options.metadataUri) out.metadata = s3Link(options.metadataUri, options.awsRegion);
  if (options.analyticsUri) out.analytics = s3Link(options.analyticsUri, options.awsRegion);
  if (options.resultsUri) out.results = s3Link(options.resultsUri, options.awsRegion);
  return out;
}

/** The Apdex bands of a report: the thresholds' (or the plan's), else JMeter's defaults. */
function apdexOf(options: ReportOptions): ApdexThresholds {
  const thresholds = options.thresholds ?? options.target?.thresholds;
  return {
    satisfiedMs: thresholds?.apdexSatisfiedMs ?? DEFAULT_APDEX.satisfiedMs,
    toleratedMs: thresholds?.apdexToleratedMs ?? DEFAULT_APDEX.toleratedMs,
  };
}

/**
 * Aggregates samples of many shards as they are read, then computes the report. The options are
 * given first: the Apdex bands are counted, and a given bucket width sets the cells, while reading.
 */
export class ReportBuilder {
  private readonly samples: SampleStore;

  constructor(private readonly options: ReportOptions = {}) {
    this.samples = new SampleStore(apdexOf(options), options.bucketSec === undefined ? undefined : options.bucketSec * 1000);
  }

  /** Registers a shard and returns the callback that adds its samples. */
  shard(name: string): (s: JtlSample) => void {
    return this.samples.shard(name);
  }

  /** Reads one shard's JTL stream; returns the count of malformed records skipped. */
  async read(name: string, stream: Readable | AsyncIterable<Uint8Array | string>, source = name): Promise<number> {
    const skipped = await scanJtl(stream, source, this.samples.shard(name));
    this.samples.setSkipped(name, skipped);
    return skipped;
  }

  setSkipped(name: string, skipped: number): void {
    this.samples.setSkipped(name, skipped);
  }

  get sampleCount(): number {
    return this.samples.size;
  }

  /** The report; `options` may add to the builder's (links, test id, time), but not change the bucket width or Apdex bands. */
  build(extra: ReportOptions = {}): Report {
    const options = { ...this.options, ...extra };
    const apdex = apdexOf(options);
    const fixed = apdexOf(this.options);
    if (options.bucketSec !== this.options.bucketSec || apdex.satisfiedMs !== fixed.satisfiedMs || apdex.toleratedMs !== fixed.toleratedMs)
      throw new Error('give bucketSec and the Apdex thresholds to the ReportBuilder, before reading');
    return buildFrom(this.samples.aggregates(), options, apdex);
  }
}

function buildFrom(a: Aggregates, options: ReportOptions, apdex: ApdexThresholds): Report {
  const warnings: string[] = [];
  const w = sampleWindow(a);
  const order = labelOrder(a);
  const scenario = order.filter(({ li }) => li !== a.tokenLabel);
  const bucketSec = chooseBucketSec(w.spanSec, options.bucketSec, a.n);
  const target = options.target;
  const thresholds = options.thresholds ?? target?.thresholds;
  // Whole-run throughputs are averaged over at least one bucket.
  const wholeSec = Math.max(w.spanSec, bucketSec);
  const wholeAccs = labelAccs(a, { fromKey: -Infinity, toKey: Infinity });
  const sw = steadyWindow(a.scenario, target, bucketSec);
  const cells = steadyCells(sw, a.scenario, a);
  const steadyAccs = labelAccs(a, cells);
  const steadyTotals = labelStats(a, -1, scenarioAcc(a, steadyAccs), cells.windowSec, false);
  const steady = {
    start: isoTime(steadyTotals.requests ? cells.from : undefined),
    end: isoTime(steadyTotals.requests ? cells.to : undefined),
    durationSec: round(cells.windowSec),
    basis: sw.basis,
    totals: steadyTotals,
    endpoints: scenario.map(({ li }) => labelStats(a, li, steadyAccs[li], cells.windowSec, false)),
  };
  const achieved = achievedVsPlanned({ steady, target });
  const shards = shardStats(a, warnings);
  const totals = labelStats(a, -1, scenarioAcc(a, wholeAccs), wholeSec, true);
  if (totals.requests === 0) warnings.push('no samples: the results hold no scenario samples (JMeter sent no request of the plan)');
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    testId: options.testId ?? 'loadtest',
    generatedAt: (options.now ?? new Date()).toISOString(),
    window: {
      start: isoTime(a.n ? w.minTs : undefined),
      end: isoTime(a.n ? w.maxTs : undefined),
      durationSec: round(w.spanSec),
    },
    percentileMethod: PERCENTILE_METHOD,
    bucketSec,
    apdex,
    totals,
    endpoints: scenario.map(({ li }) => labelStats(a, li, wholeAccs[li], wholeSec, true)),
    tokens: a.tokenLabel >= 0 ? labelStats(a, a.tokenLabel, wholeAccs[a.tokenLabel], wholeSec, true) : null,
    steady,
    achieved,
    errors: errorRows(a),
    drops: dropStats(a, target),
    shards,
    series: timeSeries(a, order, bucketsOf(a, w, bucketSec)),
    links: links(options),
    ...(target ? { target } : {}),
    verdict: judge(thresholds, steady, achieved, totals.requests),
    ...(options.shardFiles ? { shardFiles: options.shardFiles } : {}),
    warnings,
  };
}

/** Shard name from a result file name: `results/t1/shard-3.jtl` -> `shard-3`. */
export function shardName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.(jtl|csv)$/i, '');
}

/** Reads every shard's JTL and builds the report. */
export async function buildReport(inputs: readonly ShardInput[], options: ReportOptions = {}): Promise<Report> {
  const builder = new ReportBuilder(options);
  for (const input of inputs) await builder.read(input.name, input.stream);
  return builder.build();
}
