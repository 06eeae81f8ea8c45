import { Token } from 'cdktf';
import type { IGrantable, PolicyStatement } from '../iam/policy';
import type { ArchiveBucketName, ArchiveRefs, BucketRef } from './refs';

/** A bucket to grant on: its reference, its KMS key (absent for SSE-S3) and a label for statement ids. */
export interface GrantTarget {
  readonly bucket: BucketRef;
  /** The bucket's SSE-KMS key; readers need kms:Decrypt, writers kms:GenerateDataKey. Absent: SSE-S3. */
  readonly keyArn?: string;
  /** Letters and digits naming the bucket in statement ids (`Results` → `ReadResultsMetadata`). */
  readonly label: string;
}

// The key may only be used through S3 by these grants; the region is the bucket's, unknown to the grantee's stack.
const VIA_S3 = { StringLike: { 'kms:ViaService': 's3.*.amazonaws.com' } } as const;

/**
 * Checks a key prefix: empty (the whole bucket) or ending with `/`, so `results/` never also
 * matches `results-old/`. Wildcards are refused: a prefix is literal. Unresolved tokens pass.
 */
export function checkPrefix(prefix: string): string {
  if (prefix === '' || Token.isUnresolved(prefix)) return prefix;
  if (prefix.startsWith('/'))
    throw new Error(`prefix must not start with "/" (got ${JSON.stringify(prefix)}): S3 keys have no leading slash`);
  if (!prefix.endsWith('/'))
    throw new Error(`prefix must end with "/" (got ${JSON.stringify(prefix)}); use ${JSON.stringify(`${prefix}/`)}`);
  if (/[*?]/.test(prefix)) throw new Error(`prefix must not contain * or ? (got ${JSON.stringify(prefix)}): grants are per literal prefix`);
  return prefix;
}

/** `ReadResults` + `Metadata` for `metadata/`; a token prefix becomes `Prefix` + a short stable suffix. */
function sid(verb: string, label: string, prefix: string): string {
  const cleanLabel = label.replace(/[^A-Za-z0-9]/g, '');
  if (!prefix) return `${verb}${cleanLabel}`;
  const words = prefix
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `${verb}${cleanLabel}${words.join('')}`.slice(0, 100);
}

/** Read objects under `prefix` (and list that prefix); decrypt through S3 when the bucket uses a key. */
export function grantBucketRead(grantee: IGrantable, target: GrantTarget, prefix = ''): void {
  checkPrefix(prefix);
  const id = sid('Read', target.label, prefix);
  const statements: PolicyStatement[] = [
    { sid: `${id}Objects`, actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [`${target.bucket.arn}/${prefix}*`] },
    {
      sid: `${id}List`,
      actions: ['s3:ListBucket'],
      resources: [target.bucket.arn],
      ...(prefix ? { conditions: { StringLike: { 's3:prefix': [`${prefix}*`] } } } : {}),
    },
  ];
  if (target.keyArn) statements.push({ sid: `${id}Decrypt`, actions: ['kms:Decrypt'], resources: [target.keyArn], conditions: VIA_S3 });
  statements.forEach((s) => grantee.addToPolicy(s));
}

/**
 * Write (never delete or overwrite history: the bucket is versioned) objects under `prefix`.
 * Multipart uploads to SSE-KMS need kms:Decrypt as well as kms:GenerateDataKey.
 */
export function grantBucketWrite(grantee: IGrantable, target: GrantTarget, prefix = ''): void {
  checkPrefix(prefix);
  const id = sid('Write', target.label, prefix);
  grantee.addToPolicy({
    sid: `${id}Objects`,
    actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    resources: [`${target.bucket.arn}/${prefix}*`],
  });
  if (target.keyArn) {
    grantee.addToPolicy({
      sid: `${id}Encrypt`,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [target.keyArn],
      conditions: VIA_S3,
    });
  }
}

/** Direct use of a key (e.g. encrypting a secret or a queue), not limited to S3. */
export function grantKeyEncryptDecrypt(grantee: IGrantable, keyArn: string, label = 'ArchiveKey'): void {
  grantee.addToPolicy({
    sid: `EncryptDecrypt${label.replace(/[^A-Za-z0-9]/g, '')}`,
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resources: [keyArn],
  });
}

const LABELS: Record<ArchiveBucketName, string> = { recordings: 'Recordings', results: 'Results', reports: 'Reports' };

/**
 * Grants on an archive known only by its refs (the usual case in the genesys and runners
 * stacks, and the only one for `pr-*` environments sharing a base archive):
 * `grantArchiveWrite(taskRole, archive, 'results', resultsPrefix(testId))`.
 */
export function grantArchiveRead(grantee: IGrantable, refs: ArchiveRefs, bucket: ArchiveBucketName, prefix = ''): void {
  grantBucketRead(grantee, { bucket: refs[bucket], keyArn: refs.keyArn, label: LABELS[bucket] }, prefix);
}

export function grantArchiveWrite(grantee: IGrantable, refs: ArchiveRefs, bucket: ArchiveBucketName, prefix = ''): void {
  grantBucketWrite(grantee, { bucket: refs[bucket], keyArn: refs.keyArn, label: LABELS[bucket] }, prefix);
}
