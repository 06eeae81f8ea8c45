import type { SynthesizedStack } from '../helpers/env';

/**
 * Checks every `aws_s3_bucket` of a synthesized stack against the archive bucket rules, so a
 * bucket added later is covered without touching the tests. Returns one line per problem.
 */
export interface ExpectedLifecycle {
  readonly transitionToInfrequentAccessDays: number;
  readonly transitionToColdDays: number;
  readonly coldStorageClass: string;
  /** Days old versions of the data buckets are kept; undefined: for ever (no noncurrent expiration). */
  readonly noncurrentVersionExpirationDays?: number;
  /** The role the bucket policies' protecting deny excepts; undefined: nobody. */
  readonly breakGlassRoleArn?: string;
}

/** What an archive bucket policy must deny to everyone but break-glass (written out here, not imported). */
export const PROTECTED_ACTIONS = [
  's3:DeleteObjectVersion',
  's3:BypassGovernanceRetention',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketObjectLockConfiguration',
  's3:PutEncryptionConfiguration',
];

type Body = Record<string, any>;

const byType = (json: SynthesizedStack, type: string): [string, Body][] => Object.entries(json.resource?.[type] ?? {});

/** Sub-resources of a bucket: those whose `bucket` refers to it. */
const forBucket = (json: SynthesizedStack, type: string, name: string): Body[] =>
  byType(json, type)
    .filter(([, b]) => b.bucket === `\${aws_s3_bucket.${name}.id}` || b.bucket === `\${aws_s3_bucket.${name}.bucket}`)
    .map(([, b]) => b);

export function statementsOf(policy: string): Body[] {
  const doc = JSON.parse(policy);
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

export function archiveBucketProblems(json: SynthesizedStack, expected: ExpectedLifecycle): string[] {
  const problems: string[] = [];
  const buckets = byType(json, 'aws_s3_bucket');
  const logTargets = new Set(byType(json, 'aws_s3_bucket_logging').map(([, b]) => b.target_bucket as string));

  for (const [name, body] of buckets) {
    const p = (msg: string) => problems.push(`${name}: ${msg}`);
    const ref = `\${aws_s3_bucket.${name}.id}`;
    const arn = `\${aws_s3_bucket.${name}.arn}`;
    const isLogTarget = logTargets.has(ref);

    if (body.force_destroy !== false) p('force_destroy must be false');
    if (body.lifecycle?.prevent_destroy !== true) p('lifecycle.prevent_destroy must be true');
    if ('acl' in body) p('must not set an ACL');

    const pab = forBucket(json, 'aws_s3_bucket_public_access_block', name);
    const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
    if (pab.length !== 1 || !flags.every((f) => pab[0][f] === true)) p('needs one public access block with all four flags true');

    const own = forBucket(json, 'aws_s3_bucket_ownership_controls', name);
    if (own.length !== 1 || own[0].rule?.object_ownership !== 'BucketOwnerEnforced') p('ownership must be BucketOwnerEnforced');

    const ver = forBucket(json, 'aws_s3_bucket_versioning', name);
    if (ver.length !== 1 || ver[0].versioning_configuration?.status !== 'Enabled') p('versioning must be Enabled');

    const sse = forBucket(json, 'aws_s3_bucket_server_side_encryption_configuration', name);
    const rule = sse[0]?.rule?.[0];
    const byDefault = rule?.apply_server_side_encryption_by_default;
    if (sse.length !== 1 || !byDefault) p('needs default encryption');
    else if (isLogTarget) {
      // S3 server access logs can only be delivered to an SSE-S3 bucket.
      if (byDefault.sse_algorithm !== 'AES256') p('the access-log bucket must use SSE-S3 (AES256)');
    } else if (
      byDefault.sse_algorithm !== 'aws:kms' ||
      !/^\$\{(aws_kms_key\.[^.]+|data\.aws_kms_alias\.[^.]+\.target_key)\.arn\}$/.test(byDefault.kms_master_key_id ?? '') ||
      rule.bucket_key_enabled !== true
    ) {
      p('must be SSE-KMS with the customer-managed key and a bucket key');
    }

    const pol = forBucket(json, 'aws_s3_bucket_policy', name);
    const statements = pol.length === 1 ? statementsOf(pol[0].policy) : [];
    const tlsDeny = statements.find(
      (s) =>
        s.Effect === 'Deny' &&
        s.Principal === '*' &&
        list(s.Action).includes('s3:*') &&
        list(s.Resource).includes(arn) &&
        list(s.Resource).includes(`${arn}/*`) &&
        s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
    );
    if (!tlsDeny) p('bucket policy needs a TLS-only deny on the bucket and its objects');
    if (statements.some((s) => s.Effect !== 'Deny' && (s.Principal === '*' || list(s.Principal?.AWS).includes('*')))) {
      p('bucket policy must not allow Principal "*"');
    }
    const exceptBreakGlass = expected.breakGlassRoleArn ? { ArnNotLike: { 'aws:PrincipalArn': expected.breakGlassRoleArn } } : undefined;
    const protects = statements.some(
      (s) =>
        s.Effect === 'Deny' &&
        s.Principal === '*' &&
        PROTECTED_ACTIONS.every((a) => list(s.Action).includes(a)) &&
        list(s.Resource).includes(arn) &&
        list(s.Resource).includes(`${arn}/*`) &&
        JSON.stringify(s.Condition) === JSON.stringify(exceptBreakGlass),
    );
    if (!protects) p(`bucket policy must deny ${PROTECTED_ACTIONS.join(', ')} to all but ${expected.breakGlassRoleArn ?? 'nobody'}`);
    if (!isLogTarget) {
      const putDeny = (key: string, value: unknown) =>
        statements.some(
          (s) =>
            s.Effect === 'Deny' &&
            s.Principal === '*' &&
            list(s.Action).includes('s3:PutObject') &&
            list(s.Resource).includes(`${arn}/*`) &&
            JSON.stringify(s.Condition) === JSON.stringify({ StringNotEqualsIfExists: { [key]: value } }),
        );
      if (!putDeny('s3:x-amz-server-side-encryption', 'aws:kms')) p('bucket policy must deny puts asking for other than SSE-KMS');
      if (!putDeny('s3:x-amz-server-side-encryption-aws-kms-key-id', byDefault?.kms_master_key_id)) {
        p('bucket policy must deny puts naming another key than the default one');
      }
    }
    // The policy denies changing these, so it must come after them (first apply included).
    const configs = [
      'aws_s3_bucket_versioning',
      'aws_s3_bucket_server_side_encryption_configuration',
      'aws_s3_bucket_lifecycle_configuration',
    ];
    const lockedBy = byType(json, 'aws_s3_bucket_object_lock_configuration').filter(([, b]) => b.bucket === ref);
    const needed = [
      ...configs.flatMap((type) =>
        byType(json, type)
          .filter(([, b]) => b.bucket === ref)
          .map(([n]) => `${type}.${n}`),
      ),
      ...lockedBy.map(([n]) => `aws_s3_bucket_object_lock_configuration.${n}`),
    ];
    if (pol.length === 1 && !needed.every((d) => list(pol[0].depends_on).includes(d))) {
      p('bucket policy must depend on the versioning, encryption, lifecycle and object lock configurations');
    }

    const lc = forBucket(json, 'aws_s3_bucket_lifecycle_configuration', name);
    const rules: Body[] = lc[0]?.rule ?? [];
    const enabled = rules.filter((r) => r.status === 'Enabled');
    const expires = enabled.some((r) => list(r.expiration).some((e: any) => typeof e.days === 'number'));
    const transitions = enabled.flatMap((r) => list(r.transition) as Body[]);
    const hasTransition = (days: number, cls: string) => transitions.some((t) => t.days === days && t.storage_class === cls);
    if (lc.length !== 1) p('needs a lifecycle configuration');
    // A bucket whose objects expire (the access-log bucket) may skip transitions that come after expiry.
    if (!expires && !hasTransition(expected.transitionToInfrequentAccessDays, 'STANDARD_IA')) {
      p(`lifecycle must move objects to STANDARD_IA after ${expected.transitionToInfrequentAccessDays} days`);
    }
    if (!expires && !hasTransition(expected.transitionToColdDays, expected.coldStorageClass)) {
      p(`lifecycle must move objects to ${expected.coldStorageClass} after ${expected.transitionToColdDays} days`);
    }
    // Access logs are never overwritten: their only old versions are what expiration leaves, gone a day later.
    const noncurrentDays = isLogTarget ? 1 : expected.noncurrentVersionExpirationDays;
    const noncurrent = enabled.flatMap((r) => list(r.noncurrent_version_expiration).map((e: any) => e.noncurrent_days));
    if (noncurrentDays === undefined && noncurrent.length > 0)
      p(`lifecycle must keep noncurrent versions (found ${noncurrent.join(', ')} days)`);
    if (noncurrentDays !== undefined && (noncurrent.length !== 1 || noncurrent[0] !== noncurrentDays)) {
      p(`lifecycle must expire noncurrent versions after ${noncurrentDays} days`);
    }
    if (!enabled.some((r) => list(r.abort_incomplete_multipart_upload).some((a: any) => a.days_after_initiation === 7))) {
      p('lifecycle must abort incomplete multipart uploads after 7 days');
    }
    if (!enabled.every((r) => r.filter !== undefined)) p('lifecycle rules must have a filter');

    const logging = forBucket(json, 'aws_s3_bucket_logging', name);
    if (isLogTarget) {
      // Logging the log bucket into itself would write logs about logs forever.
      if (logging.length > 0) p('the access-log bucket must not log its own access');
    } else if (logging.length !== 1 || !logTargets.has(logging[0].target_bucket) || !logging[0].target_prefix) {
      p('needs server access logging to the access-log bucket');
    }
  }
  if (logTargets.size > 1) problems.push(`expected one access-log bucket, found ${logTargets.size}`);
  return problems;
}
