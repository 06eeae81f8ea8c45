/**
 * `npm run bench [-- --quick] [-- --only synth,pipeline]`: runs the benchmarks, prints progress
 * and the figures, and exits 1 when a target is missed.
 */
import { parseArgs, runCli, UsageError } from '../lib/cli';
import type { BenchOptions, BenchResult } from './types';
import { run as synth } from './synth.bench';
import { run as pipeline } from './pipeline.bench';
import { run as report } from './report.bench';
import { run as pacing } from './pacing.bench';
import { run as jmeter } from './jmeter.bench';
import { run as capacity } from './capacity.bench';

// Register a benchmark with one line here (name: its run function).
const BENCHES: Record<string, (options: BenchOptions) => Promise<BenchResult>> = {
  synth,
  pipeline,
  report,
  pacing,
  jmeter,
  capacity,
};

const USAGE = 'usage: npm run bench [-- --quick] [-- --only <name>[,<name>...]]';

const HELP = `${USAGE}

Runs the benchmarks under bench/ one after another, printing progress and each one's figures,
then a summary with "met" or "MISSED" per benchmark. Targets are checked, so the exit code says
whether every one was met. Run it on an otherwise idle machine: the figures are timings.

  --only <names>  comma-separated benchmarks to run (default: all): ${Object.keys(BENCHES).join(', ')}
  --quick         fewer iterations and smaller inputs, a smoke run: about 2 minutes on a 2-core
                  machine (synth 2 runs instead of 7, pipeline 2,000 events instead of 10,000,
                  report and jmeter -g on 100,000 and 500,000 samples instead of 1 and 5 million);
                  the full run takes much
                  longer (the pipeline benchmark alone about 5 minutes)
  --help          print this and exit

Exit codes: 0 every target met; 1 a target missed or a benchmark failed; 2 bad arguments.`;

async function main(): Promise<number> {
  const { values } = parseArgs(process.argv.slice(2), {
    only: { type: 'string' },
    quick: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const only = values.only === undefined ? Object.keys(BENCHES) : values.only.split(',').map((n) => n.trim());
  const unknown = only.filter((n) => !Object.hasOwn(BENCHES, n));
  if (unknown.length)
    throw new UsageError(`--only names unknown benchmarks ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
  const results: BenchResult[] = [];
  for (const name of only) {
    console.log(`\n== ${name} ==`);
    const started = Date.now();
    const result = await BENCHES[name]({ quick: values.quick ?? false, log: (line) => console.log(line) });
    console.log(result.lines.join('\n'));
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    results.push(result);
  }
  console.log('\n== summary ==');
  for (const r of results) console.log(`${r.targetsMet ? 'met   ' : 'MISSED'}  ${r.name}`);
  return results.every((r) => r.targetsMet) ? 0 : 1;
}

void runCli(main, { usage: USAGE });
