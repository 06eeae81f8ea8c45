import { exampleInput, loadFrom, repoEnvironment } from '../helpers/env';
import { runnerClientSlots } from '../../lib/ratelimits';
import { MAX_SHARDS_PER_TEST } from '../../lib/runners/naming';
import { DEFAULT_SHARD_CHECKS, SHARD_EXIT_CODES, shardFailureOf } from '../../lib/runners/shard-exit';
import { ConfigError } from '../../lib/config';
import { runDefinition, TaskError, type Call, type Json } from './asl';
import { buildRunners, definitionOf, fakeQueue } from './helpers';
import { taskDefinitionSize } from '../../stacks/runners-stack';
import type { RateBudget } from '../../lib/ratelimits';

const env = repoEnvironment('example');
const built = buildRunners(env, { queue: fakeQueue() });
const definition = definitionOf(built.json);
const agentScripts = built.budget.scenarios.find((s) => s.name === 'agent-scripts')!;
const TEST_ID = 'example_261123-100000';

const RUN = 'arn:aws:states:::ecs:runTask.sync';
const envOf = (call: Call): Record<string, string> =>
  Object.fromEntries(call.args.Overrides.ContainerOverrides[0].Environment.map((e: { Name: string; Value: string }) => [e.Name, e.Value]));

/** Fake AWS: every shard succeeds unless `failShard` says otherwise; listTasks answers from `running`. */
function services(options: { failShard?: number; exitCode?: number; running?: string[][] } = {}) {
  const running = [...(options.running ?? [])];
  return (resource: string, args: Json): Json => {
    switch (resource) {
      case RUN: {
        const shard = Number(args.Overrides.ContainerOverrides[0].Environment.find((e: Json) => e.Name === 'SHARD_INDEX').Value);
        // The cause as runTask.sync reports a stopped task: the ECS task, its overrides and its container's exit code.
        const task = {
          StopCode: 'EssentialContainerExited',
          StoppedReason: 'Essential container in task exited',
          Containers: [{ Name: 'jmeter', ExitCode: options.exitCode ?? 1 }],
          Overrides: args.Overrides,
        };
        if (shard === options.failShard) throw new TaskError('States.TaskFailed', JSON.stringify(task));
        return {
          TaskArn: `arn:aws:ecs:us-east-1:111122223333:task/loadlab-example-runners/${shard}`,
          StopCode: 'EssentialContainerExited',
        };
      }
      case 'arn:aws:states:::lambda:invoke':
        return { StatusCode: 200, Payload: { testId: args.Payload.testId, partial: args.Payload.partial } };
      case 'arn:aws:states:::sqs:sendMessage':
        return { MessageId: 'm-1' };
      case 'arn:aws:states:::aws-sdk:ecs:listTasks':
        return { TaskArns: running.shift() ?? [] };
      case 'arn:aws:states:::aws-sdk:ecs:stopTask':
        return { Task: { TaskArn: args.Task } };
      default:
        throw new Error(`unexpected resource ${resource}`);
    }
  };
}

describe('load-test state machine definition', () => {
  it('maps over the shards with ecs:runTask.sync and then runs the report step', () => {
    const map = definition.States.RunShards;
    expect(map.Type).toBe('Map');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(map.ItemProcessor.States.RunShard.Resource).toBe(RUN);
    expect(map.Next).toBe('Report');
    expect(definition.States.Report.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(definition.States.Report.Arguments.FunctionName).toMatch(/^\$\{aws_lambda_function\.[^}]+\.arn\}$/);
  });

  it('catches any failure of the map and routes it through stop-all-tasks and a partial report to a failed execution', () => {
    const states = definition.States;
    expect(states.RunShards.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'ListRunningTasks' })]);
    expect(states.ListRunningTasks.Resource).toBe('arn:aws:states:::aws-sdk:ecs:listTasks');
    expect(states.ListRunningTasks.Arguments.StartedBy).toBe('{% $testId %}');
    expect(states.StopTasks.ItemProcessor.States.StopTask.Resource).toBe('arn:aws:states:::aws-sdk:ecs:stopTask');
    expect(states.StopTasks.Next).toBe('ListRunningTasks');
    expect(states.PartialReport.Arguments.Payload.partial).toBe(true);
    expect(states.PartialReport.Next).toBe('TestFailed');
    expect(states.TestFailed.Type).toBe('Fail');
  });

  it('every Next points at a state and every state is reachable', () => {
    const check = (machine: Json) => {
      const names = Object.keys(machine.States);
      const targets = new Set<string>([machine.StartAt]);
      for (const s of Object.values<Json>(machine.States)) {
        for (const t of [s.Next, s.Default, ...(s.Choices ?? []).map((c: Json) => c.Next), ...(s.Catch ?? []).map((c: Json) => c.Next)]) {
          if (t) {
            expect(names).toContain(t);
            targets.add(t);
          }
        }
        if (s.ItemProcessor) check(s.ItemProcessor);
      }
      expect([...targets].sort()).toEqual(names.sort());
    };
    check(definition);
  });

  it('contains no Terraform interpolation of its own: every ${ is a resource reference', () => {
    const text = String((Object.values(built.json.resource!.aws_sfn_state_machine)[0] as Json).definition);
    expect(text).not.toContain('%{');
    const refs = text.match(/\$\{[^}]*\}/g) ?? [];
    for (const r of refs) expect(r).toMatch(/^\$\{(aws_[a-z0-9_]+|data\.aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+\.[a-z_]+\}$/);
  });

  it('bakes one table entry per planned shard: its own task role and secret, threads and budgeted rate', () => {
    const table = definition.States.Setup.Assign.scenarios;
    expect(Object.keys(table)).toEqual(built.budget.scenarios.map((s) => s.name));
    const slots = runnerClientSlots(built.budget).filter((s) => s.scenario === 'agent-scripts');
    const entry = table['agent-scripts'];
    expect(entry.plannedShards).toBe(agentScripts.sizing.shards);
    expect(entry.tokensPerShard).toBe(agentScripts.sizing.tokensPerShard);
    expect(entry.shards.map((s: Json) => [s.index, s.client, s.threads])).toEqual(slots.map((s) => [s.shard, s.index, s.threads]));
    expect(new Set(entry.shards.map((s: Json) => s.taskRoleArn)).size).toBe(slots.length);
    expect(new Set(entry.shards.map((s: Json) => s.secretArn)).size).toBe(slots.length);
  });
});

describe('running the definition (JSONata evaluated by the jsonata library)', () => {
  it('starts every shard with its own role and secret, one common start time and its share of the budget', async () => {
    const input = { testId: TEST_ID, scenario: 'agent-scripts', shards: agentScripts.sizing.shards, durationSec: 600 };
    const run = await runDefinition(definition, input, services());
    expect(run.status).toBe('SUCCEEDED');
    const runs = run.calls.filter((c) => c.resource === RUN);
    expect(runs).toHaveLength(agentScripts.sizing.shards);
    const table = definition.States.Setup.Assign.scenarios['agent-scripts'].shards;
    runs.forEach((call, i) => {
      const e = envOf(call);
      expect(call.args.Overrides.TaskRoleArn).toBe(table[i].taskRoleArn);
      // The scenario plan's task size, as strings (ECS takes cpu and memory overrides as strings).
      expect(call.args.Overrides).toMatchObject({ Cpu: String(agentScripts.task.cpu), Memory: String(agentScripts.task.memoryMiB) });
      expect(e).toMatchObject({
        TEST_ID,
        SCENARIO: 'agent-scripts',
        SHARD_INDEX: String(i),
        SHARD_COUNT: String(agentScripts.sizing.shards),
        CLIENT_SECRET_ARN: table[i].secretArn,
        THREADS: String(table[i].threads),
        TARGET_RPM: String(table[i].targetRpm),
        TOKENS_PER_SHARD: String(agentScripts.sizing.tokensPerShard),
        DURATION_SEC: '600',
        START_AT: '2026-11-23T10:02:00.000Z',
        PLAN_S3_URI: `s3://loadlab-example-results-111122223333/results/${TEST_ID}/plan/agent-scripts.jmx`,
        RESULTS_S3_URI: `s3://loadlab-example-results-111122223333/results/${TEST_ID}/shards/${i}/`,
        PARAMS_S3_URI: '',
      });
      expect(call.args.StartedBy).toBe(TEST_ID);
      expect(call.timeoutSec).toBe(600 + 120 + 900);
    });
    const rpm = runs.reduce((sum, c) => sum + Number(envOf(c).TARGET_RPM), 0);
    expect(rpm).toBeCloseTo(agentScripts.requestsPerMinute, 1);

    const report = run.calls.find((c) => c.state === 'Report')!;
    expect(report.args.Payload).toMatchObject({
      testId: TEST_ID,
      resultsBucket: 'loadlab-example-results-111122223333',
      resultsPrefix: `results/${TEST_ID}/`,
      analyticsBucket: 'loadlab-example-reports-111122223333',
      metadataPrefix: 'metadata/',
      analyticsPrefix: `analytics/${TEST_ID}/`,
      partial: false,
    });
    const sqs = run.calls.find((c) => c.state === 'RequestAnalytics')!;
    const body = JSON.parse(sqs.args.MessageBody);
    expect(body.testId).toBe(TEST_ID);
    expect(body.interval).toMatch(/^2026-11-23T10:02:00\.000Z\/2026-11-23T10:\d\d:\d\d\.\d{3}Z$/);
    expect(run.calls.some((c) => c.resource.includes('stopTask'))).toBe(false);
  });

  it('runs a single shard as a list of one (JSONata would otherwise unwrap it)', async () => {
    const run = await runDefinition(definition, { testId: TEST_ID, scenario: 'agent-scripts', shards: 1, durationSec: 60 }, services());
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.filter((c) => c.resource === RUN).map((c) => envOf(c).SHARD_INDEX)).toEqual(['0']);
  });

  it('points the shards at the ids file when the input says one was uploaded', async () => {
    const run = await runDefinition(definition, { testId: TEST_ID, scenario: 'messaging', params: true }, services());
    expect(run.status).toBe('SUCCEEDED');
    expect(envOf(run.calls.find((c) => c.resource === RUN)!).PARAMS_S3_URI).toBe(
      `s3://loadlab-example-results-111122223333/results/${TEST_ID}/plan/messaging.params`,
    );
  });

  it('defaults shards and duration to the plan', async () => {
    const run = await runDefinition(definition, { testId: TEST_ID, scenario: 'screen-recording' }, services());
    expect(run.status).toBe('SUCCEEDED');
    const sp = built.budget.scenarios.find((s) => s.name === 'screen-recording')!;
    const runs = run.calls.filter((c) => c.resource === RUN);
    expect(runs).toHaveLength(sp.sizing.shards);
    expect(envOf(runs[0]).DURATION_SEC).toBe(String(sp.durationSec));
  });

  it('on a failed shard stops every running task of the test, writes a partial report and fails', async () => {
    const arns = [
      'arn:aws:ecs:us-east-1:111122223333:task/loadlab-example-runners/a',
      'arn:aws:ecs:us-east-1:111122223333:task/loadlab-example-runners/b',
    ];
    const run = await runDefinition(
      definition,
      { testId: TEST_ID, scenario: 'agent-scripts', durationSec: 600 },
      services({ failShard: 1, running: [arns, []] }),
    );
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('LoadTestFailed');
    expect(JSON.parse(run.cause!)).toMatchObject({ testId: TEST_ID, failure: { Error: 'States.TaskFailed' } });
    const lists = run.calls.filter((c) => c.state === 'ListRunningTasks');
    expect(lists).toHaveLength(2);
    expect(lists[0].args).toMatchObject({ StartedBy: TEST_ID, DesiredStatus: 'RUNNING' });
    expect(run.calls.filter((c) => c.state === 'StopTask').map((c) => c.args.Task)).toEqual(arns);
    const partial = run.calls.find((c) => c.state === 'PartialReport')!;
    expect(partial.args.Payload).toMatchObject({ testId: TEST_ID, partial: true, error: { Error: 'States.TaskFailed' } });
    expect(run.calls.some((c) => c.state === 'RequestAnalytics' || c.state === 'Report')).toBe(false);
  });

  it.each(Object.entries(SHARD_EXIT_CODES).filter(([, c]) => c.code !== 1))(
    'a shard exiting %s takes the failure path, and the execution says which shard and why',
    async (_name, { code, meaning }) => {
      const run = await runDefinition(
        definition,
        { testId: TEST_ID, scenario: 'agent-scripts', durationSec: 600 },
        services({ failShard: 2, exitCode: code, running: [[]] }),
      );
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe('LoadTestFailed');
      expect(run.visited).toEqual(expect.arrayContaining(['ListRunningTasks', 'PartialReport', 'TestFailed']));
      expect(run.calls.find((c) => c.state === 'PartialReport')!.args.Payload).toMatchObject({ partial: true });
      // What npm run loadtest --watch prints from DescribeExecution's cause.
      expect(shardFailureOf(run.cause)).toBe(`shard 2 failed: exit ${code}: ${meaning}; Essential container in task exited`);
    },
  );

  it("hands every shard the scenario's checks", async () => {
    const run = await runDefinition(definition, { testId: TEST_ID, scenario: 'agent-scripts', durationSec: 600 }, services());
    const runs = run.calls.filter((c) => c.resource === RUN);
    expect(runs.length).toBeGreaterThan(0);
    for (const call of runs)
      expect(envOf(call)).toMatchObject({
        MAX_ERROR_SHARE: String(DEFAULT_SHARD_CHECKS.maxErrorShare),
        MAX_429_SHARE: String(DEFAULT_SHARD_CHECKS.max429Share),
      });
  });

  it('stops a single straggler (one task ARN is still a list)', async () => {
    const run = await runDefinition(
      definition,
      { testId: TEST_ID, scenario: 'agent-scripts' },
      services({ failShard: 0, running: [['arn:x/1'], []] }),
    );
    expect(run.calls.filter((c) => c.state === 'StopTask').map((c) => c.args.Task)).toEqual(['arn:x/1']);
    expect(run.status).toBe('FAILED');
  });

  it('gives up stopping after a bounded number of rounds and still reports', async () => {
    const forever = Array.from({ length: 50 }, () => ['arn:x/stuck']);
    const run = await runDefinition(
      definition,
      { testId: TEST_ID, scenario: 'agent-scripts' },
      services({ failShard: 0, running: forever }),
    );
    expect(run.calls.filter((c) => c.state === 'ListRunningTasks').length).toBeLessThanOrEqual(11);
    expect(run.visited).toContain('PartialReport');
    expect(run.error).toBe('LoadTestFailed');
  });

  it.each([
    ['a test id of another environment', { testId: 'pr-7_261123-100000', scenario: 'agent-scripts' }],
    ['a test id longer than ECS startedBy allows', { testId: `example_${'a'.repeat(30)}`, scenario: 'agent-scripts' }],
    ['no test id', { scenario: 'agent-scripts' }],
    ['an unknown scenario', { testId: TEST_ID, scenario: 'nope' }],
    ['more shards than planned', { testId: TEST_ID, scenario: 'agent-scripts', shards: 999 }],
    ['zero shards', { testId: TEST_ID, scenario: 'agent-scripts', shards: 0 }],
    ['a fractional shard count', { testId: TEST_ID, scenario: 'agent-scripts', shards: 1.5 }],
    ['a too short duration', { testId: TEST_ID, scenario: 'agent-scripts', durationSec: 5 }],
    ['a duration given as text', { testId: TEST_ID, scenario: 'agent-scripts', durationSec: '600' }],
    ['params that are not a boolean', { testId: TEST_ID, scenario: 'agent-scripts', params: 'yes' }],
  ])('rejects %s before starting anything', async (_label, input) => {
    const run = await runDefinition(definition, input, services());
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InvalidInput');
    expect(run.calls).toEqual([]);
  });

  it('without a report-jobs queue, ends after the report', async () => {
    const plain = definitionOf(buildRunners(env).json);
    expect(plain.States.RequestAnalytics).toBeUndefined();
    const run = await runDefinition(plain, { testId: TEST_ID, scenario: 'agent-scripts', shards: 1 }, services());
    expect(run.status).toBe('SUCCEEDED');
    expect(run.visited.slice(-2)).toEqual(['Report', 'Succeeded']);
  });
});

describe('shard limits', () => {
  it('sizes the task definition as the largest scenario task, a valid pair each shard overrides downwards', () => {
    const sizes = [
      { cpu: 512, memoryMiB: 4096 },
      { cpu: 1024, memoryMiB: 2048 },
      { cpu: 256, memoryMiB: 512 },
    ];
    const plan = { scenarios: sizes.map((task) => ({ task })) } as unknown as RateBudget;
    expect(taskDefinitionSize(plan)).toEqual({ cpu: 1024, memoryMiB: 2048 });
  });

  it(`refuses a scenario needing more than ${MAX_SHARDS_PER_TEST} shards, naming it`, () => {
    const input = exampleInput() as Json;
    input.genesys.maxRunnerClients = 500;
    input.loadProfile.scenarios[0].fixedSizing = { shards: MAX_SHARDS_PER_TEST + 1, tokensPerShard: 1 };
    const big = loadFrom({ example: input }, 'example');
    expect(() => buildRunners(big)).toThrow(ConfigError);
    expect(() => buildRunners(big)).toThrow(/loadProfile\.scenarios\[0\] \(screen-recording\) needs 41 shards/);
  });
});
