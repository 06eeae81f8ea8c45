/**
 * `npm run rehearse -- --jmeter ...`: every chosen scenario under real JMeter against the simulator,
 * planned and/or naive; prints progress, a line per run and a table; 1 when a planned run fails.
 */
import path from 'node:path';
import type { Environment } from '../../lib/config';
import type { BudgetPlan } from '../../lib/ratelimits';
import { catalogueLimits } from '../../sim/server';
import { ensureJmeter, JmeterUnavailableError, REPO_ROOT } from './home';
import {
  formatJmeterResults,
  jmeterCompression,
  jmeterVerdict,
  runJmeterRehearsal,
  type JmeterMode,
  type JmeterRehearsalResult,
} from './rehearsal';

export interface JmeterCommandOptions {
  readonly env: Environment;
  readonly budget: BudgetPlan;
  readonly scenarios: readonly string[];
  readonly modes: readonly JmeterMode[];
  /** Real seconds per JMeter run. */
  readonly durationSec: number;
  /** Real requests per second the compression aims at. */
  readonly targetRps: number;
  readonly max429Share: number;
  readonly minAchievedShare: number;
  readonly outDir?: string;
  readonly json: boolean;
  readonly log: (line: string) => void;
}

export async function rehearseWithJmeter(o: JmeterCommandOptions): Promise<number> {
  let home: string;
  try {
    home = await ensureJmeter(o.log);
  } catch (err) {
    if (err instanceof JmeterUnavailableError) throw new Error(`--jmeter: ${err.message}`);
    throw err;
  }
  const outRoot = o.outDir ?? path.join(REPO_ROOT, 'build', 'rehearse-jmeter');
  const perToken = catalogueLimits(o.env.config.genesys.limits).perToken;
  const results: JmeterRehearsalResult[] = [];
  let failures = 0;
  for (const name of o.scenarios) {
    const plan = o.budget.scenarios.find((s) => s.name === name)!;
    const compression = jmeterCompression(plan.requestsPerMinute, perToken, o.targetRps);
    o.log(
      `\n${name}: ${plan.requestsPerMinute}/min planned over ${plan.sizing.shards} shard(s) x ${plan.sizing.tokensPerShard} token(s); ` +
        `JMeter ${o.durationSec} s per mode, one scenario minute = ${compression.minuteMs / 1000} s, load and limits x ${compression.loadScale.toFixed(2)}`,
    );
    for (const mode of o.modes) {
      const result = await runJmeterRehearsal({
        env: o.env,
        budget: o.budget,
        scenario: name,
        mode,
        jmeterHome: home,
        durationSec: o.durationSec,
        compression,
        outDir: path.join(outRoot, name, mode),
        onProgress: (line) => o.log(`  ${line}`),
      });
      results.push(result);
      o.log(
        `  ${mode}: ${result.requests} requests, achieved ${result.achievedPerMinute}/min of ${result.plannedPerMinute}/min (${(result.achievedShare * 100).toFixed(1)} %), ` +
          `429 ${(result.throttledShare * 100).toFixed(2)} %, Retry-After waits ${result.retryAfterWaits} (${result.retryAfterSec.toFixed(1)} s); ` +
          `JMeter summary ${result.jmeter.samples} samples / ${result.jmeter.errors} errors; report ${path.relative(process.cwd(), result.reportHtml)}`,
      );
      const why = jmeterVerdict(result, plan, o.max429Share, o.minAchievedShare);
      if (why.length) {
        failures++;
        o.log(`  FAIL: ${why.join('; ')}`);
      }
    }
  }
  if (o.json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`\n${formatJmeterResults(results)}`);
    console.log(
      '\nachieved/min: requests the API accepted (not 429, not 5xx) per scenario minute, at full scale (planned: after ramp-up; naive: the whole run); minute and scale: the compression',
    );
  }
  return failures ? 1 : 0;
}
