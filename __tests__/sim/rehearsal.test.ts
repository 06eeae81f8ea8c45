import { planBudget, scenarioPlan } from '../../lib/ratelimits/planner';
import { formatResults } from '../../rehearsal/format';
import type { RehearsalMode } from '../../rehearsal/model';
import { autoCompression, runRehearsal, scaledLimits } from '../../rehearsal/simulated';
import { startSimulator } from '../../sim/server';
import { catalogueLimits } from '../../sim/admission';
import { repoEnvironment } from '../helpers/env';

async function rehearse(scenario: string, mode: RehearsalMode, opts: { seconds: number; minuteMs: number; loadScale: number }) {
  const env = repoEnvironment('example');
  const budget = planBudget(env.config);
  const plan = scenarioPlan(budget, scenario);
  const limits = catalogueLimits(env.config.genesys.limits);
  const sim = await startSimulator({ minuteMs: opts.minuteMs, limits: { ...limits, ...scaledLimits(limits, opts.loadScale) }, seed: 1 });
  try {
    const result = await runRehearsal({
      target: sim,
      budget,
      scenario,
      mode,
      scenarioSeconds: opts.seconds,
      minuteMs: opts.minuteMs,
      loadScale: opts.loadScale,
    });
    return { result, stats: sim.stats(), plan };
  } finally {
    await sim.stop();
  }
}

describe('rehearsal', () => {
  const compressed = { seconds: 120, minuteMs: 1000, loadScale: 0.2 };

  it('a scenario the planner sized passes with <= 1 % 429 at the planned rate', async () => {
    const { result, stats, plan } = await rehearse('screen-recording', 'planned', compressed);
    expect(result).toMatchObject({
      mode: 'planned',
      shards: plan.sizing.shards,
      tokens: plan.sizing.tokens,
      clients: plan.sizing.clients,
      virtualUsers: 300,
    });
    expect(result.attempts).toBeGreaterThan(150);
    expect(result.throttledShare).toBeLessThanOrEqual(0.01);
    expect(result.failed).toBe(0);
    // Every planned token and client was used, each under the (scaled) limit.
    expect(Object.keys(stats.byToken)).toHaveLength(plan.sizing.tokens);
    expect(Object.keys(stats.byClient)).toHaveLength(plan.sizing.clients);
    for (const t of Object.values(stats.byToken)) expect(t.peakPerWindow).toBeLessThanOrEqual(60);
    expect(result.achievedPerMinute).toBeGreaterThan(plan.requestsPerMinute * 0.8);
  });

  it('the naive replay of the same scenario shows the throttling', async () => {
    const { result, stats } = await rehearse('screen-recording', 'naive', compressed);
    expect(result).toMatchObject({ mode: 'naive', shards: 1, tokens: 1, clients: 1 });
    // 600/min on one token of 300/min: about half the calls are refused.
    expect(result.throttledShare).toBeGreaterThan(0.3);
    expect(result.failed).toBe(result.throttled);
    expect(Object.keys(stats.byToken)).toHaveLength(1);
    expect(result.achievedPerMinute).toBeLessThanOrEqual(300);
  });

  it('multi-endpoint job scenarios poll status before asking for results', async () => {
    const { result, stats } = await rehearse('bot-analytics', 'planned', { seconds: 120, minuteMs: 1000, loadScale: 1 });
    expect(result.throttled).toBe(0);
    expect(result.clientErrors).toBe(0);
    expect(stats.byEndpoint['POST /api/v2/analytics/conversations/details/jobs']['2xx']).toBeGreaterThan(0);
    expect(stats.byEndpoint['GET /api/v2/analytics/conversations/details/jobs/{jobId}']['2xx']).toBeGreaterThan(0);
  });

  it('formats planned and naive side by side', async () => {
    const row = {
      scenario: 's',
      virtualUsers: 1,
      shards: 1,
      clients: 1,
      tokens: 1,
      scenarioSeconds: 120,
      compression: { minuteMs: 1000, loadScale: 1 },
      realMs: 1000,
      plannedPerMinute: 600,
      achievedPerMinute: 599,
      attempts: 10,
      ok: 9,
      throttled: 1,
      tokenThrottled: 2,
      throttledShare: 0.1,
      serverErrors: 0,
      clientErrors: 0,
      failed: 1,
      latencyMs: { p50: 1, p95: 2, p99: 3, max: 4 },
      endToEndScenarioMs: { p50: 1, p95: 2, p99: 3, max: 4 },
    };
    const table = formatResults([
      { ...row, mode: 'planned' },
      { ...row, mode: 'naive' },
    ]).split('\n');
    expect(table[0]).toMatch(/^scenario\s+mode\s+VUs/);
    expect(table[2]).toMatch(/^s\s+planned\s+1\s/);
    expect(table[3]).toContain('10.00');
    expect(table[0]).toContain('token refusals');
    expect(table[2]).toMatch(/10\.00\s+2\s+0\s/);
  });
});

describe('rehearsal length', () => {
  it('refuses a planned replay shorter than two simulator windows before it starts, and names the fix', async () => {
    const env = repoEnvironment('example');
    const sim = await startSimulator({ minuteMs: 1000 });
    try {
      const opts = { target: sim, budget: planBudget(env.config), scenario: 'screen-recording', minuteMs: 1000 };
      await expect(runRehearsal({ ...opts, mode: 'planned', scenarioSeconds: 90 })).rejects.toThrow(
        /screen-recording: a rehearsal of 1\.5 s spans 1\.50 of the simulator's 1 s windows; it must span at least 2 \(2 s\).*--seconds/,
      );
      // Nothing ran: no client was registered, no request reached the simulator.
      expect(sim.stats().byClient).toEqual({});
      expect(sim.stats().totals.requests).toBe(0);
    } finally {
      await sim.stop();
    }
  });
});

describe('autoCompression', () => {
  it('shortens the minute first, then scales the load keeping whole limits', () => {
    expect(autoCompression(600, 300)).toEqual({ minuteMs: 2400, loadScale: 1 });
    const heavy = autoCompression(15000, 300);
    expect(heavy.minuteMs).toBe(5000);
    expect(Number.isInteger(300 * heavy.loadScale)).toBe(true);
    expect((15000 * heavy.loadScale) / (heavy.minuteMs / 1000)).toBeLessThanOrEqual(250);
    expect(autoCompression(10, 300)).toEqual({ minuteMs: 1000, loadScale: 1 });
  });
});
