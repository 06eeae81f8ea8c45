import { Construct } from 'constructs';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine';
import { grantArchiveRead, grantArchiveWrite } from '../archive/grants';
import { ARCHIVE_PREFIXES, type ArchiveRefs } from '../archive/refs';
import { ConfigError } from '../config/errors';
import type { IGrantable } from '../iam/policy';
import { ServiceRole } from '../iam/service-role';
import { NodeFunction } from '../lambda/node-function';
import type { ScenarioPlan } from '../ratelimits';
import { awsPartitionOf } from '../config/regions';
import { lambdaEnvironment, REPORT_STEP_ENV } from '../contracts/lambda-env';
import type { CostProfile } from '../cost/profile';
import type { RunnerCluster } from './cluster';
import { loadTestDefinition, type ScenarioEntry } from './definition';
import { MAX_SHARDS_PER_TEST, testIdPrefix, type RunnerNames } from './naming';
import type { RunnerNetwork } from './network';
import type { ShardIdentities } from './shard-identities';
import { shardChecksOf, type ShardChecks } from './shard-exit';

/** The pipeline's report-jobs queue as far as the state machine needs it (`WorkQueue` in lib/pipeline fits). */
export interface ReportJobsQueue {
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Lets a role send messages (and use the queue's key, if it has one). */
  grantSend(grantee: IGrantable): void;
}

export interface LoadTestStateMachineProps {
  readonly envName: string;
  readonly names: RunnerNames;
  readonly region: string;
  readonly accountId: string;
  /** The rate budget's scenarios: their sizing and shards become the definition's shard table. */
  readonly scenarios: readonly ScenarioPlan[];
  /** Each scenario's shard checks (shard-exit.ts `shardChecksOf`). Default: DEFAULT_SHARD_CHECKS, no 429 check with expectThrottling. */
  readonly shardChecks?: Readonly<Record<string, ShardChecks>>;
  readonly cluster: RunnerCluster;
  readonly network: RunnerNetwork;
  readonly identities: ShardIdentities;
  readonly archive: ArchiveRefs;
  /** Absolute path of the report-step handler (exports `handler`). */
  readonly reportEntry: string;
  readonly logRetentionDays: number;
  /** Key that encrypts the state machine's and the report step's log groups, and the report step's environment. Default: AWS-owned keys. */
  readonly logsKmsKeyArn?: string;
  /** The report-jobs queue (event pipeline). Absent: no analytics job is requested after a test. */
  readonly reportJobs?: ReportJobsQueue;
  /** Seconds between the execution start and the common shard start. Default 120 (Fargate start-up and image pull). */
  readonly startDelaySec?: number;
  /** Seconds a shard may run past start delay + duration before it is timed out. Default 900. */
  readonly shardSlackSec?: number;
  /** Report step memory. Default 2048 (the report's memory depends on the run's length and endpoints, not its samples: npm run bench -- --only report). */
  readonly reportMemoryMiB?: number;
  /** The environment's cost figures: the report prices the run with them (lib/cost/profile.ts). */
  readonly costProfile: CostProfile;
}

/**
 * The per-scenario shard table baked into the definition; refuses a scenario with more shards
 * than one test can start together.
 */
function scenarioTable(
  scenarios: readonly ScenarioPlan[],
  identities: ShardIdentities,
  checks: Readonly<Record<string, ShardChecks>> = {},
): Record<string, ScenarioEntry> {
  const tooMany = scenarios.filter((s) => s.sizing.shards > MAX_SHARDS_PER_TEST);
  if (tooMany.length > 0) {
    throw new ConfigError(
      tooMany.map(
        (s) =>
          `loadProfile.scenarios[${s.index}] (${s.name}) needs ${s.sizing.shards} shards but one test starts at most ${MAX_SHARDS_PER_TEST} together (Step Functions inline Map); split the scenario or lower its rate`,
      ),
    );
  }
  return Object.fromEntries(
    scenarios.map((s) => [
      s.name,
      {
        plannedShards: s.sizing.shards,
        tokensPerShard: s.sizing.tokensPerShard,
        durationSec: s.durationSec,
        rampUpSec: s.rampUpSec,
        taskCpu: s.task.cpu,
        taskMemoryMiB: s.task.memoryMiB,
        ...(checks[s.name] ?? shardChecksOf({ expectThrottling: s.expectThrottling })),
        shards: identities.ofScenario(s.name).map(({ slot, secret, role }) => ({
          index: slot.shard,
          client: slot.index,
          taskRoleArn: role.roleArn,
          secretArn: secret.arn,
          threads: slot.threads,
          targetRpm: Math.round(slot.targetRequestsPerMinute * 1000) / 1000,
        })),
      },
    ]),
  );
}

/**
 * The Step Functions state machine `<prefix>-loadtest` (input: `LoadTestInput`, lib/contracts/load-test-input.ts):
 * fans a scenario out over its Fargate shards with `ecs:runTask.sync`, then runs the report
 * step and requests the analytics of the test window; on any failure it stops every task
 * started for the test, still writes a partial report, and fails. Its role may run only the
 * JMeter task definition on the runners cluster and pass only the runner roles.
 */
export class LoadTestStateMachine extends Construct {
  readonly stateMachine: SfnStateMachine;
  readonly role: ServiceRole;
  readonly reportFunction: NodeFunction;
  readonly logGroup: CloudwatchLogGroup;
  /** The per-scenario shard table baked into the definition. */
  readonly scenarios: Readonly<Record<string, ScenarioEntry>>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: LoadTestStateMachineProps,
  ) {
    super(scope, id);
    const { names, region, archive, cluster, network } = props;
    this.scenarios = scenarioTable(props.scenarios, props.identities, props.shardChecks);
    this.reportFunction = this.addReportFunction();
    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      name: names.stateMachineLogGroup,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKmsKeyArn,
    });
    this.role = this.addRole();

    const definition = loadTestDefinition({
      envName: props.envName,
      partition: awsPartitionOf(region),
      scenarios: this.scenarios,
      clusterArn: cluster.cluster.arn,
      taskDefinitionArn: cluster.taskDefinition.arn,
      capacityProvider: cluster.launch.capacityProvider,
      subnetIds: network.subnetIds,
      securityGroupIds: [network.securityGroup.id],
      assignPublicIp: network.assignPublicIp,
      resultsBucket: archive.results.name,
      analyticsBucket: archive.analytics.name,
      metadataPrefix: ARCHIVE_PREFIXES.metadata,
      analyticsPrefix: ARCHIVE_PREFIXES.analytics,
      reportFunctionArn: this.reportFunction.fn.arn,
      reportJobsQueueUrl: props.reportJobs?.queueUrl,
      startDelaySec: props.startDelaySec ?? 120,
      shardSlackSec: props.shardSlackSec ?? 900,
    });
    this.stateMachine = new SfnStateMachine(this, 'state-machine', {
      name: names.stateMachine,
      type: 'STANDARD',
      roleArn: this.role.roleArn,
      definition: JSON.stringify(definition),
      loggingConfiguration: {
        logDestination: `${this.logGroup.arn}:*`,
        includeExecutionData: true,
        level: 'ERROR',
      },
      // One X-Ray trace per test run (shards, report step), billed per trace: nothing while idle.
      tracingConfiguration: { enabled: true },
    });
  }

  /** The report step, allowed to read this environment's tests and write their reports only. */
  private addReportFunction(): NodeFunction {
    const { props } = this;
    const tests = `${testIdPrefix(props.envName)}*`;
    const fn = new NodeFunction(this, 'report-step', {
      functionName: props.names.reportFunction,
      description: 'Merges the raw JMeter results of every shard of a test into report.json and report.html',
      entry: props.reportEntry,
      timeoutSec: 900,
      memoryMiB: props.reportMemoryMiB ?? 2048,
      // Reports never call Genesys Cloud: concurrency only bounds cost if many tests end at once.
      reservedConcurrency: 4,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyArn: props.logsKmsKeyArn,
      // Nothing secret in it (the cost profile), but encrypted with the environment's own key like every other Lambda's.
      kmsKeyArn: props.logsKmsKeyArn,
      environment: lambdaEnvironment(REPORT_STEP_ENV, { COST_PROFILE: JSON.stringify(props.costProfile) }),
    });
    if (props.logsKmsKeyArn) fn.addToPolicy({ sid: 'DecryptEnvironment', actions: ['kms:Decrypt'], resources: [props.logsKmsKeyArn] });
    // This environment's tests only (`<env>_*`): sharing pr-* environments cannot read each other's.
    grantArchiveRead(fn, props.archive, 'results', { prefix: ARCHIVE_PREFIXES.results, keys: [`${tests}/*`], name: 'Tests' });
    grantArchiveWrite(
      fn,
      props.archive,
      'results',
      {
        prefix: ARCHIVE_PREFIXES.results,
        keys: [`${tests}/report.json`, `${tests}/report.html`, `${tests}/junit.xml`],
        name: 'TestReports',
      },
      { multipart: false },
    );
    // The report only links the archived metadata and analytics output (no read grant needed).
    return fn;
  }

  /** The state machine's role: run the runner tasks, invoke the report step, send the report job, log and trace. */
  private addRole(): ServiceRole {
    const { names, region, accountId, cluster, identities } = this.props;
    const role = new ServiceRole(this, 'role', {
      roleName: names.stateMachineRole,
      service: 'states.amazonaws.com',
      description: `Runs the ${names.stateMachine} state machine`,
      // Built from the name: the state machine's arn attribute would depend on this role.
      sourceAccount: accountId,
      sourceArn: `arn:${awsPartitionOf(region)}:states:${region}:${accountId}:stateMachine:${names.stateMachine}`,
    });
    cluster.grantRunTasks(role, identities.roleArns, region, accountId);
    role.addToPolicy({
      sid: 'InvokeReportStep',
      actions: ['lambda:InvokeFunction'],
      resources: [this.reportFunction.fn.arn, `${this.reportFunction.fn.arn}:*`],
    });
    this.props.reportJobs?.grantSend(role);
    role.addToPolicy({
      // CloudWatch Logs delivery for Step Functions is configured through these account-level
      // APIs, which have no resource type: AWS accepts only "*".
      sid: 'DeliverExecutionLogs',
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      resources: ['*'],
    });
    role.addToPolicy({
      // Trace submission and sampling rules have no resource type: AWS accepts only "*".
      sid: 'WriteTraces',
      actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
      resources: ['*'],
    });
    return role;
  }

  get arn(): string {
    return this.stateMachine.arn;
  }

  /** Lets a principal start executions and read their status (e.g. a CI role running `npm run loadtest`). */
  grantStartExecution(grantee: IGrantable): void {
    grantee.addToPolicy({ sid: 'StartLoadTest', actions: ['states:StartExecution'], resources: [this.stateMachine.arn] });
    grantee.addToPolicy({
      sid: 'WatchLoadTest',
      actions: ['states:DescribeExecution', 'states:GetExecutionHistory', 'states:StopExecution'],
      resources: [
        `arn:${awsPartitionOf(this.props.region)}:states:${this.props.region}:${this.props.accountId}:execution:${this.props.names.stateMachine}:*`,
      ],
    });
  }
}
