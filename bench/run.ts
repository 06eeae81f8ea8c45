/**
 * `npm run bench [-- --quick] [-- --only synth,pipeline]`: runs every benchmark, prints progress
 * and the figures, and exits non-zero when a target is missed.
 */
import type { BenchOptions, BenchResult } from './types';
import { run as synth } from './synth.bench';
import { run as pipeline } from './pipeline.bench';
import { run as report } from './report.bench';
import { run as jmeter } from './jmeter.bench';

const BENCHES: Record<string, (options: BenchOptions) => Promise<BenchResult>> = {
  synth,
  pipeline,
  report,
  jmeter,
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyArg = args.find((a) => a.startsWith('--only'));
  const only = onlyArg
    ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',')
    : Object.keys(BENCHES);
  const unknown = only.filter((n) => !(n in BENCHES));
  if (unknown.length) {
    console.error(`error: --only names unknown benchmarks ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  const results: BenchResult[] = [];
  for (const name of only) {
    console.log(`\n== ${name} ==`);
    const started = Date.now();
    const result = await BENCHES[name]({ quick, log: (line) => console.log(line) });
    console.log(result.lines.join('\n'));
    console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    results.push(result);
  }
  console.log('\n== summary ==');
  for (const r of results) console.log(`${r.targetsMet ? 'met   ' : 'MISSED'}  ${r.name}`);
  process.exitCode = results.every((r) => r.targetsMet) ? 0 : 1;
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
