import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import jsonata from 'jsonata';
import { SHARD_ENV_VARS, TASK_ENV_VARS, IMAGE_ENV_VARS, LOCAL_ENV_VARS } from '../../lib/contracts/shard-container';
import { TEST_KEY_TEMPLATES, testKey, testKeyExpression, type TestKey } from '../../lib/contracts/test-keys';
import { testKeys } from '../../lib/runners/naming';
import { DEFAULT_SHARD_CHECKS, SHARD_EXIT_CODES } from '../../lib/runners/shard-exit';
import { TOKEN_LABEL } from '../../loadtest/labels';
import { exampleInput, loadFrom, repoEnvironment } from '../helpers/env';
import { buildRunners, definitionOf } from './helpers';

const ROOT = path.join(__dirname, '..', '..');
const ENTRYPOINT = readFileSync(path.join(ROOT, 'loadtest', 'entrypoint.sh'), 'utf8');
const DOCKERFILE = readFileSync(path.join(ROOT, 'loadtest', 'Dockerfile'), 'utf8');
const RUNNERS_DOC = readFileSync(path.join(ROOT, 'docs', 'runners.md'), 'utf8');

/** Every upper-case variable entrypoint.sh expands (`$NAME`, `${NAME...}`), its own EXIT_* constants aside. */
const entrypointReads = (): string[] =>
  [...new Set([...ENTRYPOINT.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]))].filter(
    (v) => !v.startsWith('EXIT_') && v !== 'BASH_REMATCH',
  );

/** The task definition's environment and the state machine's container overrides of a synthesized runners stack. */
function shardEnvironment(built: ReturnType<typeof buildRunners>) {
  const run = definitionOf(built.json).States.RunShards.ItemProcessor.States.RunShard;
  const overrides: string[] = run.Arguments.Overrides.ContainerOverrides[0].Environment.map((e: { Name: string }) => e.Name);
  const container = JSON.parse(String((Object.values(built.json.resource!.aws_ecs_task_definition)[0] as any).container_definitions))[0];
  const task: Record<string, string> = Object.fromEntries(
    container.environment.map((e: { name: string; value: string }) => [e.name, e.value]),
  );
  return { overrides, task };
}

/** The variables entrypoint.sh refuses to start without, and those it reads when set. */
const entrypointLists = () =>
  [...ENTRYPOINT.matchAll(/^for var in ([A-Z0-9_ ]+); do/gm)].map((m) =>
    m[1]
      .trim()
      .split(/\s+/)
      .filter((v) => v !== ''),
  );

describe('the shard contract (state machine, entrypoint.sh, npm run loadtest)', () => {
  it('every key template renders as a string and as JSONata to the same key', async () => {
    const values = { testId: 'example_251123-100000', scenario: 'agent-scripts', shard: '3' };
    for (const key of Object.keys(TEST_KEY_TEMPLATES) as TestKey[]) {
      const expression = testKeyExpression(key, { testId: '$t', scenario: '$s', shard: '$string($n)' } as never, 's3://bucket/');
      const viaJsonata = await jsonata(expression).evaluate({}, { t: values.testId, s: values.scenario, n: 3 });
      expect({ key, value: viaJsonata }).toEqual({ key, value: `s3://bucket/${testKey(key, values as never)}` });
    }
    expect(testKeys.plan('e_1', 's')).toBe('results/e_1/plan/s.jmx');
    expect(testKeys.shard('e_1', 2)).toBe('results/e_1/shards/2/');
    expect(() => testKeyExpression('test', { testId: '$t' }, "it's")).toThrow('must not contain quotes');
  });

  it('the state machine sets on each shard exactly the variables of the contract, and the task definition the rest', () => {
    const env = repoEnvironment('example');
    const { overrides, task } = shardEnvironment(buildRunners(env));
    expect(overrides).toEqual([...SHARD_ENV_VARS]);
    expect(Object.keys(task).sort()).toEqual([...TASK_ENV_VARS].sort());
    // The region the AWS CLI (AWS_DEFAULT_REGION) and the SDKs (AWS_REGION) read: the environment's own.
    expect(task).toMatchObject({ AWS_REGION: env.config.aws.region, AWS_DEFAULT_REGION: env.config.aws.region });
  });

  it('everything entrypoint.sh reads is set by the task definition, the overrides or the image, or is a local-only knob', () => {
    const { overrides, task } = shardEnvironment(buildRunners(repoEnvironment('example')));
    const image = [...DOCKERFILE.matchAll(/^ENV ([\s\S]*?)(?:\n\n|\nUSER)/gm)].flatMap((m) =>
      [...m[1].matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((v) => v[1]),
    );
    expect(image).toEqual(expect.arrayContaining([...IMAGE_ENV_VARS]));
    const provided = new Set([...overrides, ...Object.keys(task), ...IMAGE_ENV_VARS, ...LOCAL_ENV_VARS]);
    const reads = entrypointReads();
    expect(reads).toEqual(expect.arrayContaining(['AWS_REGION', 'AWS_DEFAULT_REGION', 'MAX_ERROR_SHARE', 'WORK_DIR']));
    expect(reads.filter((v) => !provided.has(v))).toEqual([]);
    // A local-only knob is never set on a task (the image and the task definition decide there).
    expect(LOCAL_ENV_VARS.filter((v) => overrides.includes(v) || v in task || image.includes(v))).toEqual([]);
  });

  it("the shard checks reach the overrides: defaults, none for 429 with expectThrottling, or the scenario's own", () => {
    const input = exampleInput() as any;
    const [first, second] = input.loadProfile.scenarios;
    first.shardChecks = { maxErrorShare: 0.01 };
    second.expectThrottling = true;
    const scenarios = definitionOf(buildRunners(loadFrom({ example: input }, 'example')).json).States.Setup.Assign.scenarios;
    expect(scenarios[first.name]).toMatchObject({ maxErrorShare: 0.01, max429Share: DEFAULT_SHARD_CHECKS.max429Share });
    expect(scenarios[second.name]).toMatchObject({ maxErrorShare: DEFAULT_SHARD_CHECKS.maxErrorShare, max429Share: 1 });
    // entrypoint.sh, run by hand without them, uses the same defaults.
    expect(ENTRYPOINT).toContain(`"\${MAX_ERROR_SHARE:-${DEFAULT_SHARD_CHECKS.maxErrorShare}}"`);
    expect(ENTRYPOINT).toContain(`"\${MAX_429_SHARE:-${DEFAULT_SHARD_CHECKS.max429Share}}"`);
    expect(ENTRYPOINT).toContain(`== "${TOKEN_LABEL}"`);
  });

  it('entrypoint.sh exits with the codes shard-exit.ts names, and docs/runners.md lists each with what the state machine does', () => {
    const script = Object.fromEntries([...ENTRYPOINT.matchAll(/^readonly EXIT_([A-Z_]+)=(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    const declared = Object.fromEntries(Object.entries(SHARD_EXIT_CODES).map(([name, c]) => [name, c.code]));
    expect(script).toEqual(declared);
    expect(new Set(Object.values(declared)).size).toBe(Object.keys(declared).length);
    for (const { code } of Object.values(SHARD_EXIT_CODES))
      expect({ code, documented: new RegExp(`^\\| \`${code}\` +\\|`, 'm').test(RUNNERS_DOC) }).toEqual({ code, documented: true });
    // Every exit of the script goes through a named code (or the verdict variable).
    const code = ENTRYPOINT.split('\n').filter((line) => !/^\s*#/.test(line));
    const bare = code.flatMap((line) => [...line.matchAll(/\bexit (?!"?\$EXIT_|"?\$verdict)(\S+)/g)].map((m) => m[0]));
    expect(bare).toEqual([]);
  });

  it('entrypoint.sh requires and reads only variables of the contract, and reads every one of them', () => {
    const [required, numeric] = entrypointLists();
    const contract = new Set<string>([...SHARD_ENV_VARS, ...TASK_ENV_VARS]);
    expect(required.length).toBeGreaterThan(0);
    expect([...required, ...numeric].filter((v) => !contract.has(v))).toEqual([]);
    for (const name of contract)
      expect({ name, read: new RegExp(`\\$\\{?${name}\\b|\\b${name}\\b`).test(ENTRYPOINT) }).toEqual({ name, read: true });
  });
});
