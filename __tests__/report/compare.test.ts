/**
 * Comparing two runs (npm run report -- --baseline): the per-endpoint changes and their flags,
 * the Markdown for a PR comment, the planned rate from a plan summary, and the command itself on
 * the sample results shipped in examples/results/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  compareReports,
  comparisonMarkdown,
  plannedRequestsPerSec,
  targetFromTestPlanSummary,
  type LabelStats,
  type Report,
} from '../../loadtest/report';

const ROOT = path.resolve(__dirname, '..', '..');

function stats(label: string, o: { p50: number; p90: number; p99: number; rps: number; err: number; thr: number }): LabelStats {
  return {
    label,
    requests: 1000,
    errors: Math.round(o.err * 1000),
    throttled: Math.round(o.thr * 1000),
    errorShare: o.err,
    throttledShare: o.thr,
    throughputPerSec: o.rps,
    latencyMs: { min: 1, mean: o.p50, stddev: 1, p50: o.p50, p90: o.p90, p95: o.p90, p99: o.p99, max: o.p99 },
    ttfbMeanMs: null,
    connectMeanMs: null,
    bytesReceivedPerSec: 0,
    bytesSentPerSec: 0,
    apdex: null,
    histogram: null,
    retryAfter: { waits: 0, totalSec: 0, maxSec: 0 },
    responseCodes: {},
  };
}

function report(testId: string, endpoints: LabelStats[]): Report {
  const totals = stats('ALL', { p50: 100, p90: 200, p99: 300, rps: 10, err: 0, thr: 0 });
  return {
    schemaVersion: 2,
    testId,
    generatedAt: '2026-11-23T10:00:00.000Z',
    window: { start: '2026-11-23T10:00:00.000Z', end: '2026-11-23T10:05:00.000Z', durationSec: 300 },
    percentileMethod: 'nearest rank',
    bucketSec: 60,
    apdex: { satisfiedMs: 500, toleratedMs: 1500 },
    totals,
    endpoints,
    tokens: null,
    // The comparison reads the steady state: here the same figures as the whole run.
    steady: { start: null, end: null, durationSec: 300, basis: 'the whole run', totals, endpoints },
    achieved: null,
    errors: [],
    drops: { total: 0, resting: 0, capped: 0, byToken: [], byEndpointEstimate: {} },
    verdict: { passed: true, checks: [], failures: [] },
    shards: [],
    series: {
      t: [0, 60_000, 120_000, 180_000, 240_000].map((t) => Date.parse('2026-11-23T10:00:00.000Z') + t),
      all: { requestsPerSec: [], errorShare: [], throttledShare: [], retryAfterSec: [], latencyMs: { p50: [], p90: [], p99: [] } },
      byLabel: {},
      requestsPerSecByShard: {},
      threads: [],
      bytesReceivedPerSec: [],
      bytesSentPerSec: [],
      droppedPerSec: [],
    },
    links: {},
    warnings: [],
  };
}

const base = { p50: 100, p90: 200, p99: 400, rps: 5, err: 0.001, thr: 0 };

describe('compareReports', () => {
  it('flags each metric only beyond its threshold, in the direction that is worse', () => {
    const c = compareReports(
      report('before', [stats('GET /a', base), stats('GET /b', base), stats('GET /c', base), stats('POST /oauth/token', base)]),
      report('after', [
        // p50 +10 % exactly: not worse; p90 +11 %: worse; p99 faster: never worse.
        stats('GET /a', { ...base, p50: 110, p90: 222, p99: 300 }),
        // throughput -11 %: worse; 429 share +0.6 points: worse; errors +0.4 points: not.
        stats('GET /b', { ...base, rps: 4.45, thr: 0.006, err: 0.005 }),
        // faster and more throughput: nothing worse.
        stats('GET /c', { ...base, p50: 50, rps: 9 }),
        stats('POST /oauth/token', { ...base, p50: 10_000 }),
        stats('GET /new', base),
      ]),
    );
    const worse = (label: string): string[] =>
      Object.entries(c.endpoints.find((e) => e.label === label)!.metrics)
        .filter(([, m]) => m.worse)
        .map(([name]) => name);
    expect(worse('GET /a')).toEqual(['p90']);
    expect(worse('GET /b')).toEqual(['throughputPerSec', 'throttledShare']);
    expect(worse('GET /c')).toEqual([]);
    expect(c.endpoints.map((e) => e.label)).toEqual(['GET /a', 'GET /b', 'GET /c', 'GET /new']); // token requests not compared
    expect(c.endpoints.find((e) => e.label === 'GET /new')).toMatchObject({ presentIn: 'current', worse: false });
    expect(c.regressions).toEqual(['GET /a', 'GET /b']);
    const b = c.endpoints.find((e) => e.label === 'GET /b')!.metrics;
    expect(b.throttledShare).toMatchObject({ baseline: 0, current: 0.6, delta: 0.6, worse: true });
    expect(b.throughputPerSec.deltaPercent).toBe(-11);
  });

  it('needs a percentile to grow by the minimum in ms too, and honours custom thresholds', () => {
    const tiny = { ...base, p50: 4, p90: 6, p99: 8 };
    const c = compareReports(report('x', [stats('GET /a', tiny)]), report('y', [stats('GET /a', { ...tiny, p50: 6, p90: 12 })]));
    expect(c.endpoints[0].metrics.p50.worse).toBe(false); // +50 % but only 2 ms
    expect(c.endpoints[0].metrics.p90.worse).toBe(true); // +100 % and 6 ms
    const strict = compareReports(report('x', [stats('GET /a', base)]), report('y', [stats('GET /a', { ...base, p90: 210 })]), {
      latencyPercent: 2,
    });
    expect(strict.endpoints[0].metrics.p90.worse).toBe(true);
  });

  it('counts an endpoint the current run no longer calls as a regression', () => {
    const c = compareReports(report('x', [stats('GET /a', base), stats('GET /gone', base)]), report('y', [stats('GET /a', base)]));
    expect(c.endpoints.find((e) => e.label === 'GET /gone')).toMatchObject({ presentIn: 'baseline', worse: true });
    expect(c.regressions).toEqual(['GET /gone']);
  });
});

describe('comparisonMarkdown', () => {
  it('is a GitHub table: verdict, one row per endpoint and ALL, worse cells in bold, pipes escaped', () => {
    const c = compareReports(report('before', [stats('GET /a|b', base)]), report('after', [stats('GET /a|b', { ...base, p99: 800 })]));
    const md = comparisonMarkdown(c);
    const lines = md.split('\n');
    expect(lines[0]).toBe('### Load test `after` compared with `before`');
    expect(md).toContain('**1 regression(s)** beyond the thresholds: `GET /a\\|b`');
    const table = lines.filter((l) => l.startsWith('|'));
    expect(table).toHaveLength(4); // header, rule, endpoint, ALL
    expect(table.every((l) => l.split(/(?<!\\)\|/).length === 9)).toBe(true); // 7 columns
    expect(table[2]).toContain('⚠️ `GET /a\\|b`');
    expect(table[2]).toContain('**400 → 800 (+100.0 %)**');
    expect(table[3]).toContain('`ALL`');
    expect(table[3]).not.toContain('**');
  });

  it('says so when nothing got worse', () => {
    expect(comparisonMarkdown(compareReports(report('a', [stats('GET /a', base)]), report('b', [stats('GET /a', base)])))).toContain(
      'No regression beyond the thresholds.',
    );
  });
});

describe('planned rate', () => {
  it('comes from a plan summary: all shards, the ramp-up and each endpoint share', () => {
    const target = targetFromTestPlanSummary(
      { shards: 7, targetRpmPerShard: 2142.857, rampUpSec: 180, endpoints: [{ label: 'GET /api/v2/scripts', share: 1 }] },
      'agent-scripts.summary.json',
    );
    expect(target).toEqual({
      requestsPerMinute: 14999.999,
      rampUpSec: 180,
      shards: 7,
      byLabel: { 'GET /api/v2/scripts': 14999.999 },
      source: 'agent-scripts.summary.json',
    });
    expect(() => targetFromTestPlanSummary({ shards: 1 }, 'x.json')).toThrow('x.json: targetRpmPerShard must be a number >= 0');
  });

  it('ramps linearly from the first sample, then stays at the plan', () => {
    const r = { ...report('a', []), target: { requestsPerMinute: 600, rampUpSec: 240, byLabel: {}, source: 's' } };
    // Bucket middles at 30, 90, 150, 210, 270 s of a 240 s ramp to 10 requests/s.
    expect(plannedRequestsPerSec(r, 600)).toEqual([1.25, 3.75, 6.25, 8.75, 10]);
  });
});

describe('npm run report on the sample results', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'loadlab-compare-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const report = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'bin/report.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  it('compares with --baseline: report.json carries the comparison, comparison.md the table; --fail-on-regression exits 1', () => {
    const res = report('examples/results/current', '--baseline', 'examples/results/baseline', '--out', out, '--fail-on-regression');
    expect(res.stderr).toBe('');
    expect(res.status).toBe(1);
    expect(res.stdout).toContain(
      'plan: bot-analytics on example: 1 shard(s) x 2 token(s), 300 requests/min planned (bot-analytics.summary.json)',
    );
    // Achieved vs planned over the steady state (after the 180 s ramp-up), not averaged over the ramp.
    expect(res.stdout).toMatch(/^achieved 3\d\d\.\d\/min vs 300 planned \((9[5-9]|10\d)\.\d %\) over the steady 180 s$/m);
    expect(res.stdout).toContain('FAILED: worse than baseline beyond the thresholds:');
    expect(readFileSync(path.join(out, 'junit.xml'), 'utf8')).toContain('<testsuite name="load test current thresholds (steady state)"');
    expect(res.stdout).toMatch(/compared with baseline: worse beyond the thresholds: .*ALL/);
    const json = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(json.target).toMatchObject({ requestsPerMinute: 300, rampUpSec: 180 });
    expect(json.comparison.baselineTestId).toBe('baseline');
    expect(json.comparison.regressions).toContain('ALL');
    expect(readFileSync(path.join(out, 'comparison.md'), 'utf8')).toBe(comparisonMarkdown(json.comparison));
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('<section id="comparison"');
  });

  it('takes a report.json as the baseline, and refuses what is neither', () => {
    const again = report('examples/results/current', '--baseline', path.join(out, 'report.json'), '--out', path.join(out, 'again'));
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('compared with current: no regression beyond the thresholds');
    const bad = report('examples/results/current', '--baseline', 'README.md');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('error: --baseline README.md is not readable JSON');
  });

  it('refuses the old flag --plan-summary, naming --jmx-summary', () => {
    const res = report('examples/results/current', '--plan-summary', 'x.summary.json');
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('error: --plan-summary is now --jmx-summary');
  });

  it('--help describes every option the command accepts, and runs nothing', () => {
    const res = report('--help');
    expect(res.status).toBe(0);
    const source = readFileSync(path.join(ROOT, 'commands', 'report.ts'), 'utf8');
    const options = [...source.matchAll(/^\s+'?([a-z-]+)'?: \{ type: '(?:string|boolean)'/gm)].map((m) => m[1]);
    expect(options.length).toBeGreaterThan(10);
    for (const o of options) expect(res.stdout).toMatch(new RegExp(`^\\s+--${o}\\b`, 'm'));
  });

  it('a folder whose JTLs hold no samples: exit 1 with one clear line, and the page still says why', () => {
    const empty = path.join(out, 'empty');
    mkdirSync(empty, { recursive: true });
    writeFileSync(
      path.join(empty, 'shard-0.jtl'),
      `${readFileSync(path.join(ROOT, 'examples/results/current/shard-0.jtl'), 'utf8').split('\n')[0]}\n`,
    );
    const res = report(empty);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(1);
    expect(res.stdout).toContain('FAILED: no samples: the results hold no JMeter samples, so the test ran no load');
    const html = readFileSync(path.join(empty, 'report.html'), 'utf8');
    expect(html).toContain('<div id="verdict" class="verdict-box fail" data-passed="false"><b>FAILED</b><ul><li>no samples');
    expect(readFileSync(path.join(empty, 'junit.xml'), 'utf8')).toContain('failures="1"');
  });

  it('--thresholds: a missed goal fails the run (exit 1), names the goal, and the JUnit file says so', () => {
    const goals = path.join(out, 'goals.json');
    writeFileSync(goals, JSON.stringify({ p99Ms: 100, maxThrottledPercent: 10 }));
    const res = report('examples/results/current', '--thresholds', goals, '--out', path.join(out, 'goals'));
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/^FAILED: all endpoints p99: \d+ ms, goal <= 100 ms$/m);
    const json = JSON.parse(readFileSync(path.join(out, 'goals', 'report.json'), 'utf8'));
    expect(json.verdict.checks.map((c: { name: string; passed: boolean }) => [c.name, c.passed])).toEqual([
      ['all endpoints p99', false],
      ['429 share', true],
    ]);
    const bad = path.join(out, 'bad-goals.json');
    writeFileSync(bad, JSON.stringify({ p99Ms: 'fast' }));
    const refused = report('examples/results/current', '--thresholds', bad, '--out', path.join(out, 'bad'));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`error: --thresholds ${bad}: p99Ms must be a number >= 0`);
    expect(existsSync(path.join(out, 'bad'))).toBe(false);
  });

  it("npm run demo -- --help prints the demo's own help", () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'bin/demo.ts', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(res.status).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe('usage: npm run demo [-- --out <dir>]');
    expect(res.stdout).not.toContain('usage: npm run report');
  });

  it('the committed sample is exactly what scripts/sample-results.ts writes', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sample-results.ts', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
  });
});
