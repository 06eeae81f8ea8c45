/**
 * Shard capacity, measured (issue #23 item 1): each example scenario's generated plan, and a plain
 * HTTP-sampler plan as the floor, run in real JMeter 5.6.3 against the simulator with limits too
 * high to bind, pinned with `taskset` to 1 CPU (simulator on CPU 0, JMeter on CPU 1) and to 2 CPUs
 * (JMeter on both, and the simulator shares them: a 2-core machine has none left). Each sweep
 * steps the target rate up (x2, with one thread per 4 requests/s) until the achieved rate stops
 * rising, falls under 80 % of the target, or the p99 of the local round trip exceeds 50 ms; the
 * capacity is the highest achieved rate of a step within that bound. Figures: requests/s per CPU,
 * the threads at that step, p99, JMeter's peak heap used (GC log) and peak RSS (/usr/bin/time).
 * Target: every generated plan >= 70 % of the plain plan's requests per JMeter CPU-second. lib/ratelimits/capacity.ts
 * holds the figures the planner uses, with the machine they came from.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadSelectedEnvironment, type Environment } from '../lib/config';
import { planBudget } from '../lib/ratelimits/planner';
import type { RateBudget } from '../lib/ratelimits';
import { ensureJmeter, javaProblem } from '../loadtest/jmeter/home';
import { generateTestPlan } from '../loadtest/jmx/generate';
import { paramsCsv } from '../rehearsal/jmeter';
import { startSimulator } from '../sim/server';
import { clientProperties, fetchToken, plainPlanXml, runStep, type StepResult } from './capacity-step';
import type { BenchOptions, BenchResult } from './types';

export const P99_BOUND_MS = 50;
const TARGET_RATIO = 0.7;
const START_PER_SEC = 125;
const MAX_PER_SEC = 16_000;
/** Threads per step: one per 4 requests/s (a virtual user waiting ~250 ms per call against Genesys). */
const threadsFor = (ratePerSec: number): number => Math.max(8, Math.ceil(ratePerSec / 4));

interface Pinning {
  readonly label: string;
  readonly vcpus: number;
  readonly jmeter: string;
  readonly sim: string;
}
const PINNINGS: readonly Pinning[] = [
  { label: '1 CPU (JMeter on CPU 1, simulator on CPU 0)', vcpus: 1, jmeter: '1', sim: '0' },
  { label: '2 CPUs (JMeter on CPUs 0-1, the simulator shares them)', vcpus: 2, jmeter: '0,1', sim: '0,1' },
];

export interface Sweep {
  readonly plan: string;
  readonly vcpus: number;
  readonly steps: readonly StepResult[];
  /** The step with the highest achieved rate within the p99 bound. */
  readonly best?: StepResult;
  /** The step with the highest achieved rate, whatever its p99 (a shared machine's scheduling delays it). */
  readonly peak?: StepResult;
  readonly stop: string;
}

/** This process's CPU list, to restore after the sweeps. */
function affinity(): string {
  const r = spawnSync('taskset', ['-p', '-c', String(process.pid)], { encoding: 'utf8' });
  return /list:\s*(\S+)/.exec(r.stdout)?.[1] ?? '0';
}

/** Pins this process (and the in-process simulator's threads) to `cpus`. */
function pinSelf(cpus: string): void {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`taskset -a -p -c ${cpus} failed: ${r.stderr}`);
}

const fmtStep = (r: StepResult): string =>
  `target ${r.targetPerSec}/s x ${r.threads} threads: achieved ${r.achievedPerSec.toFixed(0)}/s, p99 ${r.p99Ms} ms, ` +
  `errors ${(r.errorShare * 100).toFixed(1)} %, dropped ${r.dropped}, heap ${r.heapUsedMiB.toFixed(0)} MiB, ` +
  `RSS ${r.peakRssMiB.toFixed(0)} MiB, CPU JMeter ${r.jmeterCpu.toFixed(2)} simulator ${r.simCpu.toFixed(2)} (${r.perCpuSec.toFixed(0)} req per JMeter CPU-s)`;

/**
 * Why a sweep stops after step `r` (undefined: go on). Past the p99 bound it goes on while the
 * rate still rises, so the peak is known even where other load on the machine delays replies.
 */
function stopReason(r: StepResult, peak: StepResult | undefined): string | undefined {
  if (r.errorShare > 0.01) return `${(r.errorShare * 100).toFixed(1)} % errors`;
  if (peak && r.achievedPerSec < peak.achievedPerSec * 1.05) return 'achieved rate stopped rising';
  if (r.achievedPerSec < 0.8 * r.targetPerSec) return 'achieved under 80 % of the target';
  return undefined;
}

const higher = (a: StepResult | undefined, r: StepResult): StepResult => (a && a.achievedPerSec >= r.achievedPerSec ? a : r);

interface PlanUnderTest {
  readonly name: string;
  /** Writes the plan and its files into `dir`; the properties and files each step passes. */
  readonly prepare: (dir: string, sim: Awaited<ReturnType<typeof startSimulator>>) => Promise<Omit<StepProps, 'dir'>>;
}
interface StepProps {
  readonly dir: string;
  readonly plan: string;
  readonly properties: Record<string, string | number>;
  readonly propertyFiles?: readonly string[];
}

async function sweep(
  home: string,
  put: PlanUnderTest,
  pin: Pinning,
  o: { stepSec: number; root: string; log: BenchOptions['log'] },
): Promise<Sweep> {
  pinSelf(pin.sim);
  const dir = path.join(o.root, `${put.name}-${pin.vcpus}`);
  mkdirSync(dir, { recursive: true });
  // Limits far above anything a step sends: only JMeter's (and the simulator's) speed counts.
  const sim = await startSimulator({ limits: { perToken: 1e9, perClient: 1e9, tokenCreationPerClient: 1e6 }, requestLogMax: 1000 });
  const steps: StepResult[] = [];
  let best: StepResult | undefined;
  let peak: StepResult | undefined;
  let stop = `reached ${MAX_PER_SEC}/s`;
  try {
    const props = await put.prepare(dir, sim);
    for (let rate = START_PER_SEC; rate <= MAX_PER_SEC; rate *= 2) {
      const r = await runStep({
        home,
        sim,
        dir,
        ...props,
        cpus: pin.jmeter,
        ratePerSec: rate,
        threads: threadsFor(rate),
        durationSec: o.stepSec,
        rampUpSec: 2,
      });
      steps.push(r);
      o.log(`    ${fmtStep(r)}`);
      const why = stopReason(r, peak);
      if (r.errorShare <= 0.01) {
        peak = higher(peak, r);
        if (r.p99Ms <= P99_BOUND_MS) best = higher(best, r);
      }
      if (why) {
        stop = why;
        break;
      }
    }
  } finally {
    await sim.stop();
  }
  return { plan: put.name, vcpus: pin.vcpus, steps, best, peak, stop };
}

function plansUnderTest(env: Environment, budget: RateBudget, scenarios: readonly string[]): PlanUnderTest[] {
  const plain: PlanUnderTest = {
    name: 'plain',
    prepare: async (dir, sim) => {
      const secret = randomBytes(12).toString('base64url');
      sim.addClient('plain', secret);
      const plan = path.join(dir, 'plain.jmx');
      writeFileSync(plan, plainPlanXml());
      return { plan, properties: { TOKEN: await fetchToken(sim, 'plain', secret) } };
    },
  };
  const generated = scenarios.map((name): PlanUnderTest => ({
    name,
    prepare: async (dir, sim) => {
      const g = generateTestPlan(env, budget, name, { paramsCsv: 'params.csv' });
      const plan = path.join(dir, `${name}.jmx`);
      writeFileSync(plan, g.xml);
      if (g.summary.csvColumns.length) writeFileSync(path.join(dir, 'params.csv'), paramsCsv(g.summary.csvColumns));
      const secret = randomBytes(12).toString('base64url');
      sim.addClient(`runner-${name}`, secret);
      // The planned tokens per shard: the rotation costs what it costs in the real plan.
      return Promise.resolve({
        plan,
        properties: { TOKENS_PER_SHARD: g.summary.tokensPerShard },
        propertyFiles: [clientProperties(dir, `runner-${name}`, secret)],
      });
    },
  }));
  return [plain, ...generated];
}

/** nproc, lscpu's model name and the date: the machine the figures came from. */
export function machine(): string {
  const nproc = spawnSync('nproc', { encoding: 'utf8' }).stdout.trim();
  const model = /Model name:\s*(.+)/.exec(spawnSync('lscpu', { encoding: 'utf8' }).stdout)?.[1]?.trim() ?? 'unknown';
  return `${nproc} CPUs, ${model}, ${new Date().toISOString().slice(0, 16)}Z`;
}
const loadAverage = (): string =>
  spawnSync('uptime', { encoding: 'utf8' })
    .stdout.trim()
    .replace(/.*load average:/, 'load average');

const pctOf = (a: number | undefined, b: number | undefined): string =>
  a !== undefined && b !== undefined && Number.isFinite(a / b) ? `${((a / b) * 100).toFixed(0)} %` : '-';

/**
 * One row per sweep. `p99 ok`: the highest rate with p99 within the bound; the rest is the peak
 * step's: its rate per CPU, requests per second of JMeter's own CPU time, threads, p99, memory.
 */
function summaryLines(sweeps: readonly Sweep[]): { lines: string[]; met: boolean } {
  const lines = [
    'plan             CPUs  p99 ok  peak/s  per CPU  per CPU-s  threads  p99 ms  heap  RSS MiB  JMeter CPU  sim CPU  vs plain (CPU-s)',
  ];
  let met = true;
  for (const s of sweeps) {
    const k = s.peak;
    const plain = sweeps.find((x) => x.plan === 'plain' && x.vcpus === s.vcpus)?.peak;
    // Per CPU-second JMeter used: the rate per CPU that the machine's other load changes least.
    if (s.plan !== 'plain') met &&= k !== undefined && plain !== undefined && k.perCpuSec / plain.perCpuSec >= TARGET_RATIO;
    const n = (v: number | undefined, width: number): string =>
      (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(0)).padStart(width);
    lines.push(
      [
        s.plan.padEnd(16),
        String(s.vcpus).padStart(4),
        n(s.best?.achievedPerSec, 6),
        n(k?.achievedPerSec, 7),
        n(k && k.achievedPerSec / s.vcpus, 8),
        n(k?.perCpuSec, 10),
        n(k?.threads, 8),
        n(k?.p99Ms, 7),
        n(k?.heapUsedMiB, 5),
        n(k?.peakRssMiB, 8),
        (k ? k.jmeterCpu.toFixed(2) : '-').padStart(11),
        (k ? k.simCpu.toFixed(2) : '-').padStart(8),
        s.plan === 'plain'
          ? ''
          : `${pctOf(k?.achievedPerSec, plain?.achievedPerSec).padStart(9)} (${pctOf(k?.perCpuSec, plain?.perCpuSec)})`,
        ` ${s.stop}`,
      ].join(' '),
    );
  }
  return { lines, met };
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const name = 'capacity (requests/s per CPU: generated plans vs a plain HTTP sampler, real JMeter vs simulator)';
  const problem = javaProblem();
  if (problem) return { name, lines: [`not run: ${problem}`], targetsMet: false };
  const home = await ensureJmeter(options.log);
  const env = loadSelectedEnvironment('example');
  const budget = planBudget(env.config);
  const scenarios = options.quick ? ['agent-scripts'] : budget.scenarios.map((s) => s.name);
  const stepSec = options.quick ? 10 : 12;
  const root = mkdtempSync(path.join(tmpdir(), 'loadlab-bench-capacity-'));
  const loadBefore = loadAverage();
  const ownCpus = affinity();
  const sweeps: Sweep[] = [];
  try {
    for (const pin of PINNINGS) {
      for (const put of plansUnderTest(env, budget, scenarios)) {
        options.log(`  ${put.name}, ${pin.label}:`);
        sweeps.push(await sweep(home, put, pin, { stepSec, root, log: options.log }));
      }
    }
  } finally {
    pinSelf(ownCpus);
    rmSync(root, { recursive: true, force: true });
  }
  const { lines, met } = summaryLines(sweeps);
  return {
    name,
    lines: [
      `machine: ${machine()}; ${loadBefore} before, ${loadAverage()} after`,
      `${stepSec} s steps (2 s ramp-up, 2 s JIT warm-up excluded), target x2 per step from ${START_PER_SEC}/s, one thread per 4 requests/s; p99 bound ${P99_BOUND_MS} ms`,
      'p99 ok = highest req/s with p99 <= the bound; the other columns are the peak step (highest req/s); per CPU-s = req/s per CPU-second JMeter used; heap = peak MiB in use (GC log)',
      ...lines,
      `target: each generated plan's requests per JMeter CPU-second >= ${TARGET_RATIO * 100} % of the plain plan's at the same CPUs (in brackets under vs plain; before them, the wall-clock peaks)`,
    ],
    targetsMet: met,
  };
}
