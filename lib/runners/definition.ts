/**
 * The load-test state machine as Amazon States Language (JSONata), built as plain data so the
 * construct only serializes it and tests can walk it. Terraform references (ARNs, subnet ids)
 * stay inside the strings; nothing here may contain `${` or `%{` of its own, which Terraform
 * would try to interpolate.
 *
 *   CheckInput ─ invalid ─> InvalidInput (fail)
 *      │
 *   Prepare (variables: testId, scenario, shardCount, durationSec, startAt = start + delay)
 *      │
 *   RunShards: Map over the scenario's shards ── any failure ──> ListRunningTasks <──┐
 *      │        ecs:runTask.sync per shard                        │ none left        │
 *   Report (report-step Lambda)                                   │ else StopTasks ──┘
 *      │                                                      PartialReport
 *   RequestAnalytics (report-jobs queue, optional)                │
 *      │                                                      TestFailed (fail)
 *   Succeeded
 */
import { MAX_TEST_ID_LENGTH, RUNNER_CONTAINER_NAME, testIdPattern } from './naming';
import { inputField, MAX_DURATION_SEC, MIN_DURATION_SEC } from '../contracts/load-test-input';
import type { ReportStepInput, ShardTaskRecord } from '../contracts/report-step';
import { SHARD_ENV_VARS, type ShardEnvVar } from '../contracts/shard-container';
import { testKeyExpression } from '../contracts/test-keys';

/** One shard of a scenario, as baked into the definition. */
export interface ShardEntry {
  /** Shard index within the scenario (0-based). */
  readonly index: number;
  /** Index of the runner OAuth client in the environment's pool. */
  readonly client: number;
  readonly taskRoleArn: string;
  readonly secretArn: string;
  readonly threads: number;
  readonly targetRpm: number;
}

export interface ScenarioEntry {
  /** Shards the budget planned; an execution may run fewer, never more. */
  readonly plannedShards: number;
  readonly tokensPerShard: number;
  readonly durationSec: number;
  readonly rampUpSec: number;
  /** The shard's checks (shard-exit.ts): failed and 429 shares above which it exits non-zero. */
  readonly maxErrorShare: number;
  readonly max429Share: number;
  /** The scenario's Fargate task (the scenario plan's `task`): RunTask overrides the definition's size with it. */
  readonly taskCpu: number;
  readonly taskMemoryMiB: number;
  readonly shards: readonly ShardEntry[];
}

export interface DefinitionParams {
  readonly envName: string;
  readonly partition: string;
  readonly scenarios: Readonly<Record<string, ScenarioEntry>>;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly capacityProvider: 'FARGATE' | 'FARGATE_SPOT';
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly assignPublicIp: boolean;
  readonly resultsBucket: string;
  readonly analyticsBucket: string;
  readonly metadataPrefix: string;
  /** Root of the analytics job output in analyticsBucket; a test's own is `<analyticsPrefix><testId>/`. */
  readonly analyticsPrefix: string;
  readonly reportFunctionArn: string;
  /** The report-jobs queue; absent: no analytics job is requested. */
  readonly reportJobsQueueUrl?: string;
  /** Seconds from the execution start to the common shard start time. */
  readonly startDelaySec: number;
  /** Time a shard may run beyond start delay + duration (ramp-down, upload) before it is timed out. */
  readonly shardSlackSec: number;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type State = { [key: string]: Json };

const expr = (e: string): string => `{% ${e} %}`;

/** Errors of the report step worth retrying (throttling and transient service errors). */
const LAMBDA_TRANSIENT = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

function invokeReport(p: DefinitionParams, partial: boolean, next: string): State {
  // Typed by the contract: a field the report step does not declare cannot be sent.
  const payload: { -readonly [K in keyof ReportStepInput]?: Json } = {
    testId: expr('$testId'),
    resultsBucket: p.resultsBucket,
    resultsPrefix: expr(testKeyExpression('test', { testId: '$testId' })),
    analyticsBucket: p.analyticsBucket,
    metadataPrefix: p.metadataPrefix,
    // The report-jobs worker writes each test's analytics below <prefix><testId>/.
    analyticsPrefix: expr(`'${p.analyticsPrefix}' & $testId & '/'`),
    shards: expr('$shardCount'),
    partial,
  };
  if (partial) payload.error = expr('$failure');
  // RunShards' record of each task ([ ] keeps one shard a list): the report prices the tasks' own times.
  else payload.tasks = expr('[$states.input.shards]');
  return {
    Type: 'Task',
    Comment: partial
      ? 'Merges whatever the shards uploaded before the failure (a partial report)'
      : 'Merges the raw results of all shards into report.json and report.html',
    Resource: `arn:${p.partition}:states:::lambda:invoke`,
    Arguments: { FunctionName: p.reportFunctionArn, Payload: payload as Json },
    Retry: [{ ErrorEquals: LAMBDA_TRANSIENT, IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
    Output: expr('$states.result.Payload'),
    ...(partial ? { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'TestFailed' }] } : {}),
    Next: next,
  };
}

/**
 * The containers' environment of one shard (values are strings, as ECS requires), as JSONata over
 * the map item. Typed by the contract: a variable entrypoint.sh expects cannot be left out.
 */
function shardEnvironment(p: DefinitionParams): Json[] {
  const bucket = `s3://${p.resultsBucket}/`;
  const slots = { testId: '$states.input.testId', scenario: '$states.input.scenario', shard: '$string($states.input.shard.index)' };
  const env: Record<ShardEnvVar, string> = {
    TEST_ID: slots.testId,
    SCENARIO: slots.scenario,
    SHARD_INDEX: slots.shard,
    SHARD_COUNT: '$string($states.input.shardCount)',
    CLIENT_SECRET_ARN: '$states.input.shard.secretArn',
    THREADS: '$string($states.input.shard.threads)',
    TARGET_RPM: '$string($states.input.shard.targetRpm)',
    TOKENS_PER_SHARD: '$string($states.input.tokensPerShard)',
    DURATION_SEC: '$string($states.input.durationSec)',
    RAMP_UP_SEC: '$string($states.input.rampUpSec)',
    START_AT: '$states.input.startAt',
    PLAN_S3_URI: testKeyExpression('plan', slots, bucket),
    RESULTS_S3_URI: testKeyExpression('shard', slots, bucket),
    // Empty: the plan reads no ids (the entrypoint then fetches nothing).
    PARAMS_S3_URI: `$states.input.params ? ${testKeyExpression('params', slots, bucket)} : ''`,
    MAX_ERROR_SHARE: '$string($states.input.maxErrorShare)',
    MAX_429_SHARE: '$string($states.input.max429Share)',
  };
  return SHARD_ENV_VARS.map((Name) => ({ Name, Value: expr(env[Name]) }));
}

/** What RunShard keeps of its task (ecs:runTask.sync's result): typed by the contract the report step reads. */
const TASK_RECORD: Record<keyof ShardTaskRecord, string> = {
  shard: '$states.input.shard.index',
  taskArn: '$states.result.TaskArn',
  stopCode: '$states.result.StopCode',
  pullStartedAt: '$states.result.PullStartedAt',
  startedAt: '$states.result.StartedAt',
  stoppedAt: '$states.result.StoppedAt',
};

function runShard(p: DefinitionParams): State {
  return {
    Type: 'Task',
    Comment: 'One JMeter shard on Fargate with its own task role (its OAuth client secret only); waits until the task stops',
    Resource: `arn:${p.partition}:states:::ecs:runTask.sync`,
    Arguments: {
      Cluster: p.clusterArn,
      TaskDefinition: p.taskDefinitionArn,
      CapacityProviderStrategy: [{ CapacityProvider: p.capacityProvider, Weight: 1 }],
      PlatformVersion: 'LATEST',
      NetworkConfiguration: {
        AwsvpcConfiguration: {
          Subnets: [...p.subnetIds],
          SecurityGroups: [...p.securityGroupIds],
          AssignPublicIp: p.assignPublicIp ? 'ENABLED' : 'DISABLED',
        },
      },
      // The failure path finds every task of this test by startedBy.
      StartedBy: expr('$states.input.testId'),
      Group: expr("'loadtest:' & $states.input.scenario"),
      EnableECSManagedTags: true,
      PropagateTags: 'TASK_DEFINITION',
      Tags: [
        { Key: 'loadlab-test-id', Value: expr('$states.input.testId') },
        { Key: 'loadlab-shard', Value: expr('$string($states.input.shard.index)') },
      ],
      Overrides: {
        TaskRoleArn: expr('$states.input.shard.taskRoleArn'),
        // Each scenario runs on the task size its plan picked (the definition is the largest of them).
        Cpu: expr('$string($states.input.taskCpu)'),
        Memory: expr('$string($states.input.taskMemoryMiB)'),
        ContainerOverrides: [{ Name: RUNNER_CONTAINER_NAME, Environment: shardEnvironment(p) }],
      },
    },
    // A shard that outlives its test (hung JMeter, stuck upload) fails the map, which stops the rest.
    TimeoutSeconds: expr('$states.input.timeoutSec'),
    // Launch failures only (capacity, throttling): a task that ran and failed is States.TaskFailed.
    Retry: [{ ErrorEquals: ['ECS.AmazonECSException'], IntervalSeconds: 10, MaxAttempts: 2, BackoffRate: 2 }],
    Output: expr(
      `{ ${Object.entries(TASK_RECORD)
        .map(([field, value]) => `'${field}': ${value}`)
        .join(', ')} }`,
    ),
    End: true,
  };
}

const isInt = (v: string) => `$type(${v}) = 'number' and ${v} = $floor(${v})`;
const scenarioOf = `$lookup($scenarios, ${inputField('scenario')})`;
const invalid = (cause: string): State => ({ Type: 'Fail', Error: 'InvalidInput', Cause: cause });

/** CheckInput and its Fail states: every field of the execution input (LoadTestInput) checked before anything starts. */
function checkInputStates(p: DefinitionParams): Record<string, State> {
  const idRegex = `/${testIdPattern(p.envName)}/`;
  const [testId, shards, durationSec, params] = (['testId', 'shards', 'durationSec', 'params'] as const).map(inputField);
  return {
    CheckInput: {
      Type: 'Choice',
      Choices: [
        {
          Condition: expr(
            `$not($exists(${testId})) or $type(${testId}) != 'string' or $not($contains(${testId}, ${idRegex})) or $length(${testId}) > ${MAX_TEST_ID_LENGTH}`,
          ),
          Next: 'InvalidTestId',
        },
        { Condition: expr(`$not(${inputField('scenario')} in $keys($scenarios))`), Next: 'UnknownScenario' },
        {
          Condition: expr(`$exists(${shards}) and $not(${isInt(shards)} and ${shards} >= 1 and ${shards} <= ${scenarioOf}.plannedShards)`),
          Next: 'InvalidShards',
        },
        {
          Condition: expr(
            `$exists(${durationSec}) and $not(${isInt(durationSec)} and ${durationSec} >= ${MIN_DURATION_SEC} and ${durationSec} <= ${MAX_DURATION_SEC})`,
          ),
          Next: 'InvalidDuration',
        },
        { Condition: expr(`$exists(${params}) and $type(${params}) != 'boolean'`), Next: 'InvalidParams' },
      ],
      Default: 'Prepare',
    },
    InvalidTestId: invalid(
      `testId must be "${p.envName}_" followed by lower-case letters, digits or - (at most ${MAX_TEST_ID_LENGTH} characters); npm run loadtest makes one`,
    ),
    UnknownScenario: invalid(`scenario must be one of ${Object.keys(p.scenarios).join(', ')}`),
    InvalidShards: invalid("shards must be an integer from 1 to the scenario's planned shard count (npm run budget shows it)"),
    InvalidDuration: invalid(`durationSec must be an integer from ${MIN_DURATION_SEC} to ${MAX_DURATION_SEC}`),
    InvalidParams: invalid('params must be true (the ids CSV was uploaded beside the plan) or false'),
  };
}

/** The input's defaults filled in from the scenario, and one start time for every shard. */
function prepareState(p: DefinitionParams): State {
  const [shards, durationSec, params] = (['shards', 'durationSec', 'params'] as const).map(inputField);
  return {
    Type: 'Pass',
    Comment: 'One start time for every shard, so they begin together however long Fargate takes to start each',
    Assign: {
      testId: expr(inputField('testId')),
      scenario: expr(inputField('scenario')),
      shardCount: expr(`$exists(${shards}) ? ${shards} : ${scenarioOf}.plannedShards`),
      durationSec: expr(`$exists(${durationSec}) ? ${durationSec} : ${scenarioOf}.durationSec`),
      params: expr(`$exists(${params}) ? ${params} : false`),
      startAt: expr(`$fromMillis($toMillis($states.context.Execution.StartTime) + ${p.startDelaySec * 1000})`),
      failure: null,
      stopRounds: 0,
    },
    Next: 'RunShards',
  };
}

function runShardsState(p: DefinitionParams): State {
  return {
    Type: 'Map',
    Comment: 'Every shard at once (inline Map runs up to 40 concurrently; the stack refuses more shards)',
    // [ ] keeps a one-shard list an array (JSONata unwraps single-item sequences).
    Items: expr('[$filter($lookup($scenarios, $scenario).shards, function($v, $i) { $i < $shardCount })]'),
    ItemSelector: {
      shard: expr('$states.context.Map.Item.Value'),
      testId: expr('$testId'),
      scenario: expr('$scenario'),
      shardCount: expr('$shardCount'),
      durationSec: expr('$durationSec'),
      rampUpSec: expr('$min([$lookup($scenarios, $scenario).rampUpSec, $durationSec - 1])'),
      tokensPerShard: expr('$lookup($scenarios, $scenario).tokensPerShard'),
      // The scenario's shard checks, which the shard's environment hands to entrypoint.sh.
      maxErrorShare: expr('$lookup($scenarios, $scenario).maxErrorShare'),
      max429Share: expr('$lookup($scenarios, $scenario).max429Share'),
      taskCpu: expr('$lookup($scenarios, $scenario).taskCpu'),
      taskMemoryMiB: expr('$lookup($scenarios, $scenario).taskMemoryMiB'),
      startAt: expr('$startAt'),
      params: expr('$params'),
      timeoutSec: expr(`$durationSec + ${p.startDelaySec + p.shardSlackSec}`),
    },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: 'RunShard',
      States: { RunShard: runShard(p) },
    },
    Output: expr("{ 'shards': $states.result }"),
    Catch: [{ ErrorEquals: ['States.ALL'], Assign: { failure: expr('$states.errorOutput') }, Next: 'ListRunningTasks' }],
    Next: 'Report',
  };
}

/** After the report: ask the report-jobs worker for the analytics of the test window. */
function requestAnalyticsState(p: DefinitionParams, queueUrl: string): State {
  return {
    Type: 'Task',
    Comment: 'Asks the report worker for the analytics of the test window (async jobs API, never the synchronous query)',
    Resource: `arn:${p.partition}:states:::sqs:sendMessage`,
    Arguments: {
      QueueUrl: queueUrl,
      MessageBody: expr("$string({ 'testId': $testId, 'interval': $startAt & '/' & $states.context.State.EnteredTime })"),
    },
    Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
    Output: expr('$states.input'),
    Next: 'Succeeded',
  };
}

/** Stops every task this test started, in bounded rounds. */
function stopTasksState(p: DefinitionParams): State {
  return {
    Type: 'Map',
    Items: expr('$states.input.taskArns'),
    MaxConcurrency: 5,
    ItemSelector: { taskArn: expr('$states.context.Map.Item.Value'), testId: expr('$testId') },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: 'StopTask',
      States: {
        StopTask: {
          Type: 'Task',
          Resource: `arn:${p.partition}:states:::aws-sdk:ecs:stopTask`,
          Arguments: {
            Cluster: p.clusterArn,
            Task: expr('$states.input.taskArn'),
            Reason: expr("'load test ' & $states.input.testId & ' failed; stopped by the state machine'"),
          },
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2 }],
          // Already stopped, or gone: the next listing decides whether anything is left.
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'StopFailed' }],
          Output: expr("{ 'stopped': $states.input.taskArn }"),
          End: true,
        },
        StopFailed: { Type: 'Pass', End: true },
      },
    },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'PartialReport' }],
    Next: 'ListRunningTasks',
  };
}

/** The failure path: stop what still runs, write a partial report, fail. */
function failurePathStates(p: DefinitionParams): Record<string, State> {
  return {
    ListRunningTasks: {
      Type: 'Task',
      Comment: "Failure path: every still-running task of this test (Step Functions also stops the map's own tasks; this catches the rest)",
      Resource: `arn:${p.partition}:states:::aws-sdk:ecs:listTasks`,
      Arguments: { Cluster: p.clusterArn, StartedBy: expr('$testId'), DesiredStatus: 'RUNNING' },
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Assign: { stopRounds: expr('$stopRounds + 1') },
      Output: expr("{ 'taskArns': [$states.result.TaskArns] }"),
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'PartialReport' }],
      Next: 'AnyTaskRunning',
    },
    AnyTaskRunning: {
      Type: 'Choice',
      // Bounded: a task that refuses to stop must not keep the execution looping.
      Choices: [{ Condition: expr('$count($states.input.taskArns) > 0 and $stopRounds <= 10'), Next: 'StopTasks' }],
      Default: 'PartialReport',
    },
    StopTasks: stopTasksState(p),
    PartialReport: invokeReport(p, true, 'TestFailed'),
    TestFailed: {
      Type: 'Fail',
      Error: 'LoadTestFailed',
      Cause: expr("$string({ 'testId': $testId, 'failure': $failure })"),
    },
  };
}

/** The whole state machine definition as an object. */
export function loadTestDefinition(p: DefinitionParams): State {
  const queueUrl = p.reportJobsQueueUrl;
  return {
    Comment: `genesys-loadlab ${p.envName}: run a scenario's JMeter shards together, then merge their results`,
    QueryLanguage: 'JSONata',
    // The shard timeouts fire long before this; it only bounds a stuck cleanup.
    TimeoutSeconds: MAX_DURATION_SEC + p.startDelaySec + p.shardSlackSec + 3600,
    StartAt: 'Setup',
    States: {
      Setup: {
        Type: 'Pass',
        Comment: 'The per-scenario shard table, baked in at synth time from the rate budget',
        Assign: { scenarios: p.scenarios as unknown as Json },
        Next: 'CheckInput',
      },
      ...checkInputStates(p),
      Prepare: prepareState(p),
      RunShards: runShardsState(p),
      Report: invokeReport(p, false, queueUrl !== undefined ? 'RequestAnalytics' : 'Succeeded'),
      ...(queueUrl !== undefined ? { RequestAnalytics: requestAnalyticsState(p, queueUrl) } : {}),
      Succeeded: { Type: 'Succeed' },
      ...failurePathStates(p),
    },
  };
}
