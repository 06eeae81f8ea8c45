import * as path from 'node:path';
import type { TaskEnvVar } from '../contracts/shard-container';
import { Construct } from 'constructs';
import type { ArchiveRefs } from '../archive/refs';
import type { Environment } from '../config';
import type { GenesysRefs } from '../genesys/refs';
import { runnerClientSlots, type BudgetPlan } from '../ratelimits';
import { RunnerCluster } from './cluster';
import { runnerNames, type RunnerNames } from './naming';
import { RunnerNetwork } from './network';
import { ShardIdentities } from './shard-identities';
import { shardChecksOf } from './shard-exit';
import { LoadTestStateMachine, type ReportJobsQueue } from './state-machine';

/** The report-step handler the state machine invokes (built by esbuild at synth). */
export const REPORT_STEP_ENTRY = path.resolve(__dirname, '..', '..', 'functions', 'report-step', 'index.ts');

export interface LoadRunnersProps {
  readonly env: Environment;
  readonly plan: BudgetPlan;
  readonly archive: ArchiveRefs;
  readonly genesys: GenesysRefs;
  /** The event pipeline's report-jobs queue. Absent: no analytics job is requested after a test. */
  readonly reportJobs?: ReportJobsQueue;
  /** Report-step handler. Default `functions/report-step/index.ts`. */
  readonly reportEntry?: string;
  /** Key that encrypts the runners' log groups (the event pipeline's key). Default: AWS-owned keys. */
  readonly logsKmsKeyArn?: string;
}

/**
 * Everything a distributed load test needs on AWS, none of it billed while idle: the network
 * (no NAT gateway), the Fargate cluster, image repository and task definition, one secret and
 * one task role per shard, and the state machine that runs a test.
 */
export class LoadRunners extends Construct {
  readonly names: RunnerNames;
  readonly network: RunnerNetwork;
  readonly cluster: RunnerCluster;
  readonly identities: ShardIdentities;
  readonly stateMachine: LoadTestStateMachine;

  constructor(scope: Construct, id: string, props: LoadRunnersProps) {
    super(scope, id);
    const { env, plan, archive } = props;
    const { config } = env;
    const { region, accountId } = config.aws;
    this.names = runnerNames(env.name, env.resourcePrefix);
    this.network = new RunnerNetwork(this, 'network', {
      namePrefix: env.resourcePrefix,
      securityGroupName: this.names.securityGroup,
      existing: config.aws.network,
    });
    this.cluster = new RunnerCluster(this, 'compute', {
      names: this.names,
      region,
      accountId,
      cpu: config.runners.cpu,
      memoryMiB: config.runners.memoryMiB,
      fargateSpot: config.runners.fargateSpot,
      imageTag: config.runners.imageTag,
      logRetentionDays: config.runners.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      environment: {
        GENESYS_API_BASE: env.genesys.apiBase,
        GENESYS_LOGIN_BASE: env.genesys.loginBase,
        LOADLAB_ENV: env.name,
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
      } satisfies Record<TaskEnvVar, string>,
    });
    this.identities = new ShardIdentities(this, 'shards', {
      envName: env.name,
      names: this.names,
      region,
      accountId,
      slots: runnerClientSlots(plan),
      clients: props.genesys.runnerClients,
      archive,
    });
    this.stateMachine = new LoadTestStateMachine(this, 'loadtest', {
      envName: env.name,
      names: this.names,
      region,
      accountId,
      plan,
      shardChecks: Object.fromEntries(config.loadProfile.scenarios.map((s) => [s.name, shardChecksOf(s)])),
      cluster: this.cluster,
      network: this.network,
      identities: this.identities,
      archive,
      reportEntry: props.reportEntry ?? REPORT_STEP_ENTRY,
      logRetentionDays: config.runners.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      reportJobs: props.reportJobs,
    });
  }
}
