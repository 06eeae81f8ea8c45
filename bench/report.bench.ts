/**
 * The report against JMeter's own dashboard generator on the same synthetic JTL: 5 shards of
 * 1,000,000 and 5,000,000 samples in all (--quick: 100,000 and 500,000), the two tools alternated
 * (report first at the small size, JMeter first at the large one), each in its own process, timed
 * and measured by /usr/bin/time (wall seconds, peak RSS). Targets at every size: the report
 * >= 4x faster and <= 0.5x JMeter's peak memory. `jmeter -g` needs JMeter's report template in
 * the JMeter home (`npm run jmeter:install` lays out bin/report-template; LOADLAB_JMETER_HOME
 * points elsewhere): without it the benchmark measures the report alone, says why, and misses its
 * target. Then the report alone on the shape of the largest run the runners can produce (most
 * shards, longest duration, many endpoints) at a lower rate: its memory depends on that shape, not
 * on the sample count, so this run shows whether the report Lambda's memory covers the largest run.
 * Wire-up: `import { run as report } from './report.bench'`.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { javaProblem, jmeterHome } from '../loadtest/jmeter/home';
import { SAMPLE_VARIABLES } from '../loadtest/labels';
import { syntheticJtl } from '../loadtest/report/synthetic';
import { MAX_DURATION_SEC } from '../lib/contracts/load-test-input';
import { CLIENT_LIMIT, LIMIT_CATALOGUE } from '../lib/genesys-facts/limits';
import { MAX_SHARDS_PER_TEST } from '../lib/runners/naming';
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
/** Endpoints of the largest-shape run (scenarios list a handful; the report's memory grows with them). */
const LARGEST_LABELS = 20;

/** A run's shape: what the report's memory depends on. */
interface Shape {
  readonly shards: number;
  readonly durationSec: number;
  readonly labels: readonly string[];
}

const BENCH_SHAPE: Shape = { shards: SHARDS, durationSec: 3600, labels: LABELS };

/**
 * The largest run the runners can produce: the most shards per test (lib/runners/naming.ts), each
 * at most its OAuth client's rate (one client per shard; the catalogue's org.app.user.rate.per.minute),
 * for the longest duration a test may ask (lib/contracts/load-test-input.ts).
 */
export function largestRun(): { shards: number; perShardPerMinute: number; durationSec: number; samples: number } {
  const perShardPerMinute = LIMIT_CATALOGUE.find((l) => l.name === CLIENT_LIMIT)!.value;
  const samples = (MAX_SHARDS_PER_TEST * perShardPerMinute * MAX_DURATION_SEC) / 60;
  return { shards: MAX_SHARDS_PER_TEST, perShardPerMinute, durationSec: MAX_DURATION_SEC, samples };
}

interface Measured {
  readonly sec: number;
  readonly peakMiB: number;
}

/** Writes the shards (for the report) and, with `merged`, one file of the same samples (jmeter -g reads one). */
export async function writeInput(
  dir: string,
  samples: number,
  shape: Shape = BENCH_SHAPE,
  merged = true,
): Promise<{ shardsDir: string; merged: string; bytes: number }> {
  const shardsDir = path.join(dir, 'shards');
  mkdirSync(shardsDir, { recursive: true });
  const mergedFile = path.join(dir, 'merged.jtl');
  const all = merged ? createWriteStream(mergedFile) : undefined;
  let first = true;
  let bytes = 0;
  for (let shard = 0; shard < shape.shards; shard++) {
    const out = createWriteStream(path.join(shardsDir, `shard-${shard}.jtl`));
    const chunks = syntheticJtl({
      shard,
      startMs: Date.UTC(2026, 0, 1),
      durationSec: shape.durationSec,
      requestsPerSec: samples / shape.shards / shape.durationSec,
      labels: shape.labels,
      throttleFromSec: (shape.durationSec * 5) / 6,
      throttleShare: 0.05,
      rampUpSec: shape.durationSec / 12,
    });
    for (const chunk of chunks) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      if (!all) continue;
      // The merged file keeps one header line.
      const body = first ? chunk : chunk.startsWith('timeStamp,') ? chunk.slice(chunk.indexOf('\n') + 1) : chunk;
      first = false;
      if (!all.write(body)) await once(all, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }
  if (all) {
    all.end();
    await once(all, 'finish');
  }
  return { shardsDir, merged: mergedFile, bytes: all ? statSync(mergedFile).size : bytes };
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

/** The 1-minute load average now: the figures are timings on a shared machine. */
const load = (): string => `load ${loadavg()[0].toFixed(2)}`;

/** One size: both tools on the same input, alternated; the line and whether the targets were met. */
async function compareAt(samples: number, k: number, home: string, problem: string | undefined, log: (l: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-report-bench-'));
  try {
    log(`writing ${SHARDS} shards, ${samples.toLocaleString('en-US')} samples in all...`);
    const input = await writeInput(dir, samples);
    const report = (): Measured => (log(`  npm run report ... (${load()})`), runReport(input.shardsDir, path.join(dir, 'report')));
    const jmeter = (): Measured => (
      log(`  jmeter -g ... (${load()})`),
      runJmeterDashboard(home, input.merged, path.join(dir, 'dashboard'))
    );
    // Alternated: the report first at the first size, JMeter first at the next.
    let r: Measured;
    let j: Measured | undefined;
    if (problem) r = report();
    else if (k % 2 === 0) [r, j] = [report(), jmeter()];
    else [j, r] = [jmeter(), report()];
    const head = `${samples.toLocaleString('en-US')} samples (${(input.bytes / 1048576).toFixed(0)} MB): report ${fmtRun(r)}`;
    if (!j) return { line: `${head}; jmeter -g not measured (${load()})`, met: false };
    const faster = j.sec / r.sec;
    const memory = r.peakMiB / j.peakMiB;
    return {
      line: `${head}; jmeter -g ${fmtRun(j)}: ${faster.toFixed(1)}x faster (target >= 4), ${memory.toFixed(2)}x the memory (target <= 0.5) (${load()})`,
      met: faster >= 4 && memory <= 0.5,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The report on the largest run's shape (shards, duration, endpoints) at a lower rate: its memory against the Lambda's. */
async function largestShape(samples: number, log: (l: string) => void): Promise<{ lines: string[]; met: boolean }> {
  const largest = largestRun();
  const labels = Array.from({ length: LARGEST_LABELS }, (_, i) => `GET /api/v2/bench/endpoint-${i}`);
  const shape: Shape = { shards: largest.shards, durationSec: largest.durationSec, labels };
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-report-bench-'));
  try {
    log(
      `writing ${shape.shards} shards over ${shape.durationSec} s, ${LARGEST_LABELS} endpoints, ${samples.toLocaleString('en-US')} samples...`,
    );
    const input = await writeInput(dir, samples, shape, false);
    log(`  npm run report ... (${load()})`);
    const r = runReport(input.shardsDir, path.join(dir, 'report'));
    const met = r.peakMiB <= LAMBDA_MIB * 0.8;
    const mio = (n: number): string => `${(n / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} million`;
    return {
      lines: [
        `largest run the runners can produce: ${largest.shards} shards x ${largest.perShardPerMinute.toLocaleString('en-US')} requests/min (one OAuth client each) x ${largest.durationSec} s = ${mio(largest.samples)} samples`,
        `report on that shape (${shape.shards} shards, ${shape.durationSec} s, ${LARGEST_LABELS} endpoints) with ${mio(samples)} samples: ${fmtRun(r)} (${load()}); its memory depends on the shape, not the sample count`,
        `report Lambda ${LAMBDA_MIB} MiB: ${met ? 'covers' : 'does NOT cover'} the largest run (${r.peakMiB.toFixed(0)} MiB measured, target <= 80 % of ${LAMBDA_MIB} MiB)`,
      ],
      met,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const sizes = options.quick ? [100_000, 500_000] : [1_000_000, 5_000_000];
  const home = jmeterHome();
  const problem = dashboardProblem(home);
  const lines: string[] = [];
  let met = problem === undefined;
  for (const [k, samples] of sizes.entries()) {
    const at = await compareAt(samples, k, home, problem, options.log);
    lines.push(at.line);
    met &&= at.met;
  }
  if (problem) lines.push(`jmeter -g not run: ${problem}`);
  const largest = await largestShape(options.quick ? 200_000 : 1_000_000, options.log);
  lines.push(...largest.lines);
  return { name: 'report (vs jmeter -g)', lines, targetsMet: met && largest.met };
}
