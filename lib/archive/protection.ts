/**
 * What keeps the archive intact against API calls, not only against Terraform (`prevent_destroy`):
 * deny statements for the bucket policies and the key policy. Every deny applies to every
 * principal of every account except, when one is named, the break-glass role (config
 * `archive.breakGlassRoleArn`); the account root can still delete a bucket policy (S3 always lets
 * it), which is the way back when no break-glass role is named. docs/archive.md explains the
 * consequences for Terraform.
 */
import { oneOrList } from '../iam/policy';
import type { ResourcePolicyStatement } from './resource-policy';

/** Bucket actions that would let history or protection be removed: version deletion and every protecting configuration. */
export const PROTECTED_BUCKET_ACTIONS = [
  's3:DeleteObjectVersion',
  's3:BypassGovernanceRetention',
  // These two also authorize DeleteBucketLifecycle and DeleteBucketEncryption.
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketPolicy',
  's3:DeleteBucketPolicy',
  's3:PutBucketObjectLockConfiguration',
  's3:PutEncryptionConfiguration',
] as const;

/** Key actions that would make the archive unreadable, or the key policy rewritable. */
export const PROTECTED_KEY_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:PutKeyPolicy'] as const;

/** Key actions that reveal plaintext: only the workload and reader roles (and break-glass) may call them. */
export const DECRYPT_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'] as const;

/** The SSE condition keys S3 puts carry when a client asks for an encryption of its own. */
export const SSE_HEADER = 's3:x-amz-server-side-encryption';
export const SSE_KEY_HEADER = 's3:x-amz-server-side-encryption-aws-kms-key-id';

/** `ArnNotLike aws:PrincipalArn <allowed>`: the deny skips these principals; none listed, it applies to all. */
function unless(allowed: readonly (string | undefined)[]): Pick<ResourcePolicyStatement, 'conditions'> {
  const arns = allowed.filter((a): a is string => a !== undefined && a !== '');
  return arns.length > 0 ? { conditions: { ArnNotLike: { 'aws:PrincipalArn': oneOrList(arns) } } } : {};
}

export interface BucketProtection {
  readonly bucketArn: string;
  /** The bucket's SSE-KMS key: puts asking for another key, or for another encryption, are refused. Absent: SSE-S3 bucket. */
  readonly keyArn?: string;
  readonly breakGlassRoleArn?: string;
}

/** Deny statements every archive bucket policy carries (see PROTECTED_BUCKET_ACTIONS). */
export function bucketProtectionStatements(p: BucketProtection): ResourcePolicyStatement[] {
  const everything = [p.bucketArn, `${p.bucketArn}/*`];
  const statements: ResourcePolicyStatement[] = [
    {
      sid: 'DenyHistoryAndProtectionChanges',
      effect: 'Deny',
      principal: '*',
      actions: PROTECTED_BUCKET_ACTIONS,
      resources: everything,
      ...unless([p.breakGlassRoleArn]),
    },
  ];
  if (p.keyArn) {
    // A put without encryption headers gets the bucket default (this key); one that asks for
    // anything else is refused, break-glass included: no reason ever to write with another key.
    statements.push(
      {
        sid: 'DenyPutWithoutSseKms',
        effect: 'Deny',
        principal: '*',
        actions: ['s3:PutObject'],
        resources: [`${p.bucketArn}/*`],
        conditions: { StringNotEqualsIfExists: { [SSE_HEADER]: 'aws:kms' } },
      },
      {
        sid: 'DenyPutWithAnotherKey',
        effect: 'Deny',
        principal: '*',
        actions: ['s3:PutObject'],
        resources: [`${p.bucketArn}/*`],
        conditions: { StringNotEqualsIfExists: { [SSE_KEY_HEADER]: p.keyArn } },
      },
    );
  }
  return statements;
}

export interface KeyProtection {
  readonly breakGlassRoleArn?: string;
  /** Principal ARN patterns (`*` allowed) that may decrypt: workload roles, readers. */
  readonly decryptors: readonly string[];
}

/** Deny statements of the archive key policy (Resource "*" in a key policy is the key itself). */
export function keyProtectionStatements(p: KeyProtection): ResourcePolicyStatement[] {
  return [
    {
      sid: 'DenyKeyDeletionAndPolicyChanges',
      effect: 'Deny',
      principal: '*',
      actions: PROTECTED_KEY_ACTIONS,
      resources: ['*'],
      ...unless([p.breakGlassRoleArn]),
    },
    {
      sid: 'DecryptOnlyByWorkloadAndReaders',
      effect: 'Deny',
      principal: '*',
      actions: DECRYPT_ACTIONS,
      resources: ['*'],
      ...unless([...p.decryptors, p.breakGlassRoleArn]),
    },
  ];
}

/**
 * Roles that read archived data through the key, by name in the archive's account: the JMeter
 * shard roles, the report step and the two pipeline workers of every environment using the
 * archive (`pr-*` environments share their base's, so names are matched, not referenced).
 * __tests__/archive/protection.test.ts proves every role granted kms:Decrypt on the archive key
 * matches one of these.
 */
export const WORKLOAD_ROLE_NAME_PATTERNS = [
  'loadlab-*-runner-*',
  'loadlab-*-report-step',
  'loadlab-*-metadata-worker',
  'loadlab-*-report-jobs',
];

export const workloadRoleArnPatterns = (partition: string, accountId: string): string[] =>
  WORKLOAD_ROLE_NAME_PATTERNS.map((name) => `arn:${partition}:iam::${accountId}:role/${name}`);
