/**
 * The report's shape (report.json, schemaVersion 1) and the options that build it. The figures
 * are merged in report.ts (with samples.ts, label-stats.ts, series.ts, shard-stats.ts), compared
 * with a baseline in compare.ts and drawn in html.ts.
 */
import type { Readable } from 'node:stream';

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
