import { estimateScenario, runQuantities, TRANSITIONS_PER_RUN, TRANSITIONS_PER_SHARD } from '../../lib/cost/estimate';
import { priceTable } from '../../lib/cost/prices';
import { planBudget, scenarioPlan } from '../../lib/ratelimits';
import { loadTestDefinition, type DefinitionParams } from '../../lib/runners/definition';
import { exampleInput, loadFrom, repoEnvironment } from '../helpers/env';

type State = Record<string, any>;

/** States a successful execution enters: follow Next (a Choice's Default) from StartAt to the end. */
function happyPath(machine: State): { top: string[]; perItem: string[] } {
  const walk = (m: State): string[] => {
    const seen: string[] = [];
    let name: string | undefined = m.StartAt;
    while (name !== undefined && seen.length < 50) {
      seen.push(name);
      const s: State = m.States[name];
      name = s.Type === 'Choice' ? s.Default : s.End || s.Type === 'Succeed' ? undefined : s.Next;
    }
    return seen;
  };
  const top = walk(machine);
  const map = top.map((n) => machine.States[n]).find((s: State) => s.Type === 'Map');
  return { top, perItem: walk(map.ItemProcessor) };
}

describe('cost estimate', () => {
  const env = repoEnvironment().config;
  const plan = planBudget(env);

  it("counts the state machine's transitions as the definition has them", () => {
    const params: DefinitionParams = {
      envName: 'example',
      partition: 'aws',
      scenarios: {},
      clusterArn: 'c',
      taskDefinitionArn: 't',
      capacityProvider: 'FARGATE',
      subnetIds: ['s'],
      securityGroupIds: ['g'],
      assignPublicIp: true,
      resultsBucket: 'r',
      analyticsBucket: 'p',
      metadataPrefix: 'm/',
      analyticsPrefix: 'a/',
      reportFunctionArn: 'f',
      reportJobsQueueUrl: 'q',
      startDelaySec: 120,
      shardSlackSec: 900,
    };
    const { top, perItem } = happyPath(loadTestDefinition(params));
    expect(top).toContain('RequestAnalytics');
    expect(top.length).toBe(TRANSITIONS_PER_RUN);
    expect(perItem.length).toBe(TRANSITIONS_PER_SHARD);
  });

  it('bills shards x task size x (duration + start-up) and the requests sent out', () => {
    const s = scenarioPlan(plan, 'agent-scripts');
    const q = runQuantities(s, env);
    expect(q.vcpuHours).toBeCloseTo(s.sizing.shards * 2 * ((1800 + env.cost.startUpSec) / 3600), 10);
    expect(q.gbHours).toBeCloseTo(s.sizing.shards * 4 * ((1800 + env.cost.startUpSec) / 3600), 10);
    expect(q.requests).toBe(15000 * 30);
    expect(q.outGb).toBeCloseTo((15000 * 30 * 1500) / 1024 ** 3, 10);
  });

  it('uses the Spot lines with runners.fargateSpot and states the prices used', () => {
    const spotEnv = loadFrom({ example: { ...exampleInput(), runners: { fargateSpot: true } } }, 'example').config;
    const spot = planBudget(spotEnv);
    const onDemand = plan.cost.scenarios[1];
    const spotCost = spot.cost.scenarios[1];
    expect(spotCost.lines[0].key).toBe('fargateSpotVcpuHour');
    expect(spotCost.usd).toBeLessThan(onDemand.usd);
    expect(plan.cost.prices).toMatchObject({ region: 'us-east-1', date: '2026-12-07', overridden: [] });
    expect(plan.cost.prices.unverified).not.toContain('fargateVcpuHour');
    const line = estimateScenario(scenarioPlan(plan, 'messaging'), env, priceTable('us-east-1')).lines[0];
    expect(line).toMatchObject({ source: 'https://aws.amazon.com/fargate/pricing/', read: '2026-12-07', confidence: 'published' });
    expect(line.usd).toBeCloseTo(line.quantity * 0.04048, 10);
  });

  it('refuses a scenario over maxCostPerRun, naming the biggest line and the fix', () => {
    const input = exampleInput() as any;
    input.loadProfile.scenarios[1].maxCostPerRun = 0.2;
    const guarded = planBudget(loadFrom({ example: input }, 'example').config);
    const s = scenarioPlan(guarded, 'agent-scripts');
    expect(s.verdict).toBe('over-budget');
    expect(guarded.ok).toBe(false);
    const f = s.findings.find((x) => x.code === 'over-cost');
    expect(f?.message).toMatch(/exceeds loadProfile\.scenarios\[1\]\.maxCostPerRun \$0\.20; biggest line: Fargate vCPU/);
    expect(f?.message).toMatch(/shorten durationSec .* fewer shards .* raise loadProfile\.scenarios\[1\]\.maxCostPerRun/);
    expect(scenarioPlan(guarded, 'messaging').verdict).toBe('ok');
  });

  it('applies cost.maxCostPerRun to every scenario and cost.maxCostPerDay to the idle environment', () => {
    const input = { ...exampleInput(), cost: { maxCostPerRun: 100, maxCostPerDay: 0.1 } };
    const guarded = planBudget(loadFrom({ example: input }, 'example').config);
    expect(guarded.scenarios.every((s) => s.verdict === 'ok')).toBe(true);
    expect(guarded.ok).toBe(false);
    expect(guarded.findings.map((f) => f.message).join('\n')).toMatch(/per day while idle, over cost\.maxCostPerDay \$0\.10/);
  });
});
