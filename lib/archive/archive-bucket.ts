import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import {
  S3BucketLifecycleConfiguration,
  type S3BucketLifecycleConfigurationRule,
} from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketLoggingA } from '@cdktf/provider-aws/lib/s3-bucket-logging';
import { S3BucketObjectLockConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-object-lock-configuration';
import type { IGrantable } from '../iam/policy';
import { grantBucketRead, grantBucketWrite } from './grants';
import { bucketProtectionStatements } from './protection';
import type { BucketRef } from './refs';
import { toResourcePolicyJson, type ResourcePolicyStatement } from './resource-policy';

export type ColdStorageClass = 'GLACIER_IR' | 'GLACIER' | 'DEEP_ARCHIVE';

export interface ArchiveLifecycle {
  /** Days after which current objects move to Standard-IA (>= 30, an S3 minimum). */
  readonly transitionToInfrequentAccessDays: number;
  /** Days after which current objects move to `coldStorageClass` (>= IA days + 30, an S3 rule). */
  readonly transitionToColdDays: number;
  readonly coldStorageClass: ColdStorageClass;
  /**
   * Days a replaced or deleted version is kept before it expires. Default: kept for ever. With
   * Object Lock it must be at least the retention, or the rule would promise a purge S3 refuses.
   */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days after which current objects expire. Default: never (archives keep data). */
  readonly expirationDays?: number;
}

export interface ObjectLockSettings {
  /** GOVERNANCE: users with s3:BypassGovernanceRetention may still delete; COMPLIANCE: nobody can, not even root. */
  readonly mode: 'GOVERNANCE' | 'COMPLIANCE';
  readonly retentionDays: number;
}

/** The key a bucket is encrypted with. */
export interface EncryptionKey {
  readonly keyArn: string;
}

export interface ArchiveBucketProps {
  /** Globally unique bucket name (3-63 lower-case letters, digits, `-`). */
  readonly bucketName: string;
  /** Letters and digits naming the bucket in policy statement ids (e.g. `Results`). */
  readonly label: string;
  /** SSE-KMS with this key and an S3 bucket key. Required unless `receivesAccessLogsFrom` is set. */
  readonly encryptionKey?: EncryptionKey;
  /** Where this bucket's server access logs go. Required unless this is the access-log bucket. */
  readonly accessLogsTo?: ArchiveBucket;
  /**
   * Makes this the access-log bucket of the account `sourceAccountId`: the S3 logging service may
   * write here, and encryption is SSE-S3 because S3 server access logging cannot deliver to a
   * bucket whose default encryption is SSE-KMS.
   */
  readonly receivesAccessLogsFrom?: { readonly sourceAccountId: string };
  readonly lifecycle: ArchiveLifecycle;
  /** S3 Object Lock default retention. Default: no object lock. It cannot be turned off again once on. */
  readonly objectLock?: ObjectLockSettings;
  /**
   * The one role the bucket policy's denies (version deletion, configuration changes, governance
   * bypass) do not apply to. Default: none, so only the account root can lift them (by deleting
   * the bucket policy, which S3 always lets the root do).
   */
  readonly breakGlassRoleArn?: string;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * An S3 bucket for data that must outlive every test environment, secure by default: all four
 * public-access blocks, ACLs disabled (BucketOwnerEnforced), versioning, SSE-KMS with a bucket
 * key, a bucket policy that refuses plain HTTP and TLS < 1.2, version deletion, changes to the
 * protecting configuration and puts with another key (lib/archive/protection.ts), lifecycle
 * tiering, server access logging, and `prevent_destroy` with `force_destroy = false` so neither
 * Terraform nor a stray `destroy` can delete it. Access is granted with `grantRead` / `grantWrite`.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly label: string;
  readonly keyArn?: string;
  readonly isAccessLogBucket: boolean;
  private readonly logSources: ArchiveBucket[] = [];
  private readonly extraStatements: ResourcePolicyStatement[] = [];
  private readonly sourceAccountId?: string;
  private readonly bucketName: string;
  private readonly breakGlassRoleArn?: string;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    validate(props);
    this.label = props.label;
    this.bucketName = props.bucketName;
    this.keyArn = props.encryptionKey?.keyArn;
    this.isAccessLogBucket = props.receivesAccessLogsFrom !== undefined;
    this.sourceAccountId = props.receivesAccessLogsFrom?.sourceAccountId;
    this.breakGlassRoleArn = props.breakGlassRoleArn;

    this.bucket = new S3Bucket(this, 'bucket', {
      bucket: props.bucketName,
      forceDestroy: false,
      // Object Lock is switched on by the lock configuration below, not here: setting it on the
      // bucket would force a replacement when it is enabled later, which prevent_destroy refuses.
      lifecycle: { preventDestroy: true },
    });
    const bucket = this.bucket.id;

    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    const versioning = new S3BucketVersioningA(this, 'versioning', { bucket, versioningConfiguration: { status: 'Enabled' } });
    const encryption = new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      bucket,
      rule: [
        props.encryptionKey
          ? {
              // The bucket key cuts KMS requests (and their cost and throttling) by caching a data key per bucket.
              applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: props.encryptionKey.keyArn },
              bucketKeyEnabled: true,
            }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
      ],
    });
    const lifecycle = new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      bucket,
      // Small objects (logs, metadata JSON) stay put: Standard-IA and Glacier bill at least 128 KB per object.
      transitionDefaultMinimumObjectSize: 'all_storage_classes_128K',
      rule: lifecycleRules(props.lifecycle),
      dependsOn: [versioning],
    });
    if (props.accessLogsTo) {
      props.accessLogsTo.allowAccessLogsFrom(this);
      new S3BucketLoggingA(this, 'access-logs', {
        bucket,
        targetBucket: props.accessLogsTo.name,
        targetPrefix: this.logPrefix,
        // <prefix><account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/ — queryable by date with Athena partitions.
        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: 'EventTime' } },
      });
    }
    const objectLock = props.objectLock
      ? new S3BucketObjectLockConfigurationA(this, 'object-lock', {
          bucket,
          objectLockEnabled: 'Enabled',
          rule: { defaultRetention: { mode: props.objectLock.mode, days: props.objectLock.retentionDays } },
          // Object Lock needs versioning on first.
          dependsOn: [versioning],
        })
      : undefined;
    new S3BucketPolicy(this, 'policy', {
      bucket,
      policy: Lazy.stringValue({ produce: () => toResourcePolicyJson(this.policyStatements()) }),
      // Last: the policy denies changing the configurations below to everyone but break-glass,
      // so they must be in place first. Putting it before the public-access block can race with it.
      dependsOn: [publicAccess, versioning, encryption, lifecycle, ...(objectLock ? [objectLock] : [])],
    });
  }

  get name(): string {
    return this.bucket.id;
  }

  get arn(): string {
    return this.bucket.arn;
  }

  get ref(): BucketRef {
    return { name: this.name, arn: this.arn };
  }

  /** Read objects under `prefix` (default: the whole bucket), decrypting through S3. */
  grantRead(grantee: IGrantable, prefix = ''): void {
    grantBucketRead(grantee, { bucket: this.ref, keyArn: this.keyArn, label: this.label }, prefix);
  }

  /** Write objects under `prefix` (default: the whole bucket). Never delete: history is kept. */
  grantWrite(grantee: IGrantable, prefix = ''): void {
    grantBucketWrite(grantee, { bucket: this.ref, keyArn: this.keyArn, label: this.label }, prefix);
  }

  /** Adds a statement to the bucket policy (statements are rendered at synth). */
  addToResourcePolicy(statement: ResourcePolicyStatement): void {
    const anyone = statement.principal === '*' || (statement.principal.AWS ?? []).includes('*');
    if (statement.effect !== 'Deny' && anyone) {
      throw new Error(`${this.node.path}: an Allow statement for Principal "*" would make the bucket public; name the principals`);
    }
    this.extraStatements.push(statement);
  }

  /** Called by a bucket whose access logs come here. */
  allowAccessLogsFrom(source: ArchiveBucket): void {
    if (!this.isAccessLogBucket) {
      throw new Error(`${source.node.path}: accessLogsTo must be a bucket created with receivesAccessLogsFrom (${this.node.path} is not)`);
    }
    this.logSources.push(source);
  }

  private policyStatements(): ResourcePolicyStatement[] {
    const everything = [this.arn, `${this.arn}/*`];
    const statements: ResourcePolicyStatement[] = [
      {
        sid: 'DenyInsecureTransport',
        effect: 'Deny',
        principal: '*',
        // A deny on every action: no request over plain HTTP, whatever it is.
        actions: ['s3:*'],
        resources: everything,
        conditions: { Bool: { 'aws:SecureTransport': 'false' } },
      },
      {
        sid: 'DenyOutdatedTls',
        effect: 'Deny',
        principal: '*',
        actions: ['s3:*'],
        resources: everything,
        conditions: { NumericLessThan: { 's3:TlsVersion': '1.2' } },
      },
    ];
    if (this.isAccessLogBucket && this.logSources.length > 0) {
      statements.push({
        sid: 'AllowServerAccessLogDelivery',
        principal: { Service: ['logging.s3.amazonaws.com'] },
        actions: ['s3:PutObject'],
        resources: this.logSources.map((s) => `${this.arn}/${s.logPrefix}*`),
        conditions: {
          ArnLike: { 'aws:SourceArn': this.logSources.map((s) => s.arn) },
          StringEquals: { 'aws:SourceAccount': this.sourceAccountId ?? '' },
        },
      });
    }
    const protection = bucketProtectionStatements({ bucketArn: this.arn, keyArn: this.keyArn, breakGlassRoleArn: this.breakGlassRoleArn });
    return [...statements, ...protection, ...this.extraStatements];
  }

  /** Key prefix of this bucket's logs in the access-log bucket. */
  get logPrefix(): string {
    return `${this.bucketName}/`;
  }
}

function lifecycleRules(l: ArchiveLifecycle): S3BucketLifecycleConfigurationRule[] {
  // Moving an object that expires first only costs a transition request (and a minimum-duration charge).
  const transitions = [
    { days: l.transitionToInfrequentAccessDays, storageClass: 'STANDARD_IA' },
    { days: l.transitionToColdDays, storageClass: l.coldStorageClass },
  ].filter((t) => l.expirationDays === undefined || t.days < l.expirationDays);
  return [
    {
      id: 'tier-and-expire-history',
      status: 'Enabled',
      // An empty prefix: every object in the bucket.
      filter: [{ prefix: '' }],
      ...(transitions.length > 0 ? { transition: transitions } : {}),
      ...(l.noncurrentVersionExpirationDays !== undefined
        ? { noncurrentVersionExpiration: [{ noncurrentDays: l.noncurrentVersionExpirationDays }] }
        : {}),
      abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      // With days, S3 also removes expired delete markers; without, ask for it explicitly.
      expiration: [l.expirationDays !== undefined ? { days: l.expirationDays } : { expiredObjectDeleteMarker: true }],
    },
  ];
}

function validate(p: ArchiveBucketProps): void {
  const problems: string[] = [];
  if (!BUCKET_NAME.test(p.bucketName)) {
    problems.push(
      `bucketName must be 3-63 lower-case letters, digits or -, starting and ending with a letter or digit (got ${JSON.stringify(p.bucketName)})`,
    );
  }
  if (!/^[A-Za-z0-9]+$/.test(p.label)) problems.push(`label must be letters and digits (got ${JSON.stringify(p.label)})`);
  if (p.receivesAccessLogsFrom) {
    if (p.accessLogsTo) problems.push('accessLogsTo must be unset on the access-log bucket: logging a log bucket into itself never ends');
    if (p.encryptionKey)
      problems.push('encryptionKey must be unset on the access-log bucket: S3 server access logs are delivered only to SSE-S3 buckets');
    if (p.objectLock)
      problems.push('objectLock must be unset on the access-log bucket: S3 delivers no server access logs to a locked bucket');
  } else {
    if (!p.encryptionKey) problems.push('encryptionKey is required: archive buckets are SSE-KMS (only the access-log bucket uses SSE-S3)');
    if (!p.accessLogsTo) problems.push('accessLogsTo is required: every archive bucket logs its access');
  }
  const l = p.lifecycle;
  if (!Number.isInteger(l.transitionToInfrequentAccessDays) || l.transitionToInfrequentAccessDays < 30) {
    problems.push(
      `lifecycle.transitionToInfrequentAccessDays must be an integer >= 30, the S3 minimum (got ${l.transitionToInfrequentAccessDays})`,
    );
  }
  if (!Number.isInteger(l.transitionToColdDays) || l.transitionToColdDays < l.transitionToInfrequentAccessDays + 30) {
    problems.push(
      `lifecycle.transitionToColdDays must be at least transitionToInfrequentAccessDays + 30 (${l.transitionToInfrequentAccessDays + 30}) (got ${l.transitionToColdDays})`,
    );
  }
  const noncurrent = l.noncurrentVersionExpirationDays;
  if (noncurrent !== undefined && (!Number.isInteger(noncurrent) || noncurrent < 1)) {
    problems.push(`lifecycle.noncurrentVersionExpirationDays must be an integer >= 1 (got ${noncurrent})`);
  }
  if (p.objectLock && noncurrent !== undefined && noncurrent < p.objectLock.retentionDays) {
    problems.push(
      `lifecycle.noncurrentVersionExpirationDays must be at least objectLock.retentionDays (${p.objectLock.retentionDays}): S3 keeps locked versions anyway (got ${noncurrent})`,
    );
  }
  if (l.expirationDays !== undefined && (!Number.isInteger(l.expirationDays) || l.expirationDays < 1)) {
    problems.push(`lifecycle.expirationDays must be an integer >= 1 (got ${l.expirationDays})`);
  }
  if (p.objectLock && (!Number.isInteger(p.objectLock.retentionDays) || p.objectLock.retentionDays < 1)) {
    problems.push(`objectLock.retentionDays must be an integer >= 1 (got ${p.objectLock.retentionDays})`);
  }
  if (problems.length > 0) throw new Error(`ArchiveBucket ${p.bucketName}: ${problems.join('; ')}`);
}
