import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../lib/config';
import { planBudget } from '../../lib/ratelimits';
import { buildLoadTestLaunch } from '../../lib/runners/execution-input';
import { defaultTestId, testIdProblem } from '../../lib/runners/naming';
import { shardFailureOf } from '../../lib/runners/shard-exit';
import { runLoadTest, type LoadTestDeps } from '../../commands/loadtest';
import { exampleInput, loadFrom, repoEnvironment, TEST_NOW } from '../helpers/env';

const env = repoEnvironment('example');
const plan = planBudget(env.config);
const agentScripts = plan.scenarios.find((s) => s.name === 'agent-scripts')!;

describe('test ids', () => {
  it('default to <env>_<yyMMdd-HHmmss> in UTC, and to base-36 seconds when the name is long', () => {
    expect(defaultTestId('example', TEST_NOW)).toBe('example_261123-100000');
    const long = defaultTestId('a-very-long-env-name-xyz', TEST_NOW);
    expect(long).toMatch(/^a-very-long-env-name-xyz_[a-z0-9]+$/);
    expect(long.length).toBeLessThanOrEqual(36);
    expect(testIdProblem('a-very-long-env-name-xyz', long)).toBeUndefined();
  });

  it('must belong to the environment and fit ECS startedBy', () => {
    expect(testIdProblem('example', 'example_ok-1')).toBeUndefined();
    expect(testIdProblem('example', 'example-2_ok')).toMatch(/must be "example_"/);
    expect(testIdProblem('pr-1', 'pr-12_x')).toMatch(/must be "pr-1_"/);
    expect(testIdProblem('example', `example_${'x'.repeat(29)}`)).toMatch(/at most 36/);
    expect(testIdProblem('example', 'example_UPPER')).toMatch(/lower-case/);
  });
});

describe('buildLoadTestLaunch', () => {
  it('computes the input, the deterministic ARNs and where results land', () => {
    const launch = buildLoadTestLaunch(env, plan, { scenario: 'agent-scripts', now: TEST_NOW });
    expect(launch.input).toEqual({
      testId: 'example_261123-100000',
      scenario: 'agent-scripts',
      shards: agentScripts.sizing.shards,
      durationSec: 1800,
    });
    expect(launch.stateMachineArn).toBe('arn:aws:states:us-east-1:111122223333:stateMachine:loadlab-example-loadtest');
    expect(launch.executionArn).toBe('arn:aws:states:us-east-1:111122223333:execution:loadlab-example-loadtest:example_261123-100000');
    expect(launch.resultsUri).toBe('s3://loadlab-example-results-111122223333/results/example_261123-100000/');
    expect(launch.planKey).toBe('results/example_261123-100000/plan/agent-scripts.jmx');
    expect(launch.reportHtmlUri).toBe('s3://loadlab-example-results-111122223333/results/example_261123-100000/report.html');
    expect(launch.executionConsoleUrl).toContain(
      'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn:aws:states:',
    );
    expect(launch.targetRequestsPerMinute).toBeCloseTo(agentScripts.requestsPerMinute, 6);
  });

  it('a pr-* environment writes into its base archive under its own test ids', () => {
    const pr = loadFrom({ example: exampleInput() }, 'pr-7', 'example');
    const launch = buildLoadTestLaunch(pr, planBudget(pr.config), { scenario: 'agent-scripts', now: TEST_NOW });
    expect(launch.resultsUri).toBe('s3://loadlab-example-results-111122223333/results/pr-7_261123-100000/');
    expect(launch.stateMachineArn).toMatch(/:stateMachine:loadlab-pr-7-loadtest$/);
  });

  it('runs fewer shards on request, with a warning, and never more than planned', () => {
    const launch = buildLoadTestLaunch(env, plan, { scenario: 'agent-scripts', shards: 1, durationSec: 300, now: TEST_NOW });
    expect(launch.input).toMatchObject({ shards: 1, durationSec: 300 });
    expect(launch.warnings.join(' ')).toMatch(/running 1 of \d+ planned shards/);
    expect(() => buildLoadTestLaunch(env, plan, { scenario: 'agent-scripts', shards: 99, now: TEST_NOW })).toThrow(
      /--shards must be an integer from 1 to/,
    );
  });

  it('names every bad flag at once', () => {
    let error: ConfigError | undefined;
    try {
      buildLoadTestLaunch(env, plan, { scenario: 'agent-scripts', testId: 'bad id', shards: 0, durationSec: 5, now: TEST_NOW });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(' ')[0])).toEqual(['--test-id', '--shards', '--duration-sec']);
    expect(() => buildLoadTestLaunch(env, plan, { scenario: 'nope', now: TEST_NOW })).toThrow(
      /choose one of screen-recording, agent-scripts/,
    );
  });

  it('refuses an over-budget scenario', () => {
    const input = exampleInput() as any;
    input.loadProfile.scenarios[1].fixedSizing = { shards: 1, tokensPerShard: 1 };
    const over = loadFrom({ example: input }, 'example');
    expect(() => buildLoadTestLaunch(over, planBudget(over.config), { scenario: 'agent-scripts', now: TEST_NOW })).toThrow(/over-budget/);
  });
});

describe('npm run loadtest', () => {
  function deps(overrides: Partial<LoadTestDeps> = {}) {
    const sent: { client: string; name: string; input: any }[] = [];
    const lines: string[] = [];
    const client =
      (name: string, reply: (cmd: any) => any = () => ({})) =>
      () => ({
        send: async (cmd: any) => {
          sent.push({ client: name, name: cmd.constructor.name, input: cmd.input });
          return reply(cmd);
        },
      });
    const d: LoadTestDeps = {
      s3: client('s3') as any,
      sfn: client('sfn', (cmd) =>
        cmd.constructor.name === 'DescribeExecutionCommand' ? { status: 'SUCCEEDED' } : { executionArn: 'x' },
      ) as any,
      now: () => TEST_NOW,
      log: (l) => lines.push(l),
      loadEnv: () => env,
      sleep: async () => undefined,
      ...overrides,
    };
    return { d, sent, lines };
  }

  it('--dry-run prints the input and calls no AWS API', async () => {
    const { d, sent, lines } = deps();
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--dry-run'], d)).toBe(0);
    expect(sent).toEqual([]);
    expect(JSON.parse(lines[0])).toEqual({
      testId: 'example_261123-100000',
      scenario: 'agent-scripts',
      shards: agentScripts.sizing.shards,
      durationSec: 1800,
    });
    expect(lines.join('\n')).toContain('s3://loadlab-example-results-111122223333/results/example_261123-100000/report.html');
  });

  it('--dry-run prints the estimated cost of the run it would start, scaled to --shards and --duration-sec', async () => {
    const full = deps();
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--dry-run'], full.d)).toBe(0);
    const half = deps();
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--dry-run', '--shards', '1', '--duration-sec', '900'], half.d)).toBe(0);
    const total = (lines: string[]): number => {
      const line = lines.find((l) => l.startsWith('Estimated cost of this run: $'));
      expect(line).toMatch(/prices: the us-east-1 table of \d{4}-\d{2}-\d{2}/);
      return Number(/\$([\d.]+)/.exec(line!)![1]);
    };
    expect(full.lines.some((l) => /^  Fargate vCPU: .* vCPU-hour x \$0\.0405 = \$/.test(l))).toBe(true);
    expect(total(half.lines)).toBeGreaterThan(0);
    expect(total(half.lines)).toBeLessThan(total(full.lines) / 2);
  });

  it('uploads the generated plan next to the results, then starts the execution named after the test', async () => {
    const { d, sent, lines } = deps();
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--shards', '2', '--watch'], d)).toBe(0);
    expect(sent.map((s) => `${s.client}:${s.name}`)).toEqual([
      's3:PutObjectCommand',
      's3:PutObjectCommand',
      'sfn:StartExecutionCommand',
      'sfn:DescribeExecutionCommand',
    ]);
    expect(sent[0].input).toMatchObject({
      Bucket: 'loadlab-example-results-111122223333',
      Key: 'results/example_261123-100000/plan/agent-scripts.jmx',
    });
    expect(String(sent[0].input.Body)).toContain('<jmeterTestPlan');
    // The plan summary beside it, at the shards this test runs: the report draws the planned rate from it.
    expect(sent[1].input).toMatchObject({
      Bucket: 'loadlab-example-results-111122223333',
      Key: 'results/example_261123-100000/plan/agent-scripts.summary.json',
      ContentType: 'application/json',
    });
    const uploaded = JSON.parse(String(sent[1].input.Body));
    expect(uploaded).toMatchObject({ scenario: 'agent-scripts', shards: 2, durationSec: 1800 });
    expect(uploaded.targetRpmPerShard * agentScripts.sizing.shards).toBeCloseTo(agentScripts.requestsPerMinute, 0);
    expect(sent[2].input).toMatchObject({
      stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:loadlab-example-loadtest',
      name: 'example_261123-100000',
    });
    expect(JSON.parse(sent[2].input.input)).toEqual({
      testId: 'example_261123-100000',
      scenario: 'agent-scripts',
      shards: 2,
      durationSec: 1800,
    });
    expect(lines).toContain('[0 s] SUCCEEDED');
  });

  it('takes a user .jmx and a params CSV, and requires the CSV when the generated plan needs ids', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadtest-'));
    writeFileSync(path.join(dir, 'own.jmx'), '<?xml version="1.0"?><jmeterTestPlan version="1.2"></jmeterTestPlan>');
    writeFileSync(path.join(dir, 'ids.csv'), 'conversationId,communicationId\na,b\n');
    const { d, sent } = deps();
    await runLoadTest(['--scenario', 'messaging', '--jmx', path.join(dir, 'own.jmx'), '--params', path.join(dir, 'ids.csv')], d);
    expect(sent.filter((s) => s.name === 'PutObjectCommand').map((s) => s.input.Key)).toEqual([
      'results/example_261123-100000/plan/messaging.jmx',
      'results/example_261123-100000/plan/messaging.params',
    ]);
    await expect(runLoadTest(['--scenario', 'messaging'], deps().d)).rejects.toThrow(/--params is required for scenario messaging/);
  });

  it('explains a reused test id and a missing deployment', async () => {
    const failing = (name: string) =>
      deps({
        sfn: () =>
          ({
            send: async () => {
              throw Object.assign(new Error(name), { name });
            },
          }) as any,
      }).d;
    await expect(
      runLoadTest(['--scenario', 'agent-scripts', '--test-id', 'example_again'], failing('ExecutionAlreadyExists')),
    ).rejects.toThrow(/--test-id example_again was already used/);
    await expect(runLoadTest(['--scenario', 'agent-scripts'], failing('StateMachineDoesNotExist'))).rejects.toThrow(
      /deploy example-runners first/,
    );
  });

  it('a failed execution under --watch exits non-zero and points at the partial report', async () => {
    const { d, lines } = deps({
      sfn: () =>
        ({
          send: async (cmd: any) =>
            cmd.constructor.name === 'DescribeExecutionCommand' ? { status: 'FAILED', error: 'LoadTestFailed' } : {},
        }) as any,
    });
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--watch'], d)).toBe(1);
    expect(lines.join('\n')).toMatch(/ended FAILED: LoadTestFailed[\s\S]*partial report/);
  });

  it("under --watch prints the run's actual cost: from the report step's output, or the partial report.json", async () => {
    const output = JSON.stringify({
      testId: 'x',
      cost: { actualUsd: 0.0412, estimateUsd: 0.05, region: 'us-east-1', pricesDate: '2026-12-07' },
    });
    const ok = deps({
      sfn: () =>
        ({ send: async (cmd: any) => (cmd.constructor.name === 'DescribeExecutionCommand' ? { status: 'SUCCEEDED', output } : {}) }) as any,
    });
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--watch'], ok.d)).toBe(0);
    expect(ok.lines).toContain(
      'cost: actual $0.0412, estimated $0.0500 (prices: the us-east-1 table of 2026-12-07; every line in report.html)',
    );

    const report = { cost: { prices: { region: 'us-east-1', date: '2026-12-07' }, estimate: null, actual: { usd: 0.0101 } } };
    const failed = deps({
      s3: () =>
        ({
          send: async (cmd: any) =>
            cmd.constructor.name === 'GetObjectCommand' ? { Body: { transformToString: async () => JSON.stringify(report) } } : {},
        }) as any,
      sfn: () => ({ send: async (cmd: any) => (cmd.constructor.name === 'DescribeExecutionCommand' ? { status: 'FAILED' } : {}) }) as any,
    });
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--watch'], failed.d)).toBe(1);
    expect(failed.lines).toContain('cost: actual $0.0101 (prices: the us-east-1 table of 2026-12-07; every line in report.html)');

    // No report to read: said, and the exit code is the test's.
    const none = deps({
      s3: () =>
        ({ send: async (cmd: any) => (cmd.constructor.name === 'GetObjectCommand' ? Promise.reject(new Error('NoSuchKey')) : {}) }) as any,
      sfn: () => ({ send: async (cmd: any) => (cmd.constructor.name === 'DescribeExecutionCommand' ? { status: 'FAILED' } : {}) }) as any,
    });
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--watch'], none.d)).toBe(1);
    expect(none.lines).toContain('cost: unknown — NoSuchKey');
  });

  it('under --watch names the failed shard, its exit code and ECS stopped reason, from the execution cause', async () => {
    // The cause as the state machine's TestFailed writes it: the map's error, whose Cause is the ECS task (runTask.sync).
    const task = {
      TaskArn: 'arn:aws:ecs:us-east-1:111122223333:task/loadlab-example-runners/abc',
      StopCode: 'EssentialContainerExited',
      StoppedReason: 'Essential container in task exited',
      Containers: [{ Name: 'jmeter', ExitCode: 4, LastStatus: 'STOPPED' }],
      Overrides: {
        ContainerOverrides: [
          {
            Name: 'jmeter',
            Environment: [
              { Name: 'TEST_ID', Value: 'example_x' },
              { Name: 'SHARD_INDEX', Value: '2' },
            ],
          },
        ],
      },
    };
    const cause = JSON.stringify({ testId: 'example_x', failure: { Error: 'States.TaskFailed', Cause: JSON.stringify(task) } });
    const { d, lines } = deps({
      sfn: () =>
        ({
          send: async (cmd: any) =>
            cmd.constructor.name === 'DescribeExecutionCommand' ? { status: 'FAILED', error: 'LoadTestFailed', cause } : {},
        }) as any,
    });
    expect(await runLoadTest(['--scenario', 'agent-scripts', '--watch'], d)).toBe(1);
    expect(lines).toContain(
      'shard 2 failed: exit 4: fewer access tokens than planned (TOKENS_PER_SHARD); Essential container in task exited',
    );
    // The whole task is not dumped when the shard's failure could be read from it.
    expect(lines.join('\n')).not.toContain('ContainerOverrides');
  });

  it('explains a timed-out shard and any other exit code', () => {
    const timeout = JSON.stringify({ testId: 't', failure: { Error: 'States.Timeout', Cause: 'timed out' } });
    expect(shardFailureOf(timeout)).toBe('a shard ran past its timeout');
    const killed = {
      Containers: [{ ExitCode: 137 }],
      Overrides: { ContainerOverrides: [{ Environment: [{ Name: 'SHARD_INDEX', Value: '0' }] }] },
    };
    expect(shardFailureOf(JSON.stringify({ failure: { Error: 'States.TaskFailed', Cause: JSON.stringify(killed) } }))).toBe(
      'shard 0 failed: exit 137: killed by signal 9',
    );
    expect(shardFailureOf('not json')).toBeUndefined();
    expect(
      shardFailureOf(JSON.stringify({ testId: 't', failure: { Error: 'States.TaskFailed', Cause: 'launch failed' } })),
    ).toBeUndefined();
  });

  it('rejects a non-numeric --shards', async () => {
    await expect(runLoadTest(['--scenario', 'agent-scripts', '--shards', 'two'], deps().d)).rejects.toThrow(
      /--shards must be a whole number/,
    );
  });
});
