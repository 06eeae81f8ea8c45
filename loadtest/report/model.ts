/**
 * The report's shape (report.json, schemaVersion 2) and the options that build it. The figures
 * are merged in report.ts (with samples.ts, label-stats.ts, steady.ts, series.ts, drops.ts,
 * shard-stats.ts), judged in thresholds.ts, compared with a baseline in compare.ts and drawn in
 * html.ts.
 */
import type { Readable } from 'node:stream';
import type { ReportCost } from './cost';

export const REPORT_SCHEMA_VERSION = 2;
export const PERCENTILE_METHOD =
  'nearest-rank over all samples of all shards: the smallest response time t such that at least p % of samples took <= t (sorted[ceil(p/100 n) - 1]), read from a log histogram: exact for whole ms below 1024 ms, within 0.1 % above';

export interface LatencyStats {
  readonly min: number;
  readonly mean: number;
  /** Population standard deviation. */
  readonly stddev: number;
  readonly p50: number;
  readonly p90: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface RetryAfterStats {
  /** 429 responses after which the plan rested the token. */
  readonly waits: number;
  readonly totalSec: number;
  readonly maxSec: number;
}

/** Apdex: (satisfied + tolerating / 2) / samples; failed samples count as frustrated. */
export interface ApdexStats {
  readonly score: number;
  readonly satisfied: number;
  readonly tolerating: number;
  readonly frustrated: number;
}

/** Response-time distribution: counts[k] samples took [k * binMs, (k + 1) * binMs); the last bin is open-ended. */
export interface Histogram {
  readonly binMs: number;
  readonly counts: readonly number[];
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
  /** Requests per second over the window the figures cover. */
  readonly throughputPerSec: number;
  readonly latencyMs: LatencyStats | null;
  /** Mean time to first byte and mean connect time (null when the JTL lacks the columns). */
  readonly ttfbMeanMs: number | null;
  readonly connectMeanMs: number | null;
  readonly bytesReceivedPerSec: number;
  readonly bytesSentPerSec: number;
  readonly apdex: ApdexStats | null;
  readonly histogram: Histogram | null;
  readonly retryAfter: RetryAfterStats;
  /** Whole run only (the steady-state figures leave it out). */
  readonly responseCodes?: Readonly<Record<string, number>>;
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
  /** Seconds the tokens rested per Retry-After, summed per bucket. */
  readonly retryAfterSec: number[];
}

export interface ReportLink {
  readonly uri: string;
  /** The AWS console page of the prefix, when the URI is s3://. */
  readonly consoleUrl?: string;
}

/** Pass/fail goals of a scenario (config `thresholds`), judged on the steady-state window. */
export interface ReportThresholds {
  readonly p95Ms?: number;
  readonly p99Ms?: number;
  /** Per endpoint label (`GET /api/v2/...`). */
  readonly endpoints?: Readonly<Record<string, { readonly p95Ms?: number; readonly p99Ms?: number }>>;
  /** Highest share of failed requests, in % (429s included). */
  readonly maxErrorPercent?: number;
  readonly maxThrottledPercent?: number;
  /** Lowest achieved rate, in % of the planned rate. */
  readonly minAchievedPercent?: number;
  readonly apdexSatisfiedMs?: number;
  readonly apdexToleratedMs?: number;
}

/** The plan the test ran (from its plan summary), drawn beside the achieved figures. */
export interface ReportTarget {
  /** All shards together, scenario requests per minute at full load. */
  readonly requestsPerMinute: number;
  /** The plan ramps linearly from 0 to full load over this long from the first sample. */
  readonly rampUpSec: number;
  /** Planned requests/min per endpoint label (when the plan says how it splits). */
  readonly byLabel: Readonly<Record<string, number>>;
  /** Where the figures come from, e.g. `bot-analytics.summary.json` or `--target-rpm`. */
  readonly source: string;
  readonly scenario?: string;
  readonly environment?: string;
  readonly shards?: number;
  readonly tokensPerShard?: number;
  readonly threadsPerShard?: number;
  /** The shards' Fargate task (cpu units, MiB), when the plan summary says. */
  readonly task?: { readonly cpu: number; readonly memoryMiB: number };
  /** Test length including ramp-up. */
  readonly durationSec?: number;
  readonly thresholds?: ReportThresholds;
}

/** After ramp-up, before the end: the window the headline figures cover. */
export interface SteadyState {
  readonly start: string | null;
  readonly end: string | null;
  readonly durationSec: number;
  /** How the window was chosen, in words. */
  readonly basis: string;
  readonly totals: LabelStats;
  readonly endpoints: readonly LabelStats[];
}

export interface AchievedVsPlanned {
  readonly plannedPerMinute: number;
  readonly achievedPerMinute: number;
  /** achieved / planned. */
  readonly share: number;
  /** The steady-state window the achieved rate is measured over. */
  readonly windowSec: number;
}

export interface ErrorKindRow {
  readonly label: string;
  readonly code: string;
  readonly message: string;
  readonly count: number;
}

export interface DropStats {
  readonly total: number;
  /** The token rested after a 429 (Retry-After). */
  readonly resting: number;
  /** The per-token catch-up cap held the arrival back. */
  readonly capped: number;
  readonly byToken: readonly { readonly shard: string; readonly token: number; readonly resting: number; readonly capped: number }[];
  /** The gate drops before the endpoint is picked: each endpoint's planned share of the drops. */
  readonly byEndpointEstimate: Readonly<Record<string, number>>;
}

export interface ThresholdCheck {
  readonly name: string;
  readonly limit: string;
  readonly actual: string;
  readonly passed: boolean;
}

export interface Verdict {
  readonly passed: boolean;
  readonly checks: readonly ThresholdCheck[];
  /** Why the run failed, one line each (a failed check, or no samples). */
  readonly failures: readonly string[];
}

/** Result files against the shard contract (`results/<testId>/shards/<n>/shard-<n>.jtl`). */
export interface ShardFiles {
  readonly read: readonly string[];
  /** Contract keys of shards the test started that are not there. */
  readonly missing: readonly string[];
  /** Other result-like files under the test, not read. */
  readonly unexpected: readonly string[];
}

export interface Report {
  readonly schemaVersion: number;
  readonly testId: string;
  readonly generatedAt: string;
  readonly window: { readonly start: string | null; readonly end: string | null; readonly durationSec: number };
  readonly percentileMethod: string;
  readonly bucketSec: number;
  readonly apdex: { readonly satisfiedMs: number; readonly toleratedMs: number };
  /** Whole run: scenario requests of all endpoints and shards (token requests excluded). */
  readonly totals: LabelStats;
  readonly endpoints: readonly LabelStats[];
  /** The OAuth token requests, apart from the scenario's endpoints. */
  readonly tokens: LabelStats | null;
  readonly steady: SteadyState;
  readonly achieved: AchievedVsPlanned | null;
  readonly errors: readonly ErrorKindRow[];
  readonly drops: DropStats;
  readonly shards: readonly ShardStats[];
  readonly series: {
    /** Bucket starts, ms since the epoch. */
    readonly t: number[];
    readonly all: SeriesPerLabel & { readonly latencyMs: { p50: (number | null)[]; p90: (number | null)[]; p99: (number | null)[] } };
    readonly byLabel: Readonly<Record<string, SeriesPerLabel>>;
    readonly requestsPerSecByShard: Readonly<Record<string, number[]>>;
    /** Active threads of all shards (each shard's highest allThreads in the bucket, summed). */
    readonly threads: number[];
    readonly bytesReceivedPerSec: number[];
    readonly bytesSentPerSec: number[];
    readonly droppedPerSec: number[];
  };
  readonly links: { readonly metadata?: ReportLink; readonly analytics?: ReportLink; readonly results?: ReportLink };
  /** The planned rate, when known (a plan summary or --target-rpm). */
  readonly target?: ReportTarget;
  readonly verdict: Verdict;
  readonly shardFiles?: ShardFiles;
  /** The run's AWS cost: estimate and actual, line by line (cost.ts); set by the assembly. */
  readonly cost?: ReportCost;
  readonly warnings: readonly string[];
}

export interface ReportOptions {
  readonly testId?: string;
  /** Width of the time buckets; default: chosen from the run's length and rate (series.ts). */
  readonly bucketSec?: number;
  /** Archived recording metadata of the test window (s3://bucket/prefix/ or any URL). */
  readonly metadataUri?: string;
  /** Archived analytics job output of the test window. */
  readonly analyticsUri?: string;
  readonly resultsUri?: string;
  /** AWS region for console links. */
  readonly awsRegion?: string;
  readonly target?: ReportTarget;
  /** Goals to judge the run by; default: the target's (plan summary's) thresholds. */
  readonly thresholds?: ReportThresholds;
  readonly shardFiles?: ShardFiles;
  readonly now?: Date;
}

export interface ShardInput {
  readonly name: string;
  readonly stream: Readable | AsyncIterable<Uint8Array | string>;
}
