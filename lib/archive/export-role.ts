import { Construct } from 'constructs';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { toPolicyJson, type PolicyStatement } from '../iam/policy';
import type { ArchiveBucket } from './archive-bucket';
import type { ArchiveKey, KeyUseAction } from './archive-key';
import { accountRootArn } from './resource-policy';
import { recordingsPrefix } from './refs';

/** Actions beyond the documented minimum that a deployment may have to allow (see docs/archive.md). */
export type ExportRoleExtraAction = 's3:PutObjectAcl' | 'kms:Decrypt';

export interface GenesysExportRoleProps {
  readonly roleName: string;
  /** The AWS account Genesys Cloud assumes roles from (765628985471, or 325654371633 for FedRAMP). */
  readonly genesysAccountId: string;
  /** The Genesys Cloud organization id: the role's `sts:ExternalId` and the recordings prefix. */
  readonly orgId: string;
  /** AWS partition of both accounts (a role cannot be assumed across partitions). */
  readonly partition: string;
  /** Region of the recordings bucket (scopes key use to S3 there). */
  readonly region: string;
  readonly recordings: ArchiveBucket;
  readonly key: ArchiveKey;
  /** [UNCONFIRMED] extras, off by default. */
  readonly extraActions?: readonly ExportRoleExtraAction[];
}

/**
 * The IAM role Genesys Cloud assumes to export recordings into the recordings bucket. Trusts the
 * Genesys account only with the org id as external id (so another Genesys org cannot make
 * Genesys write here), and may only put objects under `<orgId>/`, read the two bucket settings
 * the exporter checks, and encrypt with the archive key through S3. Nothing else.
 */
export class GenesysExportRole extends Construct {
  readonly role: IamRole;
  readonly statements: readonly PolicyStatement[];

  constructor(scope: Construct, id: string, props: GenesysExportRoleProps) {
    super(scope, id);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(props.orgId)) {
      throw new Error(`orgId must be the Genesys Cloud organization UUID (got ${JSON.stringify(props.orgId)})`);
    }
    if (!/^\d{12}$/.test(props.genesysAccountId)) {
      throw new Error(`genesysAccountId must be a 12-digit AWS account id (got ${JSON.stringify(props.genesysAccountId)})`);
    }
    const extras = new Set(props.extraActions ?? []);
    const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${props.region}.amazonaws.com` } };
    const keyActions: KeyUseAction[] = [
      'kms:GenerateDataKey',
      'kms:Encrypt',
      ...(extras.has('kms:Decrypt') ? (['kms:Decrypt'] as const) : []),
    ];

    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      description: `Genesys Cloud org ${props.orgId} exports recordings into the archive`,
      maxSessionDuration: 3600,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'GenesysCloudAssumesWithOrgId',
            Effect: 'Allow',
            Principal: { AWS: accountRootArn(props.partition, props.genesysAccountId) },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': props.orgId } },
          },
        ],
      }),
    });

    this.statements = [
      {
        sid: 'PutRecordingsUnderOrgPrefix',
        actions: ['s3:PutObject', ...(extras.has('s3:PutObjectAcl') ? ['s3:PutObjectAcl'] : [])],
        resources: [`${props.recordings.arn}/${recordingsPrefix(props.orgId)}*`],
      },
      {
        sid: 'ReadRecordingsBucketSettings',
        actions: ['s3:GetBucketLocation', 's3:GetEncryptionConfiguration'],
        resources: [props.recordings.arn],
      },
      { sid: 'EncryptRecordings', actions: keyActions, resources: [props.key.keyArn], conditions: viaS3 },
    ];
    new IamRolePolicy(this, 'policy', { name: 'genesys-recording-export', role: this.role.id, policy: toPolicyJson(this.statements) });

    // Named in the key policy too, limited to S3 writing this bucket (the encryption context of a
    // bucket-key object is the bucket ARN; without a bucket key, the object ARN).
    props.key.addUser({
      sid: 'GenesysExportEncryptsRecordings',
      principalArn: this.role.arn,
      actions: keyActions,
      conditions: {
        ...viaS3,
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [props.recordings.arn, `${props.recordings.arn}/*`] },
      },
    });
  }

  get roleArn(): string {
    return this.role.arn;
  }
}
