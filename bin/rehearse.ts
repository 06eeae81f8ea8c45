/**
 * `npm run rehearse -- --env <env> --scenario <name> [--seconds S] [--naive | --planned] [--minute-ms M] [--url URL]`
 * Replays a scenario against the Genesys Cloud simulator, sized by the budget planner, and
 * prints progress and a result table. See README "Rehearse locally".
 */
import { ConfigError, loadEnvironment, selectedEnvironmentName } from '../lib/config';
import { planBudget } from '../lib/ratelimits/planner';
import { last, numberArg, parseArgs } from '../sim/args';
import {
  autoCompression,
  formatResults,
  scaledLimits,
  runRehearsal,
  type RehearsalMode,
  type RehearsalResult,
  type RehearsalTarget,
} from '../sim/rehearsal';
import { catalogueLimits, startSimulator, type Simulator } from '../sim/server';

const USAGE = `usage: npm run rehearse -- [options]
  --env NAME            environment (default LOADLAB_ENV or example)
  --scenario NAME       scenario to replay (repeatable; default: every scenario)
  --seconds S           scenario seconds to replay (default: the scenario's duration, at most 60)
  --naive               only the naive replay (one shared token, no pacing, Retry-After ignored)
  --planned             only the planned replay (default: planned, then naive, side by side)
  --minute-ms M         real ms per scenario minute (default: chosen so the machine sees ~250 requests/s, 1000-5000)
  --load-scale F        share of the load replayed, 0 < F <= 1: user rates and simulator limits both scale,
                        so utilisation per token and client is unchanged (default: chosen with --minute-ms)
  --url URL             use a running simulator (npm run sim) instead of an in-process one; its window and
                        limits are used (--minute-ms and --load-scale are ignored)
  --max-429-percent P   planned replays above this 429 share fail the command (default 1)
  --json                print the results as JSON instead of a table`;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), {
    values: ['env', 'scenario', 'seconds', 'minute-ms', 'load-scale', 'url', 'max-429-percent'],
    flags: ['naive', 'planned', 'json', 'help'],
  });
  if (args.flags.has('help')) {
    console.log(USAGE);
    return 0;
  }
  if (args.flags.has('naive') && args.flags.has('planned'))
    throw new Error('--naive and --planned exclude each other; omit both to run both');
  const env = loadEnvironment(last(args, 'env') ?? selectedEnvironmentName());
  const budget = planBudget(env.config);
  const wanted = args.values.get('scenario') ?? env.config.loadProfile.scenarios.map((s) => s.name);
  for (const name of wanted) {
    if (!env.config.loadProfile.scenarios.some((s) => s.name === name)) {
      throw new Error(
        `--scenario ${name}: no such scenario in ${env.sourceFile}; choose one of ${env.config.loadProfile.scenarios.map((s) => s.name).join(', ')}`,
      );
    }
  }
  const modes: RehearsalMode[] = args.flags.has('naive') ? ['naive'] : args.flags.has('planned') ? ['planned'] : ['planned', 'naive'];
  const maxShare = (numberArg(args, 'max-429-percent', { min: 0 }) ?? 1) / 100;
  const url = last(args, 'url')?.replace(/\/+$/, '');
  // A running simulator fixes the window and the limits; the rehearsal adapts to them.
  const remote = url ? await remoteSimulator(url) : undefined;
  const json = args.flags.has('json');
  const log = (line: string): void => {
    if (!json) console.log(line);
  };

  const results: RehearsalResult[] = [];
  let failures = 0;
  for (const name of wanted) {
    const plan = budget.scenarios.find((s) => s.name === name)!;
    const config = env.config.loadProfile.scenarios.find((s) => s.name === name)!;
    const seconds = numberArg(args, 'seconds', { min: 1 }) ?? Math.min(plan.durationSec, 60);
    const limits = catalogueLimits(env.config.genesys.limits);
    const auto = autoCompression(plan.requestsPerMinute, limits.perToken);
    const minuteMs = remote?.minuteMs ?? numberArg(args, 'minute-ms', { min: 100 }) ?? auto.minuteMs;
    const loadScale = remote
      ? remote.limits.perToken / limits.perToken
      : (numberArg(args, 'load-scale', { min: 0 }) ?? (last(args, 'minute-ms') ? 1 : auto.loadScale));
    if (!(loadScale > 0 && loadScale <= 1)) throw new Error(`--load-scale must be > 0 and <= 1 (got ${loadScale})`);
    const simLimits = { ...limits, ...scaledLimits(limits, loadScale) };
    log(
      `\n${name}: ${plan.virtualUsers} VUs x ${config.requestsPerUserPerMinute}/min = ${plan.requestsPerMinute}/min; planner: ${plan.sizing.shards} shard(s) x ${plan.sizing.tokensPerShard} token(s), verdict ${plan.verdict}`,
    );
    for (const f of plan.findings) log(`  ${f.severity}: ${f.message}`);
    log(
      `  replaying ${seconds} scenario seconds; one minute lasts ${minuteMs} ms (~${((seconds * minuteMs) / 60_000).toFixed(1)} s per mode)` +
        (loadScale < 1
          ? `; load and limits scaled by ${loadScale.toFixed(3)} (${simLimits.perToken}/token, ${simLimits.perClient}/client per window)`
          : ''),
    );
    for (const mode of modes) {
      let sim: Simulator | undefined;
      let target: RehearsalTarget;
      if (url) {
        const base = url;
        await fetch(`${base}/__sim/reset`, { method: 'POST' });
        target = {
          apiBase: base,
          loginBase: base,
          addClient: async (id, secret) => {
            const r = await fetch(`${base}/__sim/clients`, { method: 'POST', body: JSON.stringify({ id, secret }) });
            if (!r.ok) throw new Error(`${base}/__sim/clients answered ${r.status}; is ${base} the loadlab simulator?`);
          },
        };
      } else {
        sim = await startSimulator({ minuteMs, limits: simLimits });
        target = sim;
      }
      try {
        const result = await runRehearsal({
          target,
          plan,
          endpoints: config.endpoints,
          requestsPerUserPerMinute: config.requestsPerUserPerMinute,
          usablePerToken: budget.usablePerToken,
          usablePerClient: budget.usablePerClient,
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
        if (mode === 'planned' && !plan.expectThrottling && result.throttledShare > maxShare) {
          failures++;
          log(`  FAIL: planned replay got ${(result.throttledShare * 100).toFixed(2)} % 429s (limit ${(maxShare * 100).toFixed(2)} %)`);
        }
      } finally {
        await sim?.stop();
      }
    }
  }
  if (json) console.log(JSON.stringify(results, null, 2));
  else {
    console.log(`\n${formatResults(results)}`);
    console.log('\nlatency: per HTTP attempt, real ms on this machine; achieved/min: 2xx per scenario minute after ramp-up');
  }
  return failures ? 1 : 0;
}

async function remoteSimulator(url: string): Promise<{ minuteMs: number; limits: { perToken: number; perClient: number } }> {
  const res = await fetch(`${url}/__sim/health`).catch((err: Error) => {
    throw new Error(`--url ${url}: cannot reach the simulator (${err.message}); start it with npm run sim`);
  });
  if (!res.ok) throw new Error(`--url ${url}: GET /__sim/health answered ${res.status}; is it the loadlab simulator?`);
  return (await res.json()) as { minuteMs: number; limits: { perToken: number; perClient: number } };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) for (const p of err.problems) console.error(`error: ${p}`);
    else console.error(`error: ${(err as Error).message}`);
    process.exit(1);
  },
);
