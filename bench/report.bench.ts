/**
 * The report against JMeter's own dashboard generator on the same synthetic JTL: 5 shards of
 * 1,000,000 and 5,000,000 samples in all (--quick: 100,000 and 500,000), the two tools alternated
 * (report first at the small size, JMeter first at the large one), each in its own process, timed
 * and measured by /usr/bin/time (wall seconds, peak RSS). Targets at every size: the report
 * >= 4x faster and <= 0.5x JMeter's peak memory. `jmeter -g` needs JMeter's report template in
 * the JMeter home (`npm run jmeter:install` lays out bin/report-template; LOADLAB_JMETER_HOME
 * points elsewhere): without it the benchmark measures the report alone, says why, and misses its
 * target. Also states how many samples the report Lambda's memory covers.
 * Wire-up: `import { run as report } from './report.bench'`.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { javaProblem, jmeterHome } from '../loadtest/jmeter/home';
import { SAMPLE_VARIABLES } from '../loadtest/labels';
import { syntheticJtl } from '../loadtest/report/synthetic';
import type { BenchOptions, BenchResult } from './types';

const ROOT = path.resolve(__dirname, '..');
const SHARDS = 5;
const LABELS = [
  'GET /api/v2/scripts',
  'GET /api/v2/recordings/screensessions/details',
  'POST /api/v2/analytics/conversations/details/jobs',
];
/** lib/runners/state-machine.ts: the report Lambda's default memory. */
const LAMBDA_MIB = 2048;

interface Measured {
  readonly sec: number;
  readonly peakMiB: number;
}

/** Writes the shards (for the report) and one merged file of the same samples (jmeter -g reads one). */
async function writeInput(dir: string, samples: number): Promise<{ shardsDir: string; merged: string; bytes: number }> {
  const shardsDir = path.join(dir, 'shards');
  mkdirSync(shardsDir, { recursive: true });
  const merged = createWriteStream(path.join(dir, 'merged.jtl'));
  let first = true;
  for (let shard = 0; shard < SHARDS; shard++) {
    const out = createWriteStream(path.join(shardsDir, `shard-${shard}.jtl`));
    const durationSec = 3600;
    const chunks = syntheticJtl({
      shard,
      startMs: Date.UTC(2026, 0, 1),
      durationSec,
      requestsPerSec: samples / SHARDS / durationSec,
      labels: LABELS,
      throttleFromSec: 3000,
      throttleShare: 0.05,
      rampUpSec: 300,
    });
    for (const chunk of chunks) {
      if (!out.write(chunk)) await once(out, 'drain');
      // The merged file keeps one header line.
      const body = first ? chunk : chunk.startsWith('timeStamp,') ? chunk.slice(chunk.indexOf('\n') + 1) : chunk;
      first = false;
      if (!merged.write(body)) await once(merged, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }
  merged.end();
  await once(merged, 'finish');
  return { shardsDir, merged: path.join(dir, 'merged.jtl'), bytes: statSync(path.join(dir, 'merged.jtl')).size };
}

/** Runs a command under /usr/bin/time: wall seconds and the peak RSS of its largest process. */
function measure(command: string, args: readonly string[], cwd = ROOT): Measured {
  const stats = path.join(mkdtempSync(path.join(tmpdir(), 'loadlab-time-')), 'time');
  const res = spawnSync('/usr/bin/time', ['-f', '%e %M', '-o', stats, command, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (res.status !== 0 && res.status !== 1) throw new Error(`${command} exited ${res.status}: ${(res.stderr || res.stdout).slice(-400)}`);
  const [sec, kib] = readFileSync(stats, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  rmSync(path.dirname(stats), { recursive: true, force: true });
  return { sec, peakMiB: kib / 1024 };
}

function runReport(shardsDir: string, out: string): Measured {
  // The same code path as `npm run report`, in its own Node process.
  return measure(process.execPath, ['--import', 'tsx', 'bin/report.ts', shardsDir, '--out', out]);
}

function runJmeterDashboard(home: string, merged: string, out: string): Measured {
  // In the input's folder: jmeter -g writes its scratch files (temp/) into the working directory.
  const r = measure(
    path.join(home, 'bin', 'jmeter'),
    [
      '-g',
      merged,
      '-o',
      out,
      '-Jjmeter.save.saveservice.output_format=csv',
      '-Jjmeter.save.saveservice.print_field_names=true',
      `-Jsample_variables=${SAMPLE_VARIABLES.join(',')}`,
    ],
    path.dirname(merged),
  );
  if (!existsSync(path.join(out, 'index.html'))) throw new Error(`jmeter -g wrote no ${path.join(out, 'index.html')}`);
  return r;
}

/** Why `jmeter -g` cannot run from the project's JMeter home, or undefined when it can. */
export function dashboardProblem(home: string): string | undefined {
  const java = javaProblem();
  if (java) return java;
  if (!existsSync(path.join(home, 'bin', 'jmeter'))) return `no JMeter at ${home} (npm run jmeter:install)`;
  if (!existsSync(path.join(home, 'bin', 'report-template')))
    return `${home}/bin/report-template is missing, so jmeter -g cannot run: npm run jmeter:install must lay it out`;
  return undefined;
}

const fmtRun = (m: Measured): string => `${m.sec.toFixed(1)} s, ${m.peakMiB.toFixed(0)} MiB`;

export async function run(options: BenchOptions): Promise<BenchResult> {
  const sizes = options.quick ? [100_000, 500_000] : [1_000_000, 5_000_000];
  const home = jmeterHome();
  const problem = dashboardProblem(home);
  const lines: string[] = [];
  let met = problem === undefined;
  let perSampleBytes = 0;
  for (const [k, samples] of sizes.entries()) {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-report-bench-'));
    try {
      options.log(`writing ${SHARDS} shards, ${samples.toLocaleString('en-US')} samples in all...`);
      const input = await writeInput(dir, samples);
      const report = (): Measured => (options.log('  npm run report ...'), runReport(input.shardsDir, path.join(dir, 'report')));
      const jmeter = (): Measured => (options.log('  jmeter -g ...'), runJmeterDashboard(home, input.merged, path.join(dir, 'dashboard')));
      // Alternated: the report first at the first size, JMeter first at the next.
      let r: Measured;
      let j: Measured | undefined;
      if (problem) r = report();
      else if (k % 2 === 0) [r, j] = [report(), jmeter()];
      else [j, r] = [jmeter(), report()];
      perSampleBytes = Math.max(perSampleBytes, (r.peakMiB * 1048576) / samples);
      const head = `${samples.toLocaleString('en-US')} samples (${(input.bytes / 1048576).toFixed(0)} MB): report ${fmtRun(r)}`;
      if (!j) lines.push(`${head}; jmeter -g not measured`);
      else {
        const faster = j.sec / r.sec;
        const memory = r.peakMiB / j.peakMiB;
        met &&= faster >= 4 && memory <= 0.5;
        lines.push(
          `${head}; jmeter -g ${fmtRun(j)}: ${faster.toFixed(1)}x faster (target >= 4), ${memory.toFixed(2)}x the memory (target <= 0.5)`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (problem) lines.push(`jmeter -g not run: ${problem}`);
  const covered = ((LAMBDA_MIB * 0.8 * 1048576) / perSampleBytes / 1e6).toFixed(0);
  lines.push(
    `report Lambda ${LAMBDA_MIB} MiB: about ${covered} million samples at the measured ${perSampleBytes.toFixed(0)} bytes per sample (80 % of its memory)`,
  );
  return { name: 'report (vs jmeter -g)', lines, targetsMet: met };
}
