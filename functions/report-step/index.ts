/**
 * The state machine's report step: after the shards (or after a failure, for a partial report)
 * it merges the shards' JTLs at the shard contract's keys with the same assembly as
 * `npm run report` (loadtest/report/assemble.ts), and writes `report.json`, `report.html` and
 * `junit.xml` next to them. The plan summary `npm run loadtest` uploads
 * (`plan/<scenario>.summary.json`) gives the planned rate and the thresholds. A run that failed
 * (no samples, a threshold missed) ends in a ReportFailed error after the files are written, so
 * the execution fails.
 *
 * Input:  ReportStepInput (lib/contracts/report-step.ts), which the state machine's Report task builds
 * Output: { testId, bucket, reportJsonKey, reportHtmlKey, junitKey, shards, requests, passed, failures, ... }
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { testKey } from '../../lib/contracts/test-keys';
import { LAMBDA_RUNTIME_ENV, lambdaEnvValue } from '../../lib/contracts/lambda-env';
import { assembleReport, type AssembledReport } from '../../loadtest/report';
import { normalPrefix, validateInput, type ReportStepInput } from './input';
import { listTestKeys, plannedTarget, s3Sources, shardFileWarnings, type S3Like } from './results';
import { stepCostRequest } from './cost';

export interface ReportStepOutput {
  readonly testId: string;
  readonly bucket: string;
  readonly reportJsonKey: string;
  readonly reportHtmlKey: string;
  readonly junitKey: string;
  readonly shards: number;
  readonly requests: number;
  readonly errorShare: number;
  readonly throttledShare: number;
  /** False when the run failed: no samples or a threshold missed (the handler then throws ReportFailed). */
  readonly passed: boolean;
  readonly failures: readonly string[];
  readonly warnings: readonly string[];
  /** The run's AWS cost in USD (report.json `cost` has every line); absent when unknown. */
  readonly cost?: { readonly actualUsd: number; readonly estimateUsd: number | null; readonly region: string; readonly pricesDate: string };
}

/** Thrown after the report is written when the run failed; Step Functions sees the error name `ReportFailed`. */
export class ReportFailedError extends Error {
  constructor(readonly output: ReportStepOutput) {
    super(`load test ${output.testId} failed: ${output.failures.join('; ')}`);
    this.name = 'ReportFailed';
  }
}

const CONTENT_TYPES: Record<string, string> = {
  'report.json': 'application/json',
  'report.html': 'text/html; charset=utf-8',
  'junit.xml': 'application/xml',
};

function partialWarning(input: ReportStepInput): string[] {
  if (!input.partial) return [];
  const cause = input.error === undefined ? '' : `: ${typeof input.error === 'string' ? input.error : JSON.stringify(input.error)}`;
  return [`partial report: the test failed or was stopped before the end${cause.slice(0, 500)}`];
}

/** Builds the report of a test from S3 (an injected client in tests). Writes the files; never throws for a failed run. */
export async function buildReportStep(input: ReportStepInput, s3: S3Like, now: Date = new Date()): Promise<AssembledReport> {
  const startedMs = Date.now();
  validateInput(input);
  const bucket = input.resultsBucket;
  const prefix = normalPrefix(input.resultsPrefix);
  const keys = await listTestKeys(s3, bucket, prefix, input.testId, input.shards);
  const planWarnings: string[] = [];
  const target = await plannedTarget(s3, bucket, keys.summaries, planWarnings);
  const analyticsBucket = input.analyticsBucket ?? bucket;
  const assembled = await assembleReport({
    sources: s3Sources(s3, bucket, keys),
    options: {
      target,
      testId: input.testId,
      now,
      resultsUri: `s3://${bucket}/${prefix}`,
      metadataUri: input.metadataPrefix !== undefined ? `s3://${bucket}/${input.metadataPrefix}` : undefined,
      analyticsUri: input.analyticsPrefix !== undefined ? `s3://${analyticsBucket}/${input.analyticsPrefix}` : undefined,
      awsRegion: lambdaEnvValue(LAMBDA_RUNTIME_ENV, 'AWS_REGION', process.env),
      shardFiles: keys.files,
    },
    warnings: [...partialWarning(input), ...shardFileWarnings(bucket, prefix, keys.files, input.shards), ...planWarnings],
    cost: () => stepCostRequest({ tasks: input.tasks, startedMs, nowMs: Date.now(), bytesRead: keys.bytes }, process.env),
  });
  const keyOf: Record<string, string> = {
    'report.json': testKey('reportJson', { testId: input.testId }),
    'report.html': testKey('reportHtml', { testId: input.testId }),
    'junit.xml': testKey('reportJunit', { testId: input.testId }),
  };
  for (const [name, body] of Object.entries(assembled.files)) {
    if (!keyOf[name]) continue;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf[name], Body: body, ContentType: CONTENT_TYPES[name] }));
  }
  return assembled;
}

/** Runs the step; resolves with its output, or rejects with ReportFailedError when the (complete) run failed. */
export async function runReportStep(input: ReportStepInput, s3: S3Like, now: Date = new Date()): Promise<ReportStepOutput> {
  const { report, failures } = await buildReportStep(input, s3, now);
  const output: ReportStepOutput = {
    testId: input.testId,
    bucket: input.resultsBucket,
    reportJsonKey: testKey('reportJson', { testId: input.testId }),
    reportHtmlKey: testKey('reportHtml', { testId: input.testId }),
    junitKey: testKey('reportJunit', { testId: input.testId }),
    shards: report.shardFiles?.read.length ?? report.shards.length,
    requests: report.totals.requests,
    errorShare: report.totals.errorShare,
    throttledShare: report.totals.throttledShare,
    passed: failures.length === 0,
    failures,
    warnings: report.warnings,
    ...(report.cost?.actual && report.cost.prices
      ? {
          cost: {
            actualUsd: report.cost.actual.usd,
            estimateUsd: report.cost.estimate?.usd ?? null,
            region: report.cost.prices.region,
            pricesDate: report.cost.prices.date,
          },
        }
      : {}),
  };
  // The failure path (partial) already ends the execution failed; a complete run that failed ends it here.
  if (!output.passed && !input.partial) throw new ReportFailedError(output);
  return output;
}

let client: S3Client | undefined;

/** Lambda entry point. Bucket encryption (SSE-KMS by default on the archive buckets) applies to the uploads. */
export async function handler(input: ReportStepInput): Promise<ReportStepOutput> {
  client ??= new S3Client({});
  return runReportStep(input, client);
}
