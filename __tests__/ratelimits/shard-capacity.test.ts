import { planBudget, scenarioPlan } from '../../lib/ratelimits';
import { exampleInput, loadFrom } from '../helpers/env';

describe('runners.requestsPerSecondPerVcpu (unmeasured shard capacity)', () => {
  const planWith = (runners: Record<string, unknown>) =>
    planBudget(loadFrom({ example: { ...exampleInput(), runners: { ...exampleInput().runners, ...runners } } }, 'example').config);

  it('changes nothing when unset', () => {
    expect(scenarioPlan(planWith({}), 'agent-scripts').sizing.shards).toBe(7);
  });

  it('adds shards until each stays under requests/s per vCPU x vCPUs', () => {
    // agent-scripts: 15000 requests/min = 250/s; 2 vCPUs x 10/s = 20/s per shard -> 13 shards.
    const s = scenarioPlan(planWith({ requestsPerSecondPerVcpu: 10 }), 'agent-scripts');
    expect(s.sizing.shards).toBe(13);
    expect(s.sizing.perShardRequestsPerMinute).toBeLessThanOrEqual(20 * 60);
    // A bigger task needs fewer shards for the same capacity per vCPU.
    expect(scenarioPlan(planWith({ requestsPerSecondPerVcpu: 10, cpu: 4096, memoryMiB: 8192 }), 'agent-scripts').sizing.shards).toBe(7);
  });
});
