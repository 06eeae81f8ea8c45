import { actualCost } from '../../lib/cost/actual';
import { priceTable } from '../../lib/cost/prices';
import { planBudget, scenarioPlan } from '../../lib/ratelimits';
import { repoEnvironment } from '../helpers/env';

describe('actual cost of a run', () => {
  const env = repoEnvironment().config;
  const prices = priceTable('us-east-1');
  const plan = planBudget(env);
  const shard = (start: string | null, end: string | null, requests: number) => ({ start, end, requests });

  it('bills the JTL span of each shard plus the start-up allowance, at the estimate prices', () => {
    const agents = scenarioPlan(plan, 'agent-scripts');
    const perShard = (15000 * 30) / agents.sizing.shards;
    const run = {
      shards: Array.from({ length: agents.sizing.shards }, () => shard('2026-12-07T10:00:00Z', '2026-12-07T10:30:00Z', perShard)),
    };
    const actual = actualCost(run, env, prices);
    expect(actual.taskSeconds).toEqual(Array(agents.sizing.shards).fill(1800 + env.cost.startUpSec));
    const estimate = plan.cost.scenarios.find((s) => s.scenario === 'agent-scripts')!;
    for (const key of ['fargateVcpuHour', 'fargateGbHour', 'publicIpv4Hour', 'dataTransferOutGb', 'stepFunctionsTransitions'] as const) {
      expect(actual.lines.find((l) => l.key === key)!.usd).toBeCloseTo(estimate.lines.find((l) => l.key === key)!.usd, 10);
    }
    // No pipeline events were recorded: the actual cost is below the estimate, which counts them.
    expect(actual.usd).toBeLessThan(estimate.usd);
  });

  it("takes the tasks' own times as billed when they come from the state machine's record", () => {
    const run = { fromTaskRecord: true, shards: [shard('2026-12-07T10:00:00Z', '2026-12-07T11:00:00Z', 0)] };
    const vcpu = actualCost(run, env, prices).lines[0];
    expect(vcpu.quantity).toBeCloseTo(2, 10);
    expect(vcpu.usd).toBeCloseTo(2 * 0.04048, 10);
  });

  it('bills nothing for a shard without times and counts it', () => {
    const run = { shards: [shard(null, null, 0), shard('2026-12-07T10:00:00Z', '2026-12-07T10:00:30Z', 10)] };
    const actual = actualCost(run, env, prices);
    expect(actual.shardsWithoutTimes).toBe(1);
    expect(actual.taskSeconds).toEqual([0, 30 + env.cost.startUpSec]);
    const recorded = actualCost({ ...run, bytesWritten: 1024 ** 3, lambda: { invocations: 3, gbSeconds: 500 } }, env, prices);
    expect(recorded.lines.find((l) => l.key === 's3GbMonth')!.quantity).toBe(1);
    expect(recorded.lines.find((l) => l.key === 'lambdaGbSecond')!.quantity).toBe(500);
  });
});
