/**
 * Pass/fail: the scenario's thresholds (config `thresholds`, carried by the plan summary) judged
 * on the steady-state window, plus the one rule every run has: a run without samples failed.
 * The verdict goes to the top of the page, report.json, a JUnit file and the exit code.
 */
import type { AchievedVsPlanned, LabelStats, ReportThresholds, SteadyState, ThresholdCheck, Verdict } from './model';
import { round } from './stats';

const ms = (v: number | undefined): string => (v === undefined ? 'no samples' : `${v} ms`);
const percent = (share: number): string => `${round(share * 100, 2)} %`;

function latencyChecks(name: string, stats: LabelStats | undefined, goal: { p95Ms?: number; p99Ms?: number }): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  for (const key of ['p95', 'p99'] as const) {
    const limit = goal[`${key}Ms`];
    if (limit === undefined) continue;
    const actual = stats?.latencyMs?.[key];
    checks.push({ name: `${name} ${key}`, limit: `<= ${limit} ms`, actual: ms(actual), passed: actual !== undefined && actual <= limit });
  }
  return checks;
}

function shareChecks(t: ReportThresholds, totals: LabelStats, achieved: AchievedVsPlanned | null): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  const count = totals.requests;
  if (t.maxErrorPercent !== undefined) {
    const passed = count > 0 && totals.errorShare * 100 <= t.maxErrorPercent;
    checks.push({ name: 'error share', limit: `<= ${t.maxErrorPercent} %`, actual: percent(totals.errorShare), passed });
  }
  if (t.maxThrottledPercent !== undefined) {
    const passed = count > 0 && totals.throttledShare * 100 <= t.maxThrottledPercent;
    checks.push({ name: '429 share', limit: `<= ${t.maxThrottledPercent} %`, actual: percent(totals.throttledShare), passed });
  }
  if (t.minAchievedPercent !== undefined) {
    // A goal that cannot be judged (no plan, so no planned rate) does not pass.
    checks.push({
      name: 'achieved share of plan',
      limit: `>= ${t.minAchievedPercent} %`,
      actual: achieved ? percent(achieved.share) : 'no planned rate known',
      passed: achieved !== null && achieved.share * 100 >= t.minAchievedPercent,
    });
  }
  return checks;
}

/** Every check of `thresholds` on the steady window; `samples` = 0 fails the run whatever the thresholds. */
export function judge(
  thresholds: ReportThresholds | undefined,
  steady: SteadyState,
  achieved: AchievedVsPlanned | null,
  samples: number,
): Verdict {
  const t = thresholds ?? {};
  const checks = [
    ...latencyChecks('all endpoints', steady.totals, t),
    ...Object.entries(t.endpoints ?? {}).flatMap(([label, goal]) =>
      latencyChecks(
        label,
        steady.endpoints.find((e) => e.label === label),
        goal,
      ),
    ),
    ...shareChecks(t, steady.totals, achieved),
  ];
  const failures = checks.filter((c) => !c.passed).map((c) => `${c.name}: ${c.actual}, goal ${c.limit}`);
  if (samples === 0) failures.unshift('no samples: the results hold no JMeter samples, so the test ran no load');
  return { passed: failures.length === 0, checks, failures };
}

const xml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** The verdict as JUnit XML: one test case per check (and one for "has samples"), for CI test reporters. */
export function junitXml(testId: string, verdict: Verdict, samples: number): string {
  const cases = [
    {
      name: 'has samples',
      failure: samples === 0 ? 'the results hold no JMeter samples' : undefined,
    },
    ...verdict.checks.map((c) => ({
      name: `${c.name} ${c.limit}`,
      failure: c.passed ? undefined : `${c.name}: ${c.actual}, goal ${c.limit}`,
    })),
  ];
  const failed = cases.filter((c) => c.failure !== undefined).length;
  const body = cases
    .map((c) =>
      c.failure === undefined
        ? `    <testcase classname="loadlab.${xml(testId)}" name="${xml(c.name)}"/>`
        : `    <testcase classname="loadlab.${xml(testId)}" name="${xml(c.name)}">\n      <failure message="${xml(c.failure)}"/>\n    </testcase>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="loadlab" tests="${cases.length}" failures="${failed}">
  <testsuite name="load test ${xml(testId)} thresholds (steady state)" tests="${cases.length}" failures="${failed}">
${body}
  </testsuite>
</testsuites>
`;
}
