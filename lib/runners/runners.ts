import * as path from 'node:path';
import type { TaskEnvVar } from '../contracts/shard-container';
import { Construct } from 'constructs';
import type { ArchiveRefs } from '../archive/refs';
import type { GenesysRefs } from '../genesys-tenant/refs';
import type { ScenarioPlan } from '../ratelimits';
import type { CostProfile } from '../cost/profile';
import { RunnerCluster } from './cluster';
import { runnerNames, type RunnerNames } from './naming';
import { RunnerNetwork } from './network';
import { ShardIdentities } from './shard-identities';
import type { ShardChecks } from './shard-exit';
import { LoadTestStateMachine, type ReportJobsQueue } from './state-machine';

/** The report-step handler the state machine invokes (built by esbuild at synth). */
export const REPORT_STEP_ENTRY = path.resolve(__dirname, '..', '..', 'functions', 'report-step', 'index.ts');

export interface LoadRunnersProps {
  /** Environment name: secrets `loadlab/<envName>/...`, log group `/loadlab/<envName>/...`, LOADLAB_ENV of the shards. */
  readonly envName: string;
  /** `loadlab-<env>`: prefix of every resource name. */
  readonly resourcePrefix: string;
  readonly region: string;
  readonly accountId: string;
  /** An existing VPC and subnets to run in. Default: a minimal VPC of our own with public subnets and no NAT gateway. */
  readonly existingNetwork?: { readonly vpcId: string; readonly subnetIds: readonly string[] };
  /** Fargate task CPU units and memory of one shard. */
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Run shards on Fargate Spot. */
  readonly fargateSpot: boolean;
  /** Tag of the runner image in the repository. */
  readonly imageTag: string;
  /** Retention of the shards', state machine's and report step's log groups. */
  readonly logRetentionDays: number;
  /** Genesys Cloud API and login base URLs, handed to every shard. */
  readonly genesysApiBase: string;
  readonly genesysLoginBase: string;
  /**
   * The rate budget's scenarios, taken as planned: each shard's OAuth client, threads and target
   * rate (`ScenarioPlan.shards`) and each scenario's sizing.
   */
  readonly scenarios: readonly ScenarioPlan[];
  /** Each scenario's shard checks (when a shard's exit code says it failed). Default: DEFAULT_SHARD_CHECKS. */
  readonly shardChecks?: Readonly<Record<string, ShardChecks>>;
  readonly archive: ArchiveRefs;
  /** The genesys stack's runner OAuth clients, one per shard across all scenarios. */
  readonly genesys: Pick<GenesysRefs, 'runnerClients'>;
  /** The event pipeline's report-jobs queue. Absent: no analytics job is requested after a test. */
  readonly reportJobs?: ReportJobsQueue;
  /** Report-step handler. Default `functions/report-step/index.ts`. */
  readonly reportEntry?: string;
  /** Key that encrypts the runners' log groups (the event pipeline's key). Default: AWS-owned keys. */
  readonly logsKmsKeyArn?: string;
  /** The environment's cost figures, for the report step's actual cost. */
  readonly costProfile: CostProfile;
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
    const { region, accountId, archive } = props;
    this.names = runnerNames(props.envName, props.resourcePrefix);
    this.network = new RunnerNetwork(this, 'network', {
      namePrefix: props.resourcePrefix,
      securityGroupName: this.names.securityGroup,
      existing: props.existingNetwork,
    });
    this.cluster = new RunnerCluster(this, 'compute', {
      names: this.names,
      region,
      accountId,
      cpu: props.cpu,
      memoryMiB: props.memoryMiB,
      fargateSpot: props.fargateSpot,
      imageTag: props.imageTag,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      environment: {
        GENESYS_API_BASE: props.genesysApiBase,
        GENESYS_LOGIN_BASE: props.genesysLoginBase,
        LOADLAB_ENV: props.envName,
        AWS_REGION: props.region,
        AWS_DEFAULT_REGION: props.region,
      } satisfies Record<TaskEnvVar, string>,
    });
    this.identities = new ShardIdentities(this, 'shards', {
      envName: props.envName,
      names: this.names,
      region,
      accountId,
      slots: props.scenarios.flatMap((s) => s.shards),
      clients: props.genesys.runnerClients,
      archive,
    });
    this.stateMachine = new LoadTestStateMachine(this, 'loadtest', {
      envName: props.envName,
      names: this.names,
      region,
      accountId,
      scenarios: props.scenarios,
      shardChecks: props.shardChecks,
      cluster: this.cluster,
      network: this.network,
      identities: this.identities,
      archive,
      reportEntry: props.reportEntry ?? REPORT_STEP_ENTRY,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      reportJobs: props.reportJobs,
      costProfile: props.costProfile,
    });
  }
}
