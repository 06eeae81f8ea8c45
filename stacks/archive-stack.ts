import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import type { Environment } from '../lib/config';
import type { RateBudget } from '../lib/ratelimits';
import type { ArchiveRefs } from '../lib/archive/refs';
import { Archive } from '../lib/archive/archive';
import { LoadlabStack } from './loadlab-stack';

export interface ArchiveStackProps {
  readonly env: Environment;
  readonly budget: RateBudget;
}

/**
 * `<env>-archive`: the durable stack. Buckets and the key here survive every teardown of a
 * test environment (`prevent_destroy`, `force_destroy = false`); `npm run destroy` refuses this stack.
 */
export class ArchiveStack extends LoadlabStack {
  readonly archive: Archive;
  /** Handed to the genesys and runners stacks (cdktf turns them into cross-stack outputs). */
  readonly refs: ArchiveRefs;

  constructor(scope: Construct, props: ArchiveStackProps) {
    super(scope, props.env, 'archive');
    this.addAwsProvider();
    const { config } = props.env;
    this.archive = new Archive(this, 'archive', {
      ownerEnv: props.env.name,
      accountId: config.aws.accountId,
      region: config.aws.region,
      genesysOrgId: config.genesys.orgId,
      genesysAccountId: props.env.genesys.awsAccountId,
      transitionToInfrequentAccessDays: config.archive.transitionToInfrequentAccessDays,
      transitionToColdDays: config.archive.transitionToColdDays,
      coldStorageClass: config.archive.coldStorageClass,
      noncurrentVersionExpirationDays: config.archive.noncurrentVersionExpirationDays,
      accessLogRetentionDays: config.archive.accessLogRetentionDays,
      recordingsObjectLock: config.archive.objectLock.enabled ? config.archive.objectLock : undefined,
      exportRoleExtraActions: config.archive.exportRoleExtraActions,
      breakGlassRoleArn: config.archive.breakGlassRoleArn,
      readerRoleArns: config.archive.readerRoleArns,
    });
    this.refs = this.archive.refs;

    // For people and scripts (e.g. a pr-* environment's reviewers); stacks use `refs` instead.
    const outputs: Record<string, [string, string]> = {
      key_arn: [this.refs.keyArn, 'KMS key of every archive bucket'],
      recordings_bucket_name: [this.refs.recordings.name, 'Genesys recording export target'],
      recordings_bucket_arn: [this.refs.recordings.arn, 'Genesys recording export target'],
      results_bucket_name: [this.refs.results.name, 'JMeter results (results/<testId>/) and recording metadata (metadata/)'],
      results_bucket_arn: [this.refs.results.arn, 'JMeter results (results/<testId>/) and recording metadata (metadata/)'],
      analytics_bucket_name: [this.refs.analytics.name, 'analytics job output (analytics/)'],
      analytics_bucket_arn: [this.refs.analytics.arn, 'analytics job output (analytics/)'],
      access_logs_bucket_name: [this.archive.accessLogs.name, 'server access logs of the archive buckets'],
      export_role_arn: [this.refs.exportRoleArn, 'role Genesys Cloud assumes to export recordings'],
    };
    for (const [id, [value, description]] of Object.entries(outputs)) new TerraformOutput(this, id, { value, description });
  }
}
