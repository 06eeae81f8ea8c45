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

// The key may only be used through S3. The region is the bucket's, which the grantee's stack may
// not know; a KMS key is regional and S3 uses only keys of its own region, so a wildcard region
// allows no more than naming it. Every archive grant uses this one form.
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

/**
 * The objects a grant covers: a literal `prefix` (checked by `checkPrefix`) and, below it, key
 * patterns (`*` as in S3 ARNs) when only some keys are meant, e.g. this environment's tests'
 * plans: `{ prefix: 'results/', keys: ['example_*\/plan/*'], name: 'TestPlans' }`.
 */
export interface ObjectScope {
  /** Literal key prefix ending with `/`; '' (default) is the whole bucket. */
  readonly prefix?: string;
  /** Key patterns below the prefix. Default: every key (`*`). */
  readonly keys?: readonly string[];
  /** Words naming the scope in statement ids (letters and digits); default: the prefix's words. */
  readonly name?: string;
}

export interface ReadOptions {
  /** Also allow listing the scope (s3:ListBucket limited by s3:prefix). Default true. */
  readonly list?: boolean;
}

export interface WriteOptions {
  /** Also allow multipart uploads (abort, list parts). Default true; single PutObject writers turn it off. */
  readonly multipart?: boolean;
}

interface ResolvedScope {
  readonly patterns: string[];
  readonly id: (verb: string) => string;
}

function resolveScope(target: GrantTarget, scope: string | ObjectScope): ResolvedScope {
  const s: ObjectScope = typeof scope === 'string' ? { prefix: scope } : scope;
  const prefix = checkPrefix(s.prefix ?? '');
  const keys = s.keys ?? ['*'];
  if (keys.length === 0) throw new Error('an object scope needs at least one key pattern');
  for (const key of keys) {
    if (key === '' || key.startsWith('/'))
      throw new Error(`key pattern must be non-empty without a leading "/" (got ${JSON.stringify(key)})`);
  }
  return {
    patterns: keys.map((k) => `${prefix}${k}`),
    id: (verb) => sid(verb, target.label, s.name ?? prefix),
  };
}

/** Read objects in `scope` (and list it, unless `list: false`); decrypt through S3 when the bucket uses a key. */
export function grantBucketRead(
  grantee: IGrantable,
  target: GrantTarget,
  scope: string | ObjectScope = '',
  options: ReadOptions = {},
): void {
  const { patterns, id } = resolveScope(target, scope);
  const statements: PolicyStatement[] = [
    {
      sid: `${id('Read')}Objects`,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: patterns.map((p) => `${target.bucket.arn}/${p}`),
    },
  ];
  if (options.list ?? true) {
    const everything = patterns.length === 1 && patterns[0] === '*';
    statements.push({
      sid: `${id('Read')}List`,
      actions: ['s3:ListBucket'],
      resources: [target.bucket.arn],
      ...(everything ? {} : { conditions: { StringLike: { 's3:prefix': patterns } } }),
    });
  }
  if (target.keyArn)
    statements.push({ sid: `${id('Read')}Decrypt`, actions: ['kms:Decrypt'], resources: [target.keyArn], conditions: VIA_S3 });
  statements.forEach((s) => grantee.addToPolicy(s));
}

/**
 * Write (never delete or overwrite history: the bucket is versioned) objects in `scope`.
 * Multipart uploads to SSE-KMS need kms:Decrypt as well as kms:GenerateDataKey.
 */
export function grantBucketWrite(
  grantee: IGrantable,
  target: GrantTarget,
  scope: string | ObjectScope = '',
  options: WriteOptions = {},
): void {
  const { patterns, id } = resolveScope(target, scope);
  grantee.addToPolicy({
    sid: `${id('Write')}Objects`,
    actions: (options.multipart ?? true) ? ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'] : ['s3:PutObject'],
    resources: patterns.map((p) => `${target.bucket.arn}/${p}`),
  });
  if (target.keyArn) {
    grantee.addToPolicy({
      sid: `${id('Write')}Encrypt`,
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [target.keyArn],
      conditions: VIA_S3,
    });
  }
}

/**
 * Delete objects in `scope`: only for a worker's own bookkeeping (markers, job records), never
 * for data the archive keeps. The scope must name keys, not a whole prefix.
 */
export function grantBucketDelete(grantee: IGrantable, target: GrantTarget, scope: ObjectScope): void {
  if (!scope.keys || scope.keys.includes('*')) throw new Error('a delete grant must name key patterns (scope.keys), not a whole prefix');
  const { patterns, id } = resolveScope(target, scope);
  grantee.addToPolicy({ sid: id('Delete'), actions: ['s3:DeleteObject'], resources: patterns.map((p) => `${target.bucket.arn}/${p}`) });
}

/** Direct use of a key (e.g. encrypting a secret or a queue), not limited to S3. */
export function grantKeyEncryptDecrypt(grantee: IGrantable, keyArn: string, label = 'ArchiveKey'): void {
  grantee.addToPolicy({
    sid: `EncryptDecrypt${label.replace(/[^A-Za-z0-9]/g, '')}`,
    actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
    resources: [keyArn],
  });
}

const LABELS: Record<ArchiveBucketName, string> = { recordings: 'Recordings', results: 'Results', analytics: 'Analytics' };

/**
 * Grants on an archive known only by its refs (the usual case in the genesys and runners
 * stacks, and the only one for `pr-*` environments sharing a base archive):
 * `grantArchiveWrite(taskRole, archive, 'results', resultsPrefix(testId))`.
 */
export function grantArchiveRead(
  grantee: IGrantable,
  refs: ArchiveRefs,
  bucket: ArchiveBucketName,
  scope: string | ObjectScope = '',
  options?: ReadOptions,
): void {
  grantBucketRead(grantee, archiveTarget(refs, bucket), scope, options);
}

export function grantArchiveWrite(
  grantee: IGrantable,
  refs: ArchiveRefs,
  bucket: ArchiveBucketName,
  scope: string | ObjectScope = '',
  options?: WriteOptions,
): void {
  grantBucketWrite(grantee, archiveTarget(refs, bucket), scope, options);
}

export function grantArchiveDelete(grantee: IGrantable, refs: ArchiveRefs, bucket: ArchiveBucketName, scope: ObjectScope): void {
  grantBucketDelete(grantee, archiveTarget(refs, bucket), scope);
}

const archiveTarget = (refs: ArchiveRefs, bucket: ArchiveBucketName): GrantTarget => ({
  bucket: refs[bucket],
  keyArn: refs.keyArn,
  label: LABELS[bucket],
});
