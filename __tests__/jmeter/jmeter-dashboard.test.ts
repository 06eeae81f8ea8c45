/**
 * One JMeter home everywhere: a rehearsal with the home of `npm run jmeter:install` (no
 * `-q loadlab.properties`) writes the loadlab columns and no lib/junit Throwable, and
 * `npm run report -- --jmeter-dashboard` builds JMeter's own dashboard (`jmeter -g`, the home's
 * bin/report-template) from that run's JTLs. Skipped without Java unless LOADLAB_REQUIRE_JMETER=1.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSelectedEnvironment } from '../../lib/config';
import { planBudget } from '../../lib/ratelimits';
import { ensureJmeter, javaProblem, REPO_ROOT } from '../../loadtest/jmeter/home';
import { jmeterCompression, runJmeterRehearsal } from '../../rehearsal/jmeter';
import { SAMPLE_VARIABLES } from '../../loadtest/labels';
import { catalogueLimits } from '../../sim/admission';

const required = process.env.LOADLAB_REQUIRE_JMETER === '1';
const missing = javaProblem();
const suite = missing && !required ? describe.skip : describe;

suite("the project's JMeter home: JTL columns and JMeter's dashboard", () => {
  const out = mkdtempSync(path.join(tmpdir(), 'loadlab-dashboard-'));

  it('a rehearsal writes the loadlab columns; npm run report -- --jmeter-dashboard writes index.html from its JTLs', async () => {
    const home = await ensureJmeter((line) => console.log(line));
    const env = loadSelectedEnvironment('example');
    const budget = planBudget(env.config);
    const sp = budget.scenarios.find((s) => s.name === 'bot-analytics')!;
    const compression = jmeterCompression(sp.requestsPerMinute, catalogueLimits(env.config.genesys.limits).perToken);
    const r = await runJmeterRehearsal({
      env,
      budget,
      scenario: sp.name,
      mode: 'planned',
      jmeterHome: home,
      // A planned rehearsal spans at least two windows.
      durationSec: Math.max(15, Math.ceil((2 * compression.minuteMs) / 1000)),
      compression,
      outDir: path.join(out, 'run'),
    });
    const results = path.join(out, 'results');
    mkdirSync(results);
    let samples = 0;
    for (const shard of r.shardOutcomes) {
      const [header, ...lines] = readFileSync(shard.jtl, 'utf8').trim().split('\n');
      for (const column of SAMPLE_VARIABLES) expect(header).toContain(column);
      samples += lines.length;
      copyFileSync(shard.jtl, path.join(results, path.basename(shard.jtl)));
      expect(readFileSync(shard.jtl.replace(/\.jtl$/, '.log'), 'utf8')).not.toContain('Could not access');
    }
    expect(samples).toBeGreaterThan(20);

    const report = path.join(out, 'report');
    const cli = spawnSync('npx', ['tsx', 'bin/report.ts', results, '--out', report, '--jmeter-dashboard'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, LOADLAB_JMETER_HOME: home },
    });
    expect({ status: cli.status, stderr: cli.stderr }).toEqual({ status: 0, stderr: '' });
    expect(cli.stdout).toContain(`jmeter-dashboard/index.html (${samples.toLocaleString('en-US')} samples)`);
    expect(statSync(path.join(report, 'report.html')).isFile()).toBe(true);
    expect(readFileSync(path.join(report, 'jmeter-dashboard', 'index.html'), 'utf8')).toContain('Apache JMeter Dashboard');
    // JMeter counted the same samples (token requests included) as the merged JTL holds.
    const stats = JSON.parse(readFileSync(path.join(report, 'jmeter-dashboard', 'statistics.json'), 'utf8'));
    expect(stats.Total.sampleCount).toBe(samples);
  }, 600_000);
});
