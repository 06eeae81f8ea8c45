/**
 * The cost guard: a scenario whose estimate exceeds its cap (`maxCostPerRun` on the scenario, or
 * `cost.maxCostPerRun`) is refused like an over-budget rate; an environment whose idle cost per
 * day exceeds `cost.maxCostPerDay` is an environment-level error.
 */
import type { EnvironmentFile } from '../config/schema';
import type { Finding, ScenarioPlan } from '../ratelimits/model';
import type { CostEstimate, ScenarioCost, StandingCost } from './estimate';

export const usd = (n: number): string => `$${n < 10 ? n.toFixed(2) : n.toFixed(0)}`;

function overRun(s: ScenarioPlan, cost: ScenarioCost, cap: number, field: string): Finding {
  const b = cost.biggest;
  return {
    severity: 'error',
    code: 'over-cost',
    message:
      `estimated ${usd(cost.usd)} per run exceeds ${field} ${usd(cap)}; biggest line: ${b.what} ${usd(b.usd)}` +
      ` (${Math.round((b.usd / cost.usd) * 100)} %). Fix: shorten durationSec (${s.durationSec} s), run fewer shards or` +
      ` a smaller task (runners.cpu, runners.memoryMiB, runners.fargateSpot), or raise ${field}`,
  };
}

/** The scenarios with over-cost findings added and their verdicts updated. */
export function guardScenarios(env: EnvironmentFile, scenarios: readonly ScenarioPlan[], cost: CostEstimate): ScenarioPlan[] {
  return scenarios.map((s, i) => {
    const own = env.loadProfile.scenarios[i].maxCostPerRun;
    const cap = own ?? env.cost.maxCostPerRun;
    const estimate = cost.scenarios[i];
    if (cap === undefined || estimate.usd <= cap) return s;
    const field = own !== undefined ? `loadProfile.scenarios[${i}].maxCostPerRun` : 'cost.maxCostPerRun';
    return {
      ...s,
      findings: [...s.findings, overRun(s, estimate, cap, field)],
      verdict: s.verdict === 'invalid' ? 'invalid' : 'over-budget',
    };
  });
}

/** An error when the environment's idle cost per day exceeds cost.maxCostPerDay. */
export function guardStanding(env: EnvironmentFile, standing: StandingCost): Finding[] {
  const cap = env.cost.maxCostPerDay;
  if (cap === undefined || standing.usdPerDay <= cap) return [];
  const b = standing.lines.reduce((x, y) => (y.usd > x.usd ? y : x));
  return [
    {
      severity: 'error',
      code: 'over-cost',
      message: `the environment costs ${usd(standing.usdPerDay)} per day while idle, over cost.maxCostPerDay ${usd(cap)}; biggest line: ${b.what} ${usd(b.usd)}. Fix: fewer runner OAuth clients (smaller scenarios), less kept data (cost.archiveGb, retention), or raise cost.maxCostPerDay`,
    },
  ];
}
