/**
 * Writes the sample results under examples/results/ (what `npm run demo` reports on), or with
 * --check verifies that the committed files are exactly what this script writes. Deterministic:
 * seeded synthetic JTL (loadtest/report/synthetic.ts) shaped by the example environment's plan.
 *
 *   npx tsx scripts/sample-results.ts [--check]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, runCli } from '../lib/cli';
import { loadEnvironment } from '../lib/config';
import { planBudget } from '../lib/ratelimits';
import { generateTestPlan } from '../loadtest/jmx/generate';
import { syntheticJtlText } from '../loadtest/report/synthetic';

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'examples', 'results');
const SCENARIO = 'bot-analytics';
/** The first six minutes of the test: the ramp-up and three minutes at full load. */
const DURATION_SEC = 360;

export function sampleFiles(): Record<string, string> {
  const env = loadEnvironment('example', { dir: path.join(ROOT, 'environments') });
  const { summary } = generateTestPlan(env, planBudget(env.config), SCENARIO);
  const { properties: _properties, ...shown } = summary;
  const weighted = summary.endpoints.flatMap((e) => Array<string>(e.weight).fill(e.label));
  const common = {
    shard: 0,
    durationSec: DURATION_SEC,
    rampUpSec: summary.rampUpSec,
    requestsPerSec: (summary.targetRpmPerShard * summary.shards) / 60,
    labels: weighted,
    threads: summary.threadsPerShard,
    tokens: summary.tokensPerShard,
  };
  const files: Record<string, string> = {
    // An earlier run: no throttling.
    'baseline/shard-0.jtl': syntheticJtlText({ ...common, startMs: Date.UTC(2026, 10, 20, 9, 0, 0), medianMs: 110, seed: 11 }),
    // The run under review: slower, and throttled for the last two minutes.
    'current/shard-0.jtl': syntheticJtlText({
      ...common,
      startMs: Date.UTC(2026, 10, 23, 9, 0, 0),
      medianMs: 140,
      throttleFromSec: 240,
      throttleShare: 0.04,
      seed: 23,
    }),
  };
  for (const run of ['baseline', 'current']) files[`${run}/${SCENARIO}.summary.json`] = JSON.stringify(shown, null, 2) + '\n';
  return files;
}

function main(): number {
  const { values } = parseArgs(process.argv.slice(2), { check: { type: 'boolean' } });
  const files = sampleFiles();
  if (values.check) {
    const stale = Object.entries(files).filter(([name, text]) => {
      try {
        return readFileSync(path.join(OUT, name), 'utf8') !== text;
      } catch {
        return true;
      }
    });
    for (const [name] of stale) console.error(`error: examples/results/${name} differs from what scripts/sample-results.ts writes`);
    return stale.length ? 1 : 0;
  }
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(OUT, name)), { recursive: true });
    writeFileSync(path.join(OUT, name), text);
    console.log(`wrote examples/results/${name} (${(text.length / 1024).toFixed(0)} KB)`);
  }
  return 0;
}

if (require.main === module) void runCli(main, { usage: 'usage: npx tsx scripts/sample-results.ts [--check]' });
