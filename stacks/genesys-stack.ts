import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { GenesyscloudProvider } from '../.gen/providers/genesyscloud/provider';
import { DataGenesyscloudAuthDivisionHome } from '../.gen/providers/genesyscloud/data-genesyscloud-auth-division-home';
import { DataGenesyscloudOrganizationsMe } from '../.gen/providers/genesyscloud/data-genesyscloud-organizations-me';
import type { Environment } from '../lib/config';
import type { RateBudget } from '../lib/ratelimits';
import type { ArchiveRefs } from '../lib/archive/refs';
import { archiveRefsFor } from '../lib/archive/shared-archive';
import type { GenesysRefs } from '../lib/genesys-tenant/refs';
import { GenesysTenant } from '../lib/genesys-tenant/tenant';
import { EventBridgeSourceIntegration, partnerEventSourceName } from '../lib/genesys-tenant/eventbridge-integration';
import { RecordingExportIntegration, RecordingExportPolicy } from '../lib/genesys-tenant/recording-export';
import { LoadlabStack } from './loadlab-stack';

export interface GenesysStackProps {
  readonly env: Environment;
  readonly budget: RateBudget;
  /** The archive stack's outputs; undefined when the environment shares another's archive. */
  readonly archive?: ArchiveRefs;
}

/**
 * `<env>-genesys`: the Genesys Cloud side of a load-test environment — the tenant (least-privilege
 * roles, OAuth clients sized by the budget planner, their secrets in Secrets Manager), the
 * EventBridge integration and the S3 recording export. Provider credentials come from
 * GENESYSCLOUD_OAUTHCLIENT_ID / _SECRET, never from config; that client must already hold every
 * role granted here. This stack's state holds the OAuth client secrets: only the deploy and
 * main-plan roles read it (docs/security.md).
 */
export class GenesysStack extends LoadlabStack {
  /** The contract the runners stack codes against: names only, no reference into this stack. */
  readonly refs: GenesysRefs;
  readonly tenant: GenesysTenant;
  readonly eventBridge: EventBridgeSourceIntegration;
  /** Absent when `genesys.recordingExport.enabled` is false. */
  recordingExport?: RecordingExportIntegration;
  /** Absent unless recording export and `genesys.recordingExport.retentionPolicy` are on. */
  recordingExportPolicy?: RecordingExportPolicy;

  constructor(scope: Construct, props: GenesysStackProps) {
    super(scope, props.env, 'genesys');
    const { env } = props;
    const { config, resourcePrefix: prefix } = env;
    new GenesyscloudProvider(this, 'genesyscloud', { awsRegion: config.genesys.region });
    // The client secrets go to Secrets Manager here, beside the clients that create them.
    this.addAwsProvider();

    // Fails the plan when the provider credentials belong to another org than the environment names.
    const org = new DataGenesyscloudOrganizationsMe(this, 'org', {
      lifecycle: {
        postcondition: [
          {
            condition: `\${self.id == "${config.genesys.orgId}"}`,
            errorMessage: `GENESYSCLOUD_OAUTHCLIENT_ID belongs to another Genesys Cloud org than genesys.orgId (${config.genesys.orgId}) in ${env.sourceFile}; use a client of that org or correct genesys.orgId.`,
          },
        ],
      },
    });
    const divisionIds =
      config.genesys.divisionIds.length > 0
        ? config.genesys.divisionIds
        : [new DataGenesyscloudAuthDivisionHome(this, 'home-division', {}).id];
    // 'Default' keeps the tenant's resources at the stack's top level in Terraform addresses, where they were before the construct existed.
    this.tenant = new GenesysTenant(this, 'Default', { env, budget: props.budget, divisionIds });

    this.eventBridge = new EventBridgeSourceIntegration(this, 'eventbridge', {
      name: `${prefix}-eventbridge`,
      awsAccountId: config.aws.accountId,
      awsRegion: config.aws.region,
      eventSourceSuffix: env.genesys.eventSourceSuffix,
      topics: config.genesys.eventBridge.topics,
      orgId: org.id,
      notes: `genesys-loadlab ${env.name}: conversation and analytics-job events for the metadata and report workers.`,
    });
    this.addRecordingExport(props.archive);

    const { tenant } = this;
    this.refs = {
      orgId: org.id,
      // From the config's org id (the postcondition above proves it is the provider's), so the runners stack reads no state of this one.
      partnerEventSourceName: partnerEventSourceName(config.genesys.orgId, env.genesys.eventSourceSuffix),
      runnerClients: tenant.runnerClients.map((c) => tenant.clientRef(c)),
      metadataWorkerClient: tenant.clientRef(tenant.metadataWorkerClient),
      reportWorkerClient: tenant.clientRef(tenant.reportWorkerClient),
      eventBridgeIntegrationId: this.eventBridge.integrationId,
      eventSourceSuffix: env.genesys.eventSourceSuffix,
      recordingExportIntegrationId: this.recordingExport?.integrationId,
      roleIds: {
        runner: tenant.roles.runner.roleId,
        metadataWorker: tenant.roles.metadataWorker.roleId,
        reportWorker: tenant.roles.reportWorker.roleId,
      },
    };
    this.addOutputs();
  }

  /** The S3 recording export and its retention policy, when the config turns them on. */
  private addRecordingExport(archive?: ArchiveRefs): void {
    const { env } = this;
    const prefix = env.resourcePrefix;
    const exportConfig = env.config.genesys.recordingExport;
    if (!exportConfig.enabled) return;
    const target = this.exportTarget(env, archive);
    this.recordingExport = new RecordingExportIntegration(this, 'recording-export', {
      name: `${prefix}-recording-export`,
      integrationType: exportConfig.integrationType,
      credentialType: exportConfig.credentialType,
      credentialField: exportConfig.credentialField,
      credentialsKey: exportConfig.credentialsKey,
      bucketNameProperty: exportConfig.bucketNameProperty,
      bucketName: target.bucketName,
      exportRoleArn: target.roleArn,
      genesysAwsAccountId: env.genesys.awsAccountId,
    });
    // A pr-* environment's conversations are in its base's org, whose policy already exports them.
    if (!exportConfig.retentionPolicy || env.ephemeral) return;
    const testOrg = env.config.genesys.testOrg;
    this.recordingExportPolicy = new RecordingExportPolicy(this, 'recording-export-policy', {
      name: `${prefix}-recording-export`,
      description: `genesys-loadlab ${env.name}: export ${testOrg ? 'the test org' : 'the test queues, users or wrap-up codes'}'s recordings (screen recordings included) to S3.`,
      integrationId: this.recordingExport.integrationId,
      queueIds: exportConfig.queueIds,
      userIds: exportConfig.userIds,
      wrapUpCodeIds: exportConfig.wrapUpCodeIds,
      orgWide: testOrg,
    });
  }

  /** Config override (own role and bucket), else the environment's archive (own or shared). */
  private exportTarget(env: Environment, archive?: ArchiveRefs): { roleArn: string; bucketName: string } {
    const { exportRoleArn, bucketName } = env.config.genesys.recordingExport;
    if (exportRoleArn && bucketName) return { roleArn: exportRoleArn, bucketName };
    // A shared archive is found with AWS data sources (the AWS provider is always here).
    const refs = archiveRefsFor(this, env, archive);
    return { roleArn: refs.exportRoleArn, bucketName: refs.recordings.name };
  }

  /** For people and scripts (`cdktf output`); the runners stack uses `refs`. Secrets are not repeated here. */
  private addOutputs(): void {
    const out = (id: string, value: unknown, description: string) => new TerraformOutput(this, id, { value, description });
    out('org_id', this.refs.orgId, 'Genesys Cloud organization id');
    out('partner_event_source_name', this.eventBridge.partnerEventSourceName, 'partner event source (and event bus) name');
    out('eventbridge_integration_id', this.refs.eventBridgeIntegrationId, 'Amazon EventBridge integration');
    out(
      'runner_client_ids',
      this.tenant.runnerClients.map((c) => c.clientId),
      'load-runner OAuth clients, in planner order',
    );
    out('metadata_worker_client_id', this.tenant.metadataWorkerClient.clientId, 'metadata worker OAuth client');
    out('report_worker_client_id', this.tenant.reportWorkerClient.clientId, 'report worker OAuth client');
    out('role_ids', { ...this.refs.roleIds }, 'least-privilege roles held by the OAuth clients');
    out('genesys_aws_account_id', this.env.genesys.awsAccountId, 'AWS account Genesys Cloud assumes the export role from');
    if (this.recordingExport) {
      out('recording_export_integration_id', this.recordingExport.integrationId, 'S3 recording bulk actions integration');
      out('recording_export_credential_id', this.recordingExport.credentialId, 'export role credential');
    }
    if (this.recordingExportPolicy)
      out('recording_export_policy_id', this.recordingExportPolicy.policyId, 'media retention policy exporting recordings');
  }
}
