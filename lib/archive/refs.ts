/** What the genesys and runners stacks need from an archive: names and ARNs, as Terraform references. */
export interface BucketRef {
  readonly name: string;
  readonly arn: string;
}

export interface ArchiveRefs {
  /** The customer-managed KMS key every archive bucket is encrypted with. */
  readonly keyArn: string;
  /** Genesys Cloud recording export target (`{orgId}/year=/month=/day=/hour=/conversation_id=/`). */
  readonly recordings: BucketRef;
  /** JMeter raw results, merged reports and archived recording metadata. */
  readonly results: BucketRef;
  /** Analytics conversation details job output (`analytics/`). */
  readonly analytics: BucketRef;
  /** The IAM role Genesys Cloud assumes to export recordings. */
  readonly exportRoleArn: string;
}

/** The archive buckets other stacks read and write (the access-log bucket is internal). */
export type ArchiveBucketName = 'recordings' | 'results' | 'analytics';

/**
 * Key layout inside the archive buckets. Prefixes end with `/` so a grant on one prefix never
 * matches a sibling that merely starts with the same letters.
 */
export const ARCHIVE_PREFIXES = {
  /** results bucket: recording metadata the metadata worker archives. */
  metadata: 'metadata/',
  /** results bucket: JMeter raw results and merged reports, one folder per test. */
  results: 'results/',
  /** analytics bucket: analytics conversation details job output. */
  analytics: 'analytics/',
} as const;

/** `results/<testId>/` in the results bucket. */
export function resultsPrefix(testId: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(testId)) {
    throw new Error(
      `testId must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit (got ${JSON.stringify(testId)})`,
    );
  }
  return `${ARCHIVE_PREFIXES.results}${testId}/`;
}

/** `<orgId>/` in the recordings bucket: Genesys Cloud writes every export below it. */
export const recordingsPrefix = (orgId: string): string => `${orgId}/`;

/**
 * Physical names of an environment's archive, derived from the owning environment's name and
 * account so a `pr-*` environment can find its base environment's archive without a reference.
 */
export function archiveNames(ownerEnv: string, accountId: string) {
  const base = `loadlab-${ownerEnv}`;
  return {
    keyAlias: `alias/${base}-archive`,
    recordingsBucket: `${base}-recordings-${accountId}`,
    resultsBucket: `${base}-results-${accountId}`,
    // The analytics bucket's physical name still says "reports" (its first name in code): S3 bucket
    // names cannot change, so a new name would replace the bucket and lose the archived job output.
    analyticsBucket: `${base}-reports-${accountId}`,
    accessLogsBucket: `${base}-access-logs-${accountId}`,
    exportRole: `${base}-genesys-recording-export`,
  } as const;
}
