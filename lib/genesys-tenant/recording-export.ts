import { Construct } from 'constructs';
import { Integration } from '../../.gen/providers/genesyscloud/integration';
import { IntegrationCredential } from '../../.gen/providers/genesyscloud/integration-credential';
import {
  RecordingMediaRetentionPolicy,
  type RecordingMediaRetentionPolicyMediaPoliciesCallPolicyActions,
} from '../../.gen/providers/genesyscloud/recording-media-retention-policy';

/** Media policies a retention policy can carry; screen recordings ride along with each. */
export const MEDIA_POLICY_TYPES = ['call', 'chat', 'email', 'message'] as const;
export type MediaPolicyType = (typeof MEDIA_POLICY_TYPES)[number];

export interface RecordingExportIntegrationProps {
  readonly name: string;
  /** [UNCONFIRMED] integration type id; default config `aws-s3-recording-bulk-actions-integration`. */
  readonly integrationType: string;
  /** [UNCONFIRMED] credential type; default config `amazonWebServicesARN`. */
  readonly credentialType: string;
  /** [UNCONFIRMED] credential field holding the role ARN; default config `ARN`. */
  readonly credentialField: string;
  /** [UNCONFIRMED] key under `config.credentials` naming the credential; default config `AmazonWebServicesARN`. */
  readonly credentialsKey: string;
  /** [UNCONFIRMED] `config.properties` key holding the bucket name; default config `bucketName`. */
  readonly bucketNameProperty: string;
  /** Bucket Genesys Cloud writes `{orgId}/year=/month=/day=/hour=/conversation_id=/` into. */
  readonly bucketName: string;
  /** IAM role Genesys Cloud assumes (trusting `genesysAwsAccountId` with the org id as external id). */
  readonly exportRoleArn: string;
  /** The Genesys Cloud AWS account that assumes the role (commercial or FedRAMP). */
  readonly genesysAwsAccountId: string;
}

/**
 * The AWS S3 recording bulk actions integration and its role credential: where Genesys Cloud
 * exports recordings (by retention policy or by recording bulk job) without anyone downloading
 * them one by one through the API.
 */
export class RecordingExportIntegration extends Construct {
  readonly credential: IntegrationCredential;
  readonly resource: Integration;

  constructor(scope: Construct, id: string, props: RecordingExportIntegrationProps) {
    super(scope, id);
    if (!/^\d{12}$/.test(props.genesysAwsAccountId)) {
      throw new Error(`recording export ${props.name}: genesysAwsAccountId must be a 12-digit AWS account id`);
    }
    this.credential = new IntegrationCredential(this, 'credential', {
      name: `${props.name}-role`,
      credentialTypeName: props.credentialType,
      fields: { [props.credentialField]: props.exportRoleArn },
    });
    this.resource = new Integration(this, 'integration', {
      integrationType: props.integrationType,
      intendedState: 'ENABLED',
      config: {
        name: props.name,
        properties: JSON.stringify({ [props.bucketNameProperty]: props.bucketName }),
        advanced: '{}',
        credentials: { [props.credentialsKey]: this.credential.id },
        notes: `Genesys Cloud assumes the export role from AWS account ${props.genesysAwsAccountId} (external id: the org id).`,
      },
    });
  }

  get integrationId(): string {
    return this.resource.id;
  }

  get credentialId(): string {
    return this.credential.id;
  }
}

export interface RecordingExportPolicyProps {
  readonly name: string;
  readonly description?: string;
  /** The recording export integration (`RecordingExportIntegration.integrationId`). */
  readonly integrationId: string;
  /** Queues whose conversations are exported. */
  readonly queueIds: readonly string[];
  /** Users whose conversations are exported. Default none. */
  readonly userIds?: readonly string[];
  /** Wrap-up codes whose conversations are exported. Default none. */
  readonly wrapUpCodeIds?: readonly string[];
  /**
   * With no queue, user or wrap-up code, every conversation of the org is exported: refused
   * unless this is true (config `genesys.testOrg`). Default false.
   */
  readonly orgWide?: boolean;
  /** Default every media type. */
  readonly mediaTypes?: readonly MediaPolicyType[];
  /** Default true: screen recordings are exported with the conversation's other media. */
  readonly exportScreenRecordings?: boolean;
}

/**
 * A `genesyscloud_recording_media_retention_policy` whose only action is `integration_export`:
 * every matching conversation's recordings (screen recordings included) land in the export
 * bucket automatically, so nothing in the load test polls recordings. Matching means the
 * conditions (queues, users, wrap-up codes, combined as Genesys combines them); a policy without
 * any is org-wide and must say so (`orgWide`).
 */
export class RecordingExportPolicy extends Construct {
  readonly resource: RecordingMediaRetentionPolicy;
  readonly mediaTypes: readonly MediaPolicyType[];

  constructor(scope: Construct, id: string, props: RecordingExportPolicyProps) {
    super(scope, id);
    this.mediaTypes = props.mediaTypes ?? MEDIA_POLICY_TYPES;
    if (this.mediaTypes.length === 0) throw new Error(`retention policy ${props.name}: mediaTypes must name at least one media type`);
    const actions: RecordingMediaRetentionPolicyMediaPoliciesCallPolicyActions = {
      integrationExport: { integrationId: props.integrationId, shouldExportScreenRecordings: props.exportScreenRecordings ?? true },
    };
    const matching = {
      ...(props.queueIds.length > 0 ? { forQueueIds: [...props.queueIds] } : {}),
      ...(props.userIds?.length ? { forUserIds: [...props.userIds] } : {}),
      ...(props.wrapUpCodeIds?.length ? { wrapupCodeIds: [...props.wrapUpCodeIds] } : {}),
    };
    // No conditions block means every conversation of that media type, in the whole org.
    const conditions = Object.keys(matching).length > 0 ? matching : undefined;
    if (!conditions && !props.orgWide) {
      throw new Error(
        `retention policy ${props.name}: without queueIds, userIds or wrapUpCodeIds it exports every conversation of the org; name them, or pass orgWide: true for a test org`,
      );
    }
    const policy = (type: MediaPolicyType) => (this.mediaTypes.includes(type) ? { actions, conditions } : undefined);
    this.resource = new RecordingMediaRetentionPolicy(this, 'policy', {
      name: props.name,
      description: props.description,
      enabled: true,
      mediaPolicies: {
        callPolicy: policy('call'),
        chatPolicy: policy('chat'),
        emailPolicy: policy('email'),
        messagePolicy: policy('message'),
      },
    });
  }

  get policyId(): string {
    return this.resource.id;
  }
}
