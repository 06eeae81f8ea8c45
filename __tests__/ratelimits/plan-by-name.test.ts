/**
 * Every consumer takes a scenario's plan by name: reordering the scenarios in the environment file
 * changes nothing downstream (the generated JMeter plan, the launch of a test, the runners' shard
 * table) except which runner OAuth clients a scenario's shards use.
 */
import { planBudget, scenarioPlan, type ScenarioPlan } from '../../lib/ratelimits';
import { buildLoadTestLaunch } from '../../lib/runners/execution-input';
import { generateTestPlan } from '../../loadtest/jmx/generate';
import { buildRunners } from '../runners/helpers';
import { exampleInput, loadFrom, TEST_NOW } from '../helpers/env';

const input = exampleInput();
const reversedInput = exampleInput();
reversedInput.loadProfile.scenarios = [...reversedInput.loadProfile.scenarios].reverse();
const env = loadFrom({ example: input }, 'example');
const reversed = loadFrom({ example: reversedInput }, 'example');
const plan = planBudget(env.config);
const plan2 = planBudget(reversed.config);
const names = plan.scenarios.map((s) => s.name);

/** A scenario's plan without what depends on its position: the field index and its clients in the pool. */
const positionFree = (sp: ScenarioPlan) => ({
  ...sp,
  index: undefined,
  firstClientIndex: undefined,
  shards: sp.shards.map((s) => ({ ...s, index: undefined })),
});

describe('consumers take the plan by scenario name', () => {
  it('the reversed file really is reversed', () => {
    expect(plan2.scenarios.map((s) => s.name)).toEqual([...names].reverse());
    expect(names.length).toBeGreaterThan(2);
  });

  it.each(names)('%s: the same plan, the same JMeter plan and the same launch in either order', (name) => {
    expect(positionFree(scenarioPlan(plan2, name))).toEqual(positionFree(scenarioPlan(plan, name)));
    expect(generateTestPlan(reversed, plan2, name).xml).toBe(generateTestPlan(env, plan, name).xml);
    const launch = buildLoadTestLaunch(env, plan, { scenario: name, now: TEST_NOW });
    const launch2 = buildLoadTestLaunch(reversed, plan2, { scenario: name, now: TEST_NOW });
    expect(launch2).toEqual(launch);
  });

  it("the runners' shard table holds the same shards per scenario, on the clients the plan assigns", () => {
    const a = buildRunners(env).runners.stateMachine.scenarios;
    const b = buildRunners(reversed).runners.stateMachine.scenarios;
    for (const name of names) {
      const strip = (e: (typeof a)[string]) => ({
        ...e,
        shards: e.shards.map((s) => ({ ...s, client: 0, secretArn: '', taskRoleArn: '' })),
      });
      expect(strip(b[name])).toEqual(strip(a[name]));
      expect(b[name].shards.map((s) => s.client)).toEqual(scenarioPlan(plan2, name).shards.map((s) => s.index));
    }
  });
});
