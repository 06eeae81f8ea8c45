import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { GenesyscloudProvider } from '../.gen/providers/genesyscloud/provider';
import { DataGenesyscloudAuthDivisionHome } from '../.gen/providers/genesyscloud/data-genesyscloud-auth-division-home';
import { DataGenesyscloudOrganizationsMe } from '../.gen/providers/genesyscloud/data-genesyscloud-organizations-me';
import type { Environment } from '../lib/config';
import { runnerClientSlots, type BudgetPlan } from '../lib/ratelimits';
import type { ArchiveRefs } from '../lib/archive/refs';
import { archiveRefsFor } from '../lib/archive/shared-archive';
import type { GenesysRefs } from '../lib/genesys/refs';
import { planRoles, ROLE_SUFFIX, roleName, type Caller, type RolePlan } from '../lib/genesys/permissions';
import { GenesysRole } from '../lib/genesys/role';
import { ClientCredentialsClient } from '../lib/genesys/oauth-client';
import { EventBridgeSourceIntegration } from '../lib/genesys/eventbridge-integration';
import { RecordingExportIntegration, RecordingExportPolicy } from '../lib/genesys/recording-export';
import { LoadlabStack } from './loadlab-stack';

export interface GenesysStackProps {
  readonly env: Environment;
  readonly plan: BudgetPlan;
  /** The archive stack's outputs; undefined when the environment shares another's archive. */
  readonly archive?: ArchiveRefs;
}

const ROLE_PURPOSE: Readonly<Record<Caller, string>> = {
  runner: 'load runners: the endpoints of the environment scenarios',
  metadataWorker: 'metadata worker: recording metadata fetched from conversation events',
  reportWorker: 'report worker: analytics details jobs, rate-limit and OAuth client usage telemetry',
};

/**
 * `<env>-genesys`: the Genesys Cloud side of a load-test environment — least-privilege roles,
 * OAuth clients sized by the budget planner, the EventBridge integration and the S3 recording
 * export. Provider credentials come from GENESYSCLOUD_OAUTHCLIENT_ID / _SECRET, never from config;
 * that client must already hold every role granted here.
 */
export class GenesysStack extends LoadlabStack {
  /** The contract the runners stack codes against. */
  readonly refs: GenesysRefs;
  readonly rolePlans: Record<Caller, RolePlan>;
  readonly roles: Record<Caller, GenesysRole>;
  readonly runnerClients: readonly ClientCredentialsClient[];
  readonly metadataWorkerClient: ClientCredentialsClient;
  readonly reportWorkerClient: ClientCredentialsClient;
  readonly eventBridge: EventBridgeSourceIntegration;
  /** Absent when `genesys.recordingExport.enabled` is false. */
  readonly recordingExport?: RecordingExportIntegration;
  /** Absent unless recording export and `genesys.recordingExport.retentionPolicy` are on. */
  readonly recordingExportPolicy?: RecordingExportPolicy;

  constructor(scope: Construct, props: GenesysStackProps) {
    super(scope, props.env, 'genesys');
    const { env, plan } = props;
    const { config, resourcePrefix: prefix } = env;
    new GenesyscloudProvider(this, 'genesyscloud', { awsRegion: config.genesys.region });

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

    this.rolePlans = planRoles(config, env.sourceFile);
    const role = (caller: Caller) =>
      new GenesysRole(this, `role-${ROLE_SUFFIX[caller]}`, {
        name: roleName(prefix, caller),
        description: `genesys-loadlab ${env.name}, ${ROLE_PURPOSE[caller]}. Managed by Terraform.`,
        policies: this.rolePlans[caller].policies,
      });
    this.roles = {
      runner: role('runner'),
      metadataWorker: role('metadataWorker'),
      reportWorker: role('reportWorker'),
    };

    const client = (id: string, purpose: string, caller: Caller, what: string, validity: number) =>
      new ClientCredentialsClient(this, id, {
        name: `${prefix}-${purpose}`,
        purpose,
        description: `genesys-loadlab ${env.name}: ${what}. Managed by Terraform.`,
        divisionIds,
        accessTokenValiditySec: validity,
        roles: [this.roles[caller]],
      });
    const tokens = config.genesys.tokenValiditySec;
    // One client per runner shard, in pool order: the runners stack hands client i to slot i.
    const slots = runnerClientSlots(plan);
    if (slots.length !== plan.runnerClients || slots.some((slot, i) => slot.index !== i)) {
      throw new Error(
        `budget plan of ${env.name}: ${plan.runnerClients} runner clients but ${slots.length} shard slots; the planner and runnerClientSlots disagree`,
      );
    }
    this.runnerClients = slots.map((slot) =>
      client(
        `runner-client-${slot.index}`,
        `runner-${slot.index}`,
        'runner',
        `load runner ${slot.index} (scenario ${slot.scenario}, shard ${slot.shard})`,
        tokens.runner,
      ),
    );
    this.metadataWorkerClient = client('metadata-worker-client', 'metadata-worker', 'metadataWorker', 'metadata worker', tokens.worker);
    this.reportWorkerClient = client('report-worker-client', 'report-worker', 'reportWorker', 'report worker', tokens.worker);

    this.eventBridge = new EventBridgeSourceIntegration(this, 'eventbridge', {
      name: `${prefix}-eventbridge`,
      awsAccountId: config.aws.accountId,
      awsRegion: config.aws.region,
      eventSourceSuffix: env.genesys.eventSourceSuffix,
      topics: config.genesys.eventBridge.topics,
      orgId: org.id,
      notes: `genesys-loadlab ${env.name}: conversation and analytics-job events for the metadata and report workers.`,
    });

    const exportConfig = config.genesys.recordingExport;
    if (exportConfig.enabled) {
      const target = this.exportTarget(env, props.archive);
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
      if (exportConfig.retentionPolicy) {
        this.recordingExportPolicy = new RecordingExportPolicy(this, 'recording-export-policy', {
          name: `${prefix}-recording-export`,
          description: `genesys-loadlab ${env.name}: export ${exportConfig.queueIds.length > 0 ? "the test queues'" : 'all'} recordings (screen recordings included) to S3.`,
          integrationId: this.recordingExport.integrationId,
          queueIds: exportConfig.queueIds,
        });
      }
    }

    this.refs = {
      orgId: org.id,
      partnerEventSourceName: this.eventBridge.partnerEventSourceName,
      runnerClients: this.runnerClients.map((c) => c.ref),
      metadataWorkerClient: this.metadataWorkerClient.ref,
      reportWorkerClient: this.reportWorkerClient.ref,
      eventBridgeIntegrationId: this.eventBridge.integrationId,
      eventSourceSuffix: env.genesys.eventSourceSuffix,
      recordingExportIntegrationId: this.recordingExport?.integrationId,
      roleIds: {
        runner: this.roles.runner.roleId,
        metadataWorker: this.roles.metadataWorker.roleId,
        reportWorker: this.roles.reportWorker.roleId,
      },
    };
    this.addOutputs();
  }

  /** Config override (own role and bucket), else the environment's archive (own or shared). */
  private exportTarget(env: Environment, archive?: ArchiveRefs): { roleArn: string; bucketName: string } {
    const { exportRoleArn, bucketName } = env.config.genesys.recordingExport;
    if (exportRoleArn && bucketName) return { roleArn: exportRoleArn, bucketName };
    // A shared archive is found with AWS data sources, which need the AWS provider here.
    if (!archive) this.addAwsProvider();
    const refs = archiveRefsFor(this, env, archive);
    return { roleArn: refs.exportRoleArn, bucketName: refs.recordings.name };
  }

  /** For people and scripts (`cdktf output`); the runners stack uses `refs`. Secrets are not repeated here. */
  private addOutputs(): void {
    const out = (id: string, value: unknown, description: string) => new TerraformOutput(this, id, { value, description });
    out('org_id', this.refs.orgId, 'Genesys Cloud organization id');
    out('partner_event_source_name', this.refs.partnerEventSourceName, 'partner event source (and event bus) name');
    out('eventbridge_integration_id', this.refs.eventBridgeIntegrationId, 'Amazon EventBridge integration');
    out(
      'runner_client_ids',
      this.runnerClients.map((c) => c.clientId),
      'load-runner OAuth clients, in planner order',
    );
    out('metadata_worker_client_id', this.metadataWorkerClient.clientId, 'metadata worker OAuth client');
    out('report_worker_client_id', this.reportWorkerClient.clientId, 'report worker OAuth client');
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
