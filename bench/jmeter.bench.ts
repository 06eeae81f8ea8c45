/**
 * Real JMeter 5.6.3 against the simulator, for each scenario of the example environment, planned vs
 * naive: goodput (requests the API accepted, as a share of the planned rate) and 429 share.
 * Targets: every planned run passes the rehearsal rule (rehearsal/model.ts: <= 1 % 429, 90-110 % of
 * its planned rate, at least two windows long). Needs Java 17 (and Maven
 * for the first install); without Java the benchmark reports that and misses its target.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSelectedEnvironment } from '../lib/config';
import { planBudget } from '../lib/ratelimits/planner';
import { ensureJmeter, javaProblem } from '../loadtest/jmeter/home';
import { formatJmeterResults } from '../rehearsal/format';
import { jmeterCompression, runJmeterRehearsal, type JmeterRehearsalResult } from '../rehearsal/jmeter';
import { MIN_WINDOWS, rehearsalFailures } from '../rehearsal/model';
import { catalogueLimits } from '../sim/admission';
import type { BenchOptions, BenchResult } from './types';

export async function run(options: BenchOptions): Promise<BenchResult> {
  const name = 'jmeter (real JMeter vs simulator: goodput and 429, planned vs naive)';
  const problem = javaProblem();
  if (problem) return { name, lines: [`not run: ${problem}`], targetsMet: false };
  const home = await ensureJmeter(options.log);
  const env = loadSelectedEnvironment('example');
  const budget = planBudget(env.config);
  const perToken = catalogueLimits(env.config.genesys.limits).perToken;
  const durationSec = options.quick ? 20 : 60;
  const out = mkdtempSync(path.join(tmpdir(), 'loadlab-bench-jmeter-'));
  const results: JmeterRehearsalResult[] = [];
  const failures: string[] = [];
  for (const sp of budget.scenarios) {
    const compression = jmeterCompression(sp.requestsPerMinute, perToken);
    // Planned runs span at least two of the scenario's windows.
    const runSec = Math.max(durationSec, (MIN_WINDOWS * compression.minuteMs) / 1000);
    for (const mode of ['planned', 'naive'] as const) {
      options.log(`  ${sp.name} ${mode}: ${runSec} s under JMeter ...`);
      const r = await runJmeterRehearsal({
        env,
        budget,
        scenario: sp.name,
        mode,
        jmeterHome: home,
        durationSec: runSec,
        compression,
        outDir: path.join(out, sp.name, mode),
        progressEverySec: 20,
        onProgress: (line) => options.log(`    ${line}`),
      });
      results.push(r);
      failures.push(...rehearsalFailures(r, sp));
    }
  }
  const lines = [
    `${durationSec} s of JMeter per run (at least two windows); goodput = achieved % (accepted requests per scenario minute after ramp-up / planned)`,
    formatJmeterResults(results),
    '',
    'goodput and 429 share, planned vs naive:',
    ...budget.scenarios.map((sp) => {
      const p = results.find((r) => r.scenario === sp.name && r.mode === 'planned')!;
      const n = results.find((r) => r.scenario === sp.name && r.mode === 'naive')!;
      const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
      return `  ${sp.name.padEnd(18)} planned goodput ${pct(p.achievedShare).padStart(7)}, 429 ${pct(p.throttledShare).padStart(6)}   naive goodput ${pct(n.achievedShare).padStart(7)}, 429 ${pct(n.throttledShare).padStart(6)}`;
    }),
    ...failures.map((f) => `MISSED ${f}`),
  ];
  return { name, lines, targetsMet: failures.length === 0 };
}
