/**
 * The state machine's report step: after the shards (or after a failure, for a partial report)
 * it merges every JTL under `s3://<resultsBucket>/<resultsPrefix>` with the same code as
 * `npm run report`, and writes `report.json` and `report.html` next to them. The plan summary
 * `npm run loadtest` uploads (`plan/<scenario>.summary.json`) gives the planned rate.
 *
 * Input:  ReportStepInput (lib/contracts/report-step.ts), which the state machine's Report task builds
 * Output: { testId, bucket, reportJsonKey, reportHtmlKey, shards, requests, ... }
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import {
  ReportBuilder,
  readJtl,
  renderHtml,
  RESULT_FILE,
  shardName,
  targetFromPlanSummary,
  type ReportTarget,
} from '../../loadtest/report';
import { LAMBDA_RUNTIME_ENV, lambdaEnvValue } from '../../lib/contracts/lambda-env';
import type { ReportStepInput } from '../../lib/contracts/report-step';

export interface ReportStepOutput {
  readonly testId: string;
  readonly bucket: string;
  readonly reportJsonKey: string;
  readonly reportHtmlKey: string;
  readonly shards: number;
  readonly requests: number;
  readonly errorShare: number;
  readonly throttledShare: number;
  readonly warnings: readonly string[];
}

/** The S3 calls the step makes; an S3Client fits, and tests pass a fake. */
export interface S3Like {
  send(command: ListObjectsV2Command | GetObjectCommand | PutObjectCommand): Promise<unknown>;
}

export class ReportStepInputError extends Error {}

const SAFE = /^[A-Za-z0-9!_.*'()\-/=]*$/;

function validate(input: ReportStepInput): void {
  const problems: string[] = [];
  if (!input || typeof input !== 'object')
    throw new ReportStepInputError('input must be an object { testId, resultsBucket, resultsPrefix }');
  if (typeof input.testId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(input.testId)) {
    problems.push('testId must be 1-128 letters, digits, ".", "_" or "-"');
  }
  if (typeof input.resultsBucket !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(input.resultsBucket)) {
    problems.push('resultsBucket must be an S3 bucket name');
  }
  if (typeof input.resultsPrefix !== 'string' || !SAFE.test(input.resultsPrefix)) problems.push('resultsPrefix must be an S3 key prefix');
  for (const key of ['metadataPrefix', 'analyticsPrefix'] as const) {
    const v = input[key];
    if (v !== undefined && (typeof v !== 'string' || !SAFE.test(v))) problems.push(`${key} must be an S3 key prefix`);
  }
  if (input.reportsBucket !== undefined && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(input.reportsBucket)) {
    problems.push('reportsBucket must be an S3 bucket name');
  }
  if (problems.length > 0) throw new ReportStepInputError(`report step input: ${problems.join('; ')}`);
}

const PLAN_SUMMARY = /\/plan\/[^/]+\.summary\.json$/;

/** Result files under the prefix, and the plan summaries beside the plan. */
async function listTestKeys(s3: S3Like, bucket: string, prefix: string): Promise<{ results: string[]; summaries: string[] }> {
  const keys: string[] = [];
  const summaries: string[] = [];
  let token: string | undefined;
  do {
    const page = (await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }))) as {
      Contents?: { Key?: string }[];
      IsTruncated?: boolean;
      NextContinuationToken?: string;
    };
    for (const o of page.Contents ?? []) {
      if (o.Key && RESULT_FILE.test(o.Key)) keys.push(o.Key);
      else if (o.Key && PLAN_SUMMARY.test(o.Key)) summaries.push(o.Key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { results: keys.sort(), summaries: summaries.sort() };
}

/** The planned rate from the one plan summary of the test; a missing or unreadable one is only a warning. */
async function plannedTarget(s3: S3Like, bucket: string, summaries: string[], warnings: string[]): Promise<ReportTarget | undefined> {
  if (summaries.length !== 1) {
    if (summaries.length > 1) warnings.push(`${summaries.length} plan summaries under the test; the planned rate is not drawn`);
    return undefined;
  }
  const key = summaries[0];
  try {
    const object = (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))) as { Body?: AsyncIterable<Uint8Array | string> };
    if (!object.Body) throw new Error('no body');
    let text = '';
    for await (const chunk of object.Body) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return targetFromPlanSummary(JSON.parse(text), key.split('/').pop()!);
  } catch (err) {
    warnings.push(`plan summary s3://${bucket}/${key} not used: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** Runs the step with an injected S3 client (tests) or the default one (Lambda). */
export async function runReportStep(input: ReportStepInput, s3: S3Like, now: Date = new Date()): Promise<ReportStepOutput> {
  validate(input);
  const prefix = input.resultsPrefix === '' || input.resultsPrefix.endsWith('/') ? input.resultsPrefix : `${input.resultsPrefix}/`;
  const { results: keys, summaries } = await listTestKeys(s3, input.resultsBucket, prefix);
  const builder = new ReportBuilder();
  for (const key of keys) {
    const name = shardName(key);
    const object = (await s3.send(new GetObjectCommand({ Bucket: input.resultsBucket, Key: key }))) as {
      Body?: Readable | AsyncIterable<Uint8Array>;
    };
    if (!object.Body) throw new Error(`s3://${input.resultsBucket}/${key} has no body`);
    // Streamed: a shard's JTL is never held whole in memory.
    const skipped = await readJtl(object.Body, key, builder.shard(name));
    builder.setSkipped(name, skipped);
  }
  const reportsBucket = input.reportsBucket ?? input.resultsBucket;
  const planWarnings: string[] = [];
  const target = await plannedTarget(s3, input.resultsBucket, summaries, planWarnings);
  const report = builder.build({
    target,
    testId: input.testId,
    now,
    resultsUri: `s3://${input.resultsBucket}/${prefix}`,
    metadataUri: input.metadataPrefix !== undefined ? `s3://${input.resultsBucket}/${input.metadataPrefix}` : undefined,
    analyticsUri: input.analyticsPrefix !== undefined ? `s3://${reportsBucket}/${input.analyticsPrefix}` : undefined,
    awsRegion: lambdaEnvValue(LAMBDA_RUNTIME_ENV, 'AWS_REGION', process.env),
  });
  const warnings: string[] = [];
  if (input.partial) {
    const cause = input.error === undefined ? '' : `: ${typeof input.error === 'string' ? input.error : JSON.stringify(input.error)}`;
    warnings.push(`partial report: the test failed or was stopped before the end${cause.slice(0, 500)}`);
  }
  if (keys.length === 0) warnings.push(`no result files under s3://${input.resultsBucket}/${prefix}: no shard uploaded results`);
  else if (typeof input.shards === 'number' && keys.length < input.shards) {
    warnings.push(`only ${keys.length} of ${input.shards} shards uploaded results`);
  }
  warnings.push(...planWarnings, ...report.warnings);
  const reportJsonKey = `${prefix}report.json`;
  const reportHtmlKey = `${prefix}report.html`;
  await s3.send(
    new PutObjectCommand({
      Bucket: input.resultsBucket,
      Key: reportJsonKey,
      Body: JSON.stringify({ ...report, warnings }, null, 2),
      ContentType: 'application/json',
    }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: input.resultsBucket,
      Key: reportHtmlKey,
      Body: renderHtml({ ...report, warnings }),
      ContentType: 'text/html; charset=utf-8',
    }),
  );
  return {
    testId: input.testId,
    bucket: input.resultsBucket,
    reportJsonKey,
    reportHtmlKey,
    shards: keys.length,
    requests: report.totals.requests,
    errorShare: report.totals.errorShare,
    throttledShare: report.totals.throttledShare,
    warnings,
  };
}

let client: S3Client | undefined;

/** Lambda entry point. Bucket encryption (SSE-KMS by default on the archive buckets) applies to the uploads. */
export async function handler(input: ReportStepInput): Promise<ReportStepOutput> {
  client ??= new S3Client({});
  return runReportStep(input, client);
}
