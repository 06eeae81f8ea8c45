/** A scenario's pass/fail thresholds: accepted as documented, refused with the field named. */
import { ConfigError, parseEnvironmentFile } from '../../lib/config';
import { exampleInput } from '../helpers/env';

function problemsOf(thresholds: unknown): string[] {
  const input = exampleInput() as Record<string, any>;
  const scenario = input.loadProfile.scenarios.find((s: { name: string }) => s.name === 'bot-analytics');
  const at = input.loadProfile.scenarios.indexOf(scenario);
  scenario.thresholds = thresholds;
  try {
    parseEnvironmentFile(input, 'e.json');
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.replace(`scenarios[${at}]`, 'scenarios[i]'));
    throw err;
  }
}

describe('scenario thresholds', () => {
  it('accepts the documented goals', () => {
    expect(
      problemsOf({
        p95Ms: 800,
        p99Ms: 1500,
        endpoints: { 'GET /api/v2/analytics/conversations/details/jobs/{jobId}': { p95Ms: 600 } },
        maxErrorPercent: 5,
        maxThrottledPercent: 5,
        minAchievedPercent: 90,
        apdexSatisfiedMs: 300,
        apdexToleratedMs: 1200,
      }),
    ).toEqual([]);
  });

  it('names the field and the fix', () => {
    expect(problemsOf({ maxErrorPercent: 120 })).toEqual([
      'e.json: loadProfile.scenarios[i].thresholds.maxErrorPercent must be <= 100 (got 120)',
    ]);
    expect(problemsOf({ p95Ms: 0 })).toEqual(['e.json: loadProfile.scenarios[i].thresholds.p95Ms must be an integer > 0 (got 0)']);
    expect(problemsOf({ p50Ms: 10 })).toEqual([
      'e.json: loadProfile.scenarios[i].thresholds has unknown key p50Ms: remove it or check the spelling',
    ]);
    expect(problemsOf({ apdexSatisfiedMs: 800, apdexToleratedMs: 700 })).toEqual([
      'e.json: loadProfile.scenarios[i].thresholds.apdexToleratedMs must be greater than apdexSatisfiedMs (800) (got 700)',
    ]);
  });

  it('refuses a per-endpoint goal for an endpoint the scenario does not call', () => {
    const problems = problemsOf({ endpoints: { 'GET /api/v2/scripts': { p95Ms: 100 } } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /thresholds\.endpoints.*GET \/api\/v2\/scripts.* is not an endpoint of this scenario; use one of "POST \/api\/v2\/analytics/,
    );
  });
});
