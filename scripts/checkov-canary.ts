/**
 * The negative control of scripts/scan-iac.sh: synthesizes one stack holding a construct broken the
 * way each retired hand-written rule (lib/policy/retired.ts) used to catch, runs checkov over it
 * with only the checks that replace those rules, and fails unless every one of them fails. So a
 * checkov upgrade or a config change that stops catching these is noticed. Then, with the
 * repository's own .checkov.yaml (its baseline included), it proves that the one accepted
 * CKV_AWS_145 finding is scoped to the archive's access-log bucket: a new SSE-S3 bucket fails.
 * Usage: node --import tsx scripts/checkov-canary.ts <checkov> <outdir>
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { Construct as Scope } from 'constructs';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { RETIRED_RULES } from '../lib/policy/retired';
import { serviceTrustPolicy } from '../lib/iam/policy';

/** One broken construct per retired rule. */
const BROKEN: Record<string, (scope: Construct) => void> = {
  'S3-001': (s) => {
    new S3Bucket(s, 'no-public-access-block', { bucket: 'canary-no-pab' });
    const weak = new S3Bucket(s, 'weak-public-access-block', { bucket: 'canary-weak-pab' });
    new S3BucketPublicAccessBlock(s, 'weak-pab', {
      bucket: weak.id,
      blockPublicAcls: false,
      blockPublicPolicy: false,
      ignorePublicAcls: false,
      restrictPublicBuckets: false,
    });
  },
  'S3-003': (s) => {
    const bucket = new S3Bucket(s, 'suspended-versioning', { bucket: 'canary-versioning' });
    new S3BucketVersioningA(s, 'suspended', { bucket: bucket.id, versioningConfiguration: { status: 'Suspended' } });
  },
  'S3-005': (s) => {
    const bucket = new S3Bucket(s, 'acls-on', { bucket: 'canary-acls' });
    new S3BucketOwnershipControls(s, 'object-writer', { bucket: bucket.id, rule: { objectOwnership: 'ObjectWriter' } });
  },
  // Every bucket above has no lifecycle configuration.
  'S3-006': (s) => void new S3Bucket(s, 'no-lifecycle', { bucket: 'canary-lifecycle' }),
  'KMS-001': (s) => void new KmsKey(s, 'no-rotation', { description: 'canary' }),
  'SQS-001': (s) => void new SqsQueue(s, 'unencrypted', { name: 'canary', sqsManagedSseEnabled: false }),
  'LAMBDA-001': (s) => {
    const role = new IamRole(s, 'fn-role', { name: 'canary', assumeRolePolicy: serviceTrustPolicy('lambda.amazonaws.com') });
    new LambdaFunction(s, 'unreserved', {
      functionName: 'canary',
      role: role.arn,
      runtime: 'nodejs24.x',
      handler: 'index.handler',
      filename: 'code.zip',
    });
  },
};

/** checkov's JSON report of `file` (exit 1 = some check failed, which is expected here). */
function runCheckov(
  checkov: string,
  args: string[],
  cwd: string,
): { failed: { check_id: string; resource: string }[]; skipped: { check_id: string; resource: string }[] } {
  let out: string;
  try {
    out = execFileSync(checkov, [...args, '--skip-download', '--quiet', '-o', 'json'], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { status?: number; stdout?: string; message: string };
    if (e.status !== 1 || !e.stdout) throw new Error(`checkov did not run: ${e.message}`);
    out = e.stdout;
  }
  const report = JSON.parse(out) as {
    results?: { failed_checks?: { check_id: string; resource: string }[]; skipped_checks?: { check_id: string; resource: string }[] };
  };
  return { failed: report.results?.failed_checks ?? [], skipped: report.results?.skipped_checks ?? [] };
}

const sseS3Bucket = (scope: Scope, id: string, name: string): S3Bucket => {
  const bucket = new S3Bucket(scope, id, { bucket: name });
  new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-sse`, {
    bucket: bucket.id,
    rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
  });
  return bucket;
};

/** The CKV_AWS_145 finding accepted in the baseline belongs to the access-log bucket's address only. */
function baselineIsScoped(checkov: string, outdir: string): string | undefined {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'canary-kms');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  // The archive's construct path (archive/access-logs/bucket), hence the address the baseline names.
  const accessLogs = sseS3Bucket(new Scope(new Scope(stack, 'archive'), 'access-logs'), 'bucket', 'canary-access-logs');
  const added = sseS3Bucket(stack, 'new-sse-s3-bucket', 'canary-new-sse-s3');
  app.synth();
  const file = path.join(outdir, 'stacks', 'canary-kms', 'cdk.tf.json');
  const repo = path.resolve(__dirname, '..');
  const { failed } = runCheckov(checkov, ['--config-file', path.join(repo, '.checkov.yaml'), '--check', 'CKV_AWS_145', '-f', file], repo);
  const address = (b: S3Bucket) => `aws_s3_bucket.${stack.getLogicalId(b)}`;
  const failedFor = (b: S3Bucket) => failed.some((c) => c.check_id === 'CKV_AWS_145' && c.resource === address(b));
  if (!failedFor(added))
    return `a new SSE-S3 bucket (${address(added)}) passes CKV_AWS_145 with .checkov.yaml: the skip is no longer scoped`;
  // Built exactly like `added`, so only the baseline can keep it from failing.
  if (failedFor(accessLogs))
    return `the access-log bucket (${address(accessLogs)}) is not the baseline's accepted finding: update scanners/checkov-baseline.json`;
  return undefined;
}

function main(): number {
  const [checkovArg, outdirArg] = process.argv.slice(2);
  if (!checkovArg || !outdirArg) throw new Error('usage: checkov-canary.ts <checkov> <outdir>');
  const checkov = path.resolve(checkovArg);
  const outdir = path.resolve(outdirArg);
  const missing = RETIRED_RULES.filter((r) => !BROKEN[r.id]).map((r) => r.id);
  if (missing.length) throw new Error(`no broken construct for retired rule(s) ${missing.join(', ')}`);

  mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'canary');
  new AwsProvider(stack, 'aws', { region: 'us-east-1' });
  for (const r of RETIRED_RULES) BROKEN[r.id](stack);
  app.synth();
  const file = path.join(outdir, 'stacks', 'canary', 'cdk.tf.json');

  const checks = [...new Set(RETIRED_RULES.flatMap((r) => r.checkov))];
  // Run outside the repository so .checkov.yaml (and its skips) does not apply.
  const report = runCheckov(checkov, ['--framework', 'terraform_json', '--check', checks.join(','), '-f', file], outdir);
  const failed = new Set(report.failed.map((c) => c.check_id));
  const notCaught = RETIRED_RULES.flatMap((r) => r.checkov.filter((c) => !failed.has(c)).map((c) => `${r.id} -> ${c}`));
  if (notCaught.length) {
    console.error(`error: checkov no longer catches what these retired rules caught: ${notCaught.join(', ')}`);
    console.error('fix: bring the rule back into lib/policy/rules.ts, or map it to the checkov check that now covers it');
    return 1;
  }
  console.log(
    `checkov canary: ${checks.length} checks fail on the broken constructs of ${RETIRED_RULES.map((r) => r.id).join(', ')}, as they must`,
  );
  const unscoped = baselineIsScoped(checkov, path.join(outdir, 'kms'));
  if (unscoped) {
    console.error(`error: ${unscoped}`);
    return 1;
  }
  console.log('checkov canary: a new bucket without KMS fails CKV_AWS_145; only the access-log bucket is accepted (baseline)');
  return 0;
}

process.exitCode = main();
