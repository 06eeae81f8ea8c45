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
  /** Analytics conversation details job output. */
  readonly reports: BucketRef;
  /** The IAM role Genesys Cloud assumes to export recordings. */
  readonly exportRoleArn: string;
}

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
    reportsBucket: `${base}-reports-${accountId}`,
    accessLogsBucket: `${base}-access-logs-${accountId}`,
    exportRole: `${base}-genesys-recording-export`,
  } as const;
}
