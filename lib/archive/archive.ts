import { Construct } from 'constructs';
import { ArchiveBucket, type ArchiveLifecycle, type ColdStorageClass, type ObjectLockSettings } from './archive-bucket';
import { ArchiveKey } from './archive-key';
import { GenesysExportRole, type ExportRoleExtraAction } from './export-role';
import { workloadRoleArnPatterns } from './protection';
import { archiveNames, type ArchiveRefs } from './refs';
import { awsPartitionOf } from '../config/regions';

export interface ArchiveProps {
  /** The environment that owns the archive (names are `loadlab-<ownerEnv>-…`). */
  readonly ownerEnv: string;
  readonly accountId: string;
  readonly region: string;
  readonly genesysOrgId: string;
  /** The AWS account Genesys Cloud assumes roles from. */
  readonly genesysAccountId: string;
  readonly transitionToInfrequentAccessDays: number;
  readonly transitionToColdDays: number;
  readonly coldStorageClass: ColdStorageClass;
  /** Days a replaced or deleted version of a data bucket is kept. Default: for ever. */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days server access logs are kept. */
  readonly accessLogRetentionDays: number;
  /** Object Lock default retention for the recordings bucket. Default: none. */
  readonly recordingsObjectLock?: ObjectLockSettings;
  readonly exportRoleExtraActions?: readonly ExportRoleExtraAction[];
  /** The one role excepted from the buckets' and the key's denies. Default: none. */
  readonly breakGlassRoleArn?: string;
  /** Roles of people or tools that read archived data, besides the workload roles. Default: none. */
  readonly readerRoleArns?: readonly string[];
}

/**
 * An environment's durable archive: one KMS key, the recordings / results / analytics buckets
 * (SSE-KMS), the access-log bucket they log to, and the role Genesys Cloud exports with.
 */
export class Archive extends Construct {
  readonly key: ArchiveKey;
  readonly accessLogs: ArchiveBucket;
  /** Genesys export target: `<orgId>/year=/month=/day=/hour=/conversation_id=/`. */
  readonly recordings: ArchiveBucket;
  /** `metadata/` (archived recording metadata) and `results/<testId>/` (JMeter results). */
  readonly results: ArchiveBucket;
  /** `analytics/` (analytics conversation details job output). */
  readonly analytics: ArchiveBucket;
  readonly exportRole: GenesysExportRole;
  readonly refs: ArchiveRefs;

  constructor(scope: Construct, id: string, props: ArchiveProps) {
    super(scope, id);
    const names = archiveNames(props.ownerEnv, props.accountId);
    const partition = awsPartitionOf(props.region);
    const lifecycle: ArchiveLifecycle = {
      transitionToInfrequentAccessDays: props.transitionToInfrequentAccessDays,
      transitionToColdDays: props.transitionToColdDays,
      coldStorageClass: props.coldStorageClass,
      noncurrentVersionExpirationDays: props.noncurrentVersionExpirationDays,
    };

    this.key = new ArchiveKey(this, 'key', {
      aliasName: names.keyAlias,
      // Says "reports" as the bucket's physical name does: new words would update the durable key.
      description: `genesys-loadlab ${props.ownerEnv} archive: recordings, results and reports`,
      accountId: props.accountId,
      partition,
      breakGlassRoleArn: props.breakGlassRoleArn,
      decryptors: [...workloadRoleArnPatterns(partition, props.accountId), ...(props.readerRoleArns ?? [])],
    });
    this.accessLogs = new ArchiveBucket(this, 'access-logs', {
      bucketName: names.accessLogsBucket,
      label: 'AccessLogs',
      receivesAccessLogsFrom: { sourceAccountId: props.accountId },
      // Logs are never overwritten: their only old versions are the ones expiration leaves behind.
      lifecycle: { ...lifecycle, expirationDays: props.accessLogRetentionDays, noncurrentVersionExpirationDays: 1 },
      breakGlassRoleArn: props.breakGlassRoleArn,
    });
    const archiveBucket = (id: string, bucketName: string, label: string, objectLock?: ObjectLockSettings) =>
      new ArchiveBucket(this, id, {
        bucketName,
        label,
        encryptionKey: this.key,
        accessLogsTo: this.accessLogs,
        lifecycle,
        objectLock,
        breakGlassRoleArn: props.breakGlassRoleArn,
      });
    this.recordings = archiveBucket('recordings', names.recordingsBucket, 'Recordings', props.recordingsObjectLock);
    this.results = archiveBucket('results', names.resultsBucket, 'Results');
    // Construct id 'reports' (the bucket's first name) is part of every Terraform address of the
    // bucket and its settings; a new id would make Terraform replace a durable bucket.
    this.analytics = archiveBucket('reports', names.analyticsBucket, 'Analytics');

    this.exportRole = new GenesysExportRole(this, 'genesys-export', {
      roleName: names.exportRole,
      genesysAccountId: props.genesysAccountId,
      orgId: props.genesysOrgId,
      partition,
      region: props.region,
      recordings: this.recordings,
      key: this.key,
      extraActions: props.exportRoleExtraActions,
    });

    this.refs = {
      keyArn: this.key.keyArn,
      recordings: this.recordings.ref,
      results: this.results.ref,
      analytics: this.analytics.ref,
      exportRoleArn: this.exportRole.roleArn,
    };
  }
}
