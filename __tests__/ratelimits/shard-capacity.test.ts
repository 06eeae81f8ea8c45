import { planBudget, scenarioPlan } from '../../lib/ratelimits';
import { cheapest, DEFAULT_REQUESTS_PER_SEC_PER_VCPU, memoryNeededMiB, type SizeOption } from '../../lib/ratelimits/capacity';
import { exampleInput, loadFrom } from '../helpers/env';

type Input = ReturnType<typeof exampleInput>;
/** The example without its explicit task size and thread cap, so the planner picks them. */
const pickingInput = (): Input => {
  const input = exampleInput() as Input & Record<string, any>;
  delete input.runners!.cpu;
  delete input.runners!.memoryMiB;
  delete input.loadProfile.maxThreadsPerShard;
  return input;
};
const planOf = (change: (input: Input) => void) => {
  const input = pickingInput();
  change(input);
  return planBudget(loadFrom({ example: input }, 'example').config);
};
const agentScripts = (change: (input: Input) => void = () => undefined) => scenarioPlan(planOf(change), 'agent-scripts');

describe('task-size picker (lib/ratelimits/task-size.ts)', () => {
  it('picks the size with the fewest vCPU-hours that carries the rate', () => {
    // A rate per vCPU low enough that CPU, not the rate limits, decides the shard count.
    const s = agentScripts((i) => (i.runners = { ...i.runners, requestsPerSecondPerVcpu: 88 }));
    // 15000 requests/min; a 0.25 vCPU shard carries 88 x 60 / 4.
    const perSmallShard = 88 * 60 * 0.25;
    expect(s.task).toMatchObject({ cpu: 256, chosenBy: 'picked' });
    expect(s.sizing.shards).toBe(Math.ceil(15000 / perSmallShard));
    expect(s.sizing.perShardRequestsPerMinute).toBeLessThanOrEqual(s.task.capacity.requestsPerMinute);
    // Fewer vCPU than 7 shards of 0.5 vCPU (what the rate limits alone need).
    expect((s.sizing.shards * s.task.cpu) / 1024).toBeLessThan(3.5);
  });

  it('with the measured default, the smallest task carries each of the shards the rate limits need', () => {
    const s = agentScripts();
    expect(DEFAULT_REQUESTS_PER_SEC_PER_VCPU * 60 * 0.25).toBeGreaterThan(15000 / 7);
    expect(s.task).toMatchObject({ cpu: 256, chosenBy: 'picked' });
    expect(s.sizing.shards).toBe(7); // the OAuth client limit's count
  });

  it('adds shards when the rate needs more than the rate limits do', () => {
    const s = agentScripts((i) => (i.runners = { ...i.runners, requestsPerSecondPerVcpu: 10, cpu: 1024, memoryMiB: 2048 }));
    // 250 requests/s at 10 per vCPU: 25 shards of 1 vCPU, where the client limit alone needs 7.
    expect(s.sizing.shards).toBe(25);
    expect(s.task).toMatchObject({ cpu: 1024, memoryMiB: 2048, chosenBy: 'runners.cpu/memoryMiB' });
  });

  it('keeps an explicit runners.cpu and picks only the memory', () => {
    const s = agentScripts((i) => (i.runners = { ...i.runners, cpu: 4096 }));
    expect(s.task.cpu).toBe(4096);
    expect(s.task.chosenBy).toBe('runners.cpu');
    expect(s.task.memoryMiB).toBe(8192);
    expect(memoryNeededMiB(s.threadsPerShard)).toBeLessThanOrEqual(s.task.memoryMiB);
  });

  it('picks the memory that holds the threads, and spreads users over more shards when none holds them', () => {
    const s = scenarioPlan(
      planOf((i) => (i.loadProfile.scenarios[0].virtualUsers = 3000)),
      'screen-recording',
    );
    expect(s.threadsPerShard).toBeLessThanOrEqual(s.task.capacity.threads);
    expect(memoryNeededMiB(s.threadsPerShard)).toBeLessThanOrEqual(s.task.memoryMiB);
  });

  it('breaks a tie in vCPU-hours by fewer shards, then less memory', () => {
    const option = (cpu: number, memoryMiB: number, shards: number): SizeOption => ({ size: { cpu, memoryMiB }, shards, fits: true });
    expect(cheapest([option(256, 512, 4), option(1024, 2048, 1)]).size.cpu).toBe(1024);
    expect(cheapest([option(512, 2048, 2), option(512, 1024, 2)]).size.memoryMiB).toBe(1024);
    // An option that fits beats a cheaper one that does not.
    expect(cheapest([{ ...option(256, 512, 1), fits: false }, option(2048, 4096, 1)]).size.cpu).toBe(2048);
  });

  it('warns when fixedSizing asks more of a shard than the task carries', () => {
    const s = agentScripts((i) => {
      i.loadProfile.scenarios[1].fixedSizing = { shards: 1, tokensPerShard: 63 };
      i.runners = { ...i.runners, cpu: 256, memoryMiB: 512 };
    });
    expect(s.findings.map((f) => f.code)).toContain('shard-capacity');
  });

  it('uses the chosen task size in the cost estimate', () => {
    const env = loadFrom({ example: pickingInput() }, 'example').config;
    const plan = planBudget(env);
    const s = scenarioPlan(plan, 'agent-scripts');
    const vcpu = plan.cost.scenarios.find((c) => c.scenario === 'agent-scripts')!.lines[0];
    const hours = (s.durationSec + env.cost.startUpSec) / 3600;
    expect(vcpu.quantity).toBeCloseTo(s.sizing.shards * (s.task.cpu / 1024) * hours, 9);
  });
});
