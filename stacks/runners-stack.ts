import type { Construct } from 'constructs';
import type { Environment } from '../lib/config';
import type { RateBudget } from '../lib/ratelimits';
import type { ArchiveRefs } from '../lib/archive/refs';
import { archiveRefsFor } from '../lib/archive/shared-archive';
import { EventPipeline, type EventPipelineProps } from '../lib/pipeline/event-pipeline';
import { shardChecksOf } from '../lib/runners/shard-exit';
import { costProfileOf } from '../lib/cost/profile';
import { LoadRunners, type LoadRunnersProps } from '../lib/runners/runners';
import { LoadlabStack } from './loadlab-stack';
import type { GenesysRefs } from '../lib/genesys-tenant/refs';

export interface RunnersStackProps {
  readonly env: Environment;
  readonly budget: RateBudget;
  /** The archive stack's references. Default: the shared archive of `archive.shareFrom`, found by name. */
  readonly archive?: ArchiveRefs;
  /** The genesys stack's references (OAuth clients, partner event source); stacks pass references, not stacks. */
  readonly genesys: GenesysRefs;
}

type FromEnvironment<P> = Omit<P, 'genesys' | 'archive' | 'alarmActions' | 'reportJobs' | 'reportEntry' | 'logsKmsKeyArn'>;

/** The event pipeline's settings from an environment and its plan (the workers exactly as planned). */
export function pipelineProps(env: Environment, plan: RateBudget): FromEnvironment<EventPipelineProps> {
  const { pipeline, aws, genesys } = env.config;
  return {
    envName: env.name,
    resourcePrefix: env.resourcePrefix,
    region: aws.region,
    accountId: aws.accountId,
    genesysApiBase: env.genesys.apiBase,
    genesysLoginBase: env.genesys.loginBase,
    topics: genesys.eventBridge.topics,
    metadataWorker: plan.metadataWorker,
    reportWorker: plan.reportWorker,
    batchSize: pipeline.batchSize,
    workerTimeoutSec: pipeline.workerTimeoutSec,
    maxReceiveCount: pipeline.maxReceiveCount,
    logRetentionDays: pipeline.logRetentionDays,
  };
}

/**
 * The task definition's size: the largest scenario task (by CPU, then memory: one of the planned
 * pairs, so a valid Fargate size). Each shard's RunTask overrides it with its own scenario's task.
 */
export function taskDefinitionSize(plan: RateBudget): { cpu: number; memoryMiB: number } {
  const [largest] = plan.scenarios.map((s) => s.task).sort((a, b) => b.cpu - a.cpu || b.memoryMiB - a.memoryMiB);
  return { cpu: largest.cpu, memoryMiB: largest.memoryMiB };
}

/** The load runners' settings from an environment and its plan (the scenarios exactly as planned). */
export function runnersProps(env: Environment, plan: RateBudget): FromEnvironment<LoadRunnersProps> {
  const { aws, runners } = env.config;
  return {
    envName: env.name,
    resourcePrefix: env.resourcePrefix,
    region: aws.region,
    accountId: aws.accountId,
    existingNetwork: aws.network,
    ...taskDefinitionSize(plan),
    fargateSpot: runners.fargateSpot,
    imageTag: runners.imageTag,
    logRetentionDays: runners.logRetentionDays,
    genesysApiBase: env.genesys.apiBase,
    genesysLoginBase: env.genesys.loginBase,
    scenarios: plan.scenarios,
    shardChecks: Object.fromEntries(env.config.loadProfile.scenarios.map((s) => [s.name, shardChecksOf(s)])),
    costProfile: costProfileOf(env.name, env.config),
  };
}

/** `<env>-runners`: ephemeral compute and the event pipeline; nothing here computes while idle (see the README for the few fixed costs). */
export class RunnersStack extends LoadlabStack {
  /** Partner event bus -> SQS -> metadata worker, and the report-jobs queue and worker (`pipeline.reportJobsQueue`). */
  readonly pipeline: EventPipeline;
  /** Network, Fargate cluster, per-shard secrets and roles, and the `<prefix>-loadtest` state machine. */
  readonly runners: LoadRunners;

  constructor(scope: Construct, props: RunnersStackProps) {
    super(scope, props.env, 'runners');
    this.addAwsProvider();
    const archive = archiveRefsFor(this, props.env, props.archive);
    this.pipeline = new EventPipeline(this, 'pipeline', { ...pipelineProps(props.env, props.budget), genesys: props.genesys, archive });
    this.runners = new LoadRunners(this, 'runners', {
      ...runnersProps(props.env, props.budget),
      archive,
      genesys: props.genesys,
      reportJobs: this.pipeline.reportJobsQueue,
      // One ephemeral key per environment encrypts every log group of this stack (its policy lets CloudWatch Logs use it).
      logsKmsKeyArn: this.pipeline.key.arn,
    });
  }
}
