/**
 * `npm run rehearse`: replays scenarios' plans against the Genesys Cloud simulator with either
 * engine (rehearsal/): the TypeScript replay (default) or the generated plans under real JMeter
 * (--jmeter). Both take each scenario's plan by name, refuse a planned run shorter than two
 * simulator windows, and judge planned runs by the one pass rule (rehearsal/model.ts).
 */
import path from 'node:path';
import { numberOption, parseArgs, UsageError } from '../lib/cli';
import { loadSelectedEnvironment, type Environment } from '../lib/config';
import { planBudget } from '../lib/ratelimits/planner';
import { scenarioPlan, type RateBudget } from '../lib/ratelimits';
import { ensureJmeter, JmeterUnavailableError, REPO_ROOT } from '../loadtest/jmeter/home';
import { formatJmeterResults, formatResults } from '../rehearsal/format';
import { jmeterCompression, runJmeterRehearsal, type JmeterRehearsalResult } from '../rehearsal/jmeter';
import { ACHIEVED_SHARE, DEFAULT_MAX_429_SHARE, MIN_WINDOWS, rehearsalFailures, tooShort, type RehearsalMode } from '../rehearsal/model';
import { autoCompression, runRehearsal, scaledLimits, type RehearsalResult, type RehearsalTarget } from '../rehearsal/simulated';
import { startSimulator, type Simulator } from '../sim/server';
import { catalogueLimits } from '../sim/admission';

export const REHEARSE_USAGE = `usage: npm run rehearse -- [options]
  --env NAME            environment (default LOADLAB_ENV or example)
  --scenario NAME       scenario to replay (repeatable; default: every scenario)
  --seconds S           scenario seconds to replay, at least ${MIN_WINDOWS * 60} (two windows; default ${MIN_WINDOWS * 60})
  --naive               only the naive replay (one shared token, no pacing, Retry-After ignored)
  --planned             only the planned replay (default: planned, then naive, side by side)
  --minute-ms M         real ms per scenario minute (default: chosen so the machine sees ~250 requests/s, 1000-5000)
  --load-scale F        share of the load replayed, 0 < F <= 1: user rates and simulator limits both scale,
                        so utilisation per token and client is unchanged (default: chosen with --minute-ms)
  --url URL             use a running simulator (npm run sim) instead of an in-process one; its window and
                        limits are used (--minute-ms and --load-scale are ignored)
  --max-429-percent P   planned replays above this 429 share fail the command (default ${DEFAULT_MAX_429_SHARE * 100})
  --json                print the results as JSON instead of a table
  --jmeter              run the generated plans under real JMeter (installed on demand, see npm run jmeter:install)
  --duration-sec N      with --jmeter: real seconds JMeter runs per scenario and mode, at least two of the
                        scenario's windows (default: 60, or two windows when they are longer)
  --target-rps R        with --jmeter: real requests per second the time compression aims at (default 100)

A planned run spans at least ${MIN_WINDOWS} simulator windows (a shorter --seconds or --duration-sec is refused),
and a planned run of a scenario not over budget on purpose fails when it gets more 429s than allowed or
achieves less than ${Math.round(ACHIEVED_SHARE.min * 100)} % or more than ${Math.round(ACHIEVED_SHARE.max * 100)} % of its planned rate.`;

interface Run {
  readonly env: Environment;
  readonly budget: RateBudget;
  readonly scenarios: readonly string[];
  readonly modes: readonly RehearsalMode[];
  readonly max429Share: number;
  readonly json: boolean;
  readonly log: (line: string) => void;
  /** Counts and prints a failure (always on stderr, also with --json). */
  readonly fail: (why: string) => void;
}

type Values = ReturnType<typeof parseRehearseArgs>['values'];

function parseRehearseArgs(argv: readonly string[]) {
  return parseArgs([...argv], {
    env: { type: 'string' },
    scenario: { type: 'string', multiple: true },
    seconds: { type: 'string' },
    'minute-ms': { type: 'string' },
    'load-scale': { type: 'string' },
    url: { type: 'string' },
    'max-429-percent': { type: 'string' },
    naive: { type: 'boolean' },
    planned: { type: 'boolean' },
    json: { type: 'boolean' },
    jmeter: { type: 'boolean' },
    'duration-sec': { type: 'string' },
    'target-rps': { type: 'string' },
    help: { type: 'boolean' },
  });
}

/** Runs the command; 0 when every judged run passed, 1 otherwise. */
export async function runRehearse(argv: readonly string[]): Promise<number> {
  const { values } = parseRehearseArgs(argv);
  if (values.help) {
    console.log(REHEARSE_USAGE);
    return 0;
  }
  if (values.naive && values.planned) throw new UsageError('--naive and --planned exclude each other; omit both to run both');
  const env = loadSelectedEnvironment(values.env);
  const budget = planBudget(env.config);
  const scenarios = values.scenario ?? budget.scenarios.map((s) => s.name);
  for (const name of scenarios) scenarioPlan(budget, name);
  let failures = 0;
  const run: Run = {
    env,
    budget,
    scenarios,
    modes: values.naive ? ['naive'] : values.planned ? ['planned'] : ['planned', 'naive'],
    max429Share: (numberOption('max-429-percent', values['max-429-percent'], { min: 0 }) ?? DEFAULT_MAX_429_SHARE * 100) / 100,
    json: Boolean(values.json),
    log: (line) => {
      if (!values.json) console.log(line);
    },
    fail: (why) => {
      failures++;
      console.error(`  FAIL: ${why}`);
    },
  };
  if (values.jmeter) {
    if (values.url) throw new UsageError('--jmeter starts its own simulator; omit --url');
    await rehearseWithJmeter(run, values);
  } else {
    if (values['duration-sec'] || values['target-rps']) throw new UsageError('--duration-sec and --target-rps need --jmeter');
    await rehearseSimulated(run, values);
  }
  return failures ? 1 : 0;
}

interface RemoteSimulator {
  readonly minuteMs: number;
  readonly limits: { perToken: number; perClient: number; endpoints?: { method: string; path: string }[] };
}

async function remoteSimulator(url: string): Promise<RemoteSimulator> {
  const res = await fetch(`${url}/__sim/health`).catch((err: Error) => {
    throw new Error(`--url ${url}: cannot reach the simulator (${err.message}); start it with npm run sim`);
  });
  if (!res.ok) throw new Error(`--url ${url}: GET /__sim/health answered ${res.status}; is it the loadlab simulator?`);
  return (await res.json()) as RemoteSimulator;
}

/** A fresh simulator per run: in-process, or a reset of the running one at `url`. */
async function openTarget(
  url: string | undefined,
  start: () => Promise<Simulator>,
): Promise<{ target: RehearsalTarget; stop: () => Promise<void> }> {
  if (!url) {
    const sim = await start();
    return { target: sim, stop: () => sim.stop() };
  }
  // Control routes take JSON only (sim/control-routes.ts), so a web page cannot drive them.
  const json = { 'content-type': 'application/json' };
  const reset = await fetch(`${url}/__sim/reset`, { method: 'POST', headers: json });
  if (!reset.ok) throw new Error(`${url}/__sim/reset answered ${reset.status}; is ${url} the loadlab simulator?`);
  const addClient = async (id: string, secret: string): Promise<void> => {
    const r = await fetch(`${url}/__sim/clients`, { method: 'POST', headers: json, body: JSON.stringify({ id, secret }) });
    if (!r.ok) throw new Error(`${url}/__sim/clients answered ${r.status}; is ${url} the loadlab simulator?`);
  };
  return { target: { apiBase: url, loginBase: url, addClient }, stop: async () => undefined };
}

async function rehearseSimulated(run: Run, values: Values): Promise<void> {
  const { env, budget, log } = run;
  const url = values.url?.replace(/\/+$/, '');
  // A running simulator fixes the window and the limits; the rehearsal adapts to them.
  const remote = url ? await remoteSimulator(url) : undefined;
  const seconds = numberOption('seconds', values.seconds, { min: 1 }) ?? MIN_WINDOWS * 60;
  if (seconds < MIN_WINDOWS * 60 && run.modes.includes('planned')) {
    throw new UsageError(
      `--seconds ${seconds}: a planned replay spans at least ${MIN_WINDOWS} simulator windows (${MIN_WINDOWS} scenario minutes), or a plan that overshoots its rate could hide in one window; use --seconds ${MIN_WINDOWS * 60} or more`,
    );
  }
  // The environment's declared endpoint limits are enforced like the catalogue's.
  const limits = catalogueLimits(env.config.genesys.limits, env.config.genesys.endpointLimits);
  const results: RehearsalResult[] = [];
  for (const name of run.scenarios) {
    const plan = scenarioPlan(budget, name);
    const auto = autoCompression(plan.requestsPerMinute, limits.perToken);
    const minuteMs = remote?.minuteMs ?? numberOption('minute-ms', values['minute-ms'], { min: 100 }) ?? auto.minuteMs;
    const loadScale = remote
      ? remote.limits.perToken / limits.perToken
      : (numberOption('load-scale', values['load-scale'], { min: 0 }) ?? (values['minute-ms'] ? 1 : auto.loadScale));
    if (!(loadScale > 0 && loadScale <= 1)) throw new UsageError(`--load-scale must be > 0 and <= 1 (got ${loadScale})`);
    const simLimits = { ...limits, ...scaledLimits(limits, loadScale) };
    log(
      `\n${name}: ${plan.virtualUsers} VUs x ${plan.perThreadRequestsPerMinute}/min = ${plan.requestsPerMinute}/min; planner: ${plan.sizing.shards} shard(s) x ${plan.sizing.tokensPerShard} token(s), verdict ${plan.verdict}`,
    );
    for (const f of plan.findings) log(`  ${f.severity}: ${f.message}`);
    for (const e of simLimits.endpoints) log(`  endpoint limit: ${e.method} ${e.path}: ${e.perWindow} per window per ${e.scope}`);
    for (const e of remote
      ? limits.endpoints.filter((e) => !remote.limits.endpoints?.some((r) => r.method === e.method && r.path === e.path))
      : []) {
      log(
        `  warning: ${url} does not enforce ${e.method} ${e.path} (genesys.endpointLimits); start it with npm run sim -- --env ${env.config.name}`,
      );
    }
    log(
      `  replaying ${seconds} scenario seconds; one minute lasts ${minuteMs} ms (~${((seconds * minuteMs) / 60_000).toFixed(1)} s per mode)` +
        (loadScale < 1
          ? `; load and limits scaled by ${loadScale.toFixed(3)} (${simLimits.perToken}/token, ${simLimits.perClient}/client per window)`
          : ''),
    );
    const hint = url
      ? `restart ${url} with a longer --minute-ms`
      : 'rerun with a longer --minute-ms or a smaller --load-scale, on a less busy machine';
    for (const mode of run.modes) {
      const { target, stop } = await openTarget(url, () => startSimulator({ minuteMs, limits: simLimits }));
      try {
        const result = await runRehearsal({
          target,
          budget,
          scenario: name,
          mode,
          scenarioSeconds: seconds,
          minuteMs,
          loadScale,
          onProgress: (p) =>
            log(
              `  [${p.mode.padEnd(7)}] t=${String(p.scenarioSecond).padStart(4)} s  2xx ${p.ok}  429 ${p.throttled}  other errors ${p.errors}`,
            ),
        });
        results.push(result);
        for (const why of rehearsalFailures(result, plan, run.max429Share, hint)) run.fail(why);
      } finally {
        await stop();
      }
    }
  }
  if (run.json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`\n${formatResults(results)}`);
    console.log('\nlatency: per HTTP attempt, real ms on this machine; achieved/min: 2xx per scenario minute after ramp-up');
  }
}

async function rehearseWithJmeter(run: Run, values: Values): Promise<void> {
  const targetRps = numberOption('target-rps', values['target-rps'], { min: 1 }) ?? 100;
  const explicitSec = numberOption('duration-sec', values['duration-sec'], { min: 10 });
  const perToken = catalogueLimits(run.env.config.genesys.limits).perToken;
  const compressions = new Map(
    run.scenarios.map((name) => [name, jmeterCompression(scenarioPlan(run.budget, name).requestsPerMinute, perToken, targetRps)]),
  );
  // Refuse a too-short explicit run before JMeter is installed or anything runs.
  if (explicitSec !== undefined && run.modes.includes('planned')) {
    for (const [name, c] of compressions) {
      const short = tooShort(
        name,
        explicitSec * 1000,
        c,
        `use --duration-sec ${(MIN_WINDOWS * c.minuteMs) / 1000} or more, or a higher --target-rps for shorter windows`,
      );
      if (short) throw new UsageError(`--duration-sec ${explicitSec}: ${short}`);
    }
  }
  let home: string;
  try {
    home = await ensureJmeter(run.log);
  } catch (err) {
    if (err instanceof JmeterUnavailableError) throw new Error(`--jmeter: ${err.message}`);
    throw err;
  }
  const outRoot = path.join(REPO_ROOT, 'build', 'rehearse-jmeter');
  const results: JmeterRehearsalResult[] = [];
  for (const name of run.scenarios) {
    const plan = scenarioPlan(run.budget, name);
    const compression = compressions.get(name)!;
    // Lengthened to two windows when the length is the default.
    const durationSec = explicitSec ?? Math.max(60, (MIN_WINDOWS * compression.minuteMs) / 1000);
    run.log(
      `\n${name}: ${plan.requestsPerMinute}/min planned over ${plan.sizing.shards} shard(s) x ${plan.sizing.tokensPerShard} token(s); ` +
        `JMeter ${durationSec} s per mode, one scenario minute = ${compression.minuteMs / 1000} s, load and limits x ${compression.loadScale.toFixed(2)}`,
    );
    for (const mode of run.modes) {
      const result = await runJmeterRehearsal({
        env: run.env,
        budget: run.budget,
        scenario: name,
        mode,
        jmeterHome: home,
        durationSec,
        compression,
        outDir: path.join(outRoot, name, mode),
        onProgress: (line) => run.log(`  ${line}`),
      });
      results.push(result);
      run.log(
        `  ${mode}: ${result.requests} requests, achieved ${result.achievedPerMinute}/min of ${result.plannedPerMinute}/min (${(result.achievedShare * 100).toFixed(1)} %), ` +
          `429 ${(result.throttledShare * 100).toFixed(2)} %, Retry-After waits ${result.retryAfterWaits} (${result.retryAfterSec.toFixed(1)} s); ` +
          `JMeter summary ${result.jmeter.samples} samples / ${result.jmeter.errors} errors; report ${path.relative(process.cwd(), result.reportHtml)}`,
      );
      for (const why of rehearsalFailures(result, plan, run.max429Share, 'rerun on a less busy machine or with a lower --target-rps'))
        run.fail(why);
    }
  }
  if (run.json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`\n${formatJmeterResults(results)}`);
    console.log(
      '\nachieved/min: requests the API accepted (not 429, not 5xx) per scenario minute, at full scale (planned: after ramp-up; naive: the whole run); minute and scale: the compression',
    );
  }
}
