import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import jsonata from 'jsonata';
import {
  SHARD_ENV_VARS,
  TASK_ENV_VARS,
  TEST_KEY_TEMPLATES,
  testKey,
  testKeyExpression,
  type TestKey,
} from '../../lib/contracts/shard-container';
import { testKeys } from '../../lib/runners/naming';
import { repoEnvironment } from '../helpers/env';
import { buildRunners, definitionOf } from './helpers';

const ENTRYPOINT = readFileSync(path.join(__dirname, '..', '..', 'loadtest', 'entrypoint.sh'), 'utf8');

/** The variables entrypoint.sh refuses to start without, and those it reads when set. */
const entrypointLists = () =>
  [...ENTRYPOINT.matchAll(/^for var in ([A-Z_ ]+); do/gm)].map((m) =>
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
    const built = buildRunners(repoEnvironment('example'));
    const run = definitionOf(built.json).States.RunShards.ItemProcessor.States.RunShard;
    const names = run.Arguments.Overrides.ContainerOverrides[0].Environment.map((e: { Name: string }) => e.Name);
    expect(names).toEqual([...SHARD_ENV_VARS]);
    const container = JSON.parse(String((Object.values(built.json.resource!.aws_ecs_task_definition)[0] as any).container_definitions))[0];
    expect(container.environment.map((e: { name: string }) => e.name).sort()).toEqual([...TASK_ENV_VARS].sort());
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
