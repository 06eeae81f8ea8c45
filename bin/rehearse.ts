/**
 * `npm run rehearse -- --env <env> --scenario <name> [--seconds S] [--naive | --planned] [--minute-ms M] [--url URL] [--jmeter [--duration-sec N]]`
 * Replays a scenario against the Genesys Cloud simulator, sized by the budget planner, and
 * prints progress and a result table. See docs/simulator.md.
 */
import { numberOption, parseArgs, runCli, UsageError } from '../lib/cli';
import { loadSelectedEnvironment } from '../lib/config';
import { planBudget } from '../lib/ratelimits/planner';
import {
  autoCompression,
  formatResults,
  scaledLimits,
  runRehearsal,
  underTarget,
  type RehearsalMode,
  type RehearsalResult,
  type RehearsalTarget,
} from '../sim/rehearsal';
import { catalogueLimits, startSimulator, type Simulator } from '../sim/server';
import { rehearseWithJmeter } from '../loadtest/jmeter/command';

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
  --json                print the results as JSON instead of a table
  --jmeter              run the generated plans under real JMeter (installed on demand, see npm run jmeter:install)
  --duration-sec N      with --jmeter: real seconds JMeter runs per scenario and mode (default 60)
  --target-rps R        with --jmeter: real requests per second the time compression aims at (default 100)

A planned replay of a scenario within budget that achieves less than 90 % of its target rate
fails too: the simulator's window or this machine could not keep up, so it proves nothing.`;

async function main(): Promise<number> {
  const { values } = parseArgs(process.argv.slice(2), {
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
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.naive && values.planned) throw new UsageError('--naive and --planned exclude each other; omit both to run both');
  const env = loadSelectedEnvironment(values.env);
  const budget = planBudget(env.config);
  const wanted = values.scenario ?? env.config.loadProfile.scenarios.map((s) => s.name);
  for (const name of wanted) {
    if (!env.config.loadProfile.scenarios.some((s) => s.name === name)) {
      throw new UsageError(
        `--scenario ${name}: no such scenario in ${env.sourceFile}; choose one of ${env.config.loadProfile.scenarios.map((s) => s.name).join(', ')}`,
      );
    }
  }
  const modes: RehearsalMode[] = values.naive ? ['naive'] : values.planned ? ['planned'] : ['planned', 'naive'];
  const maxShare = (numberOption('max-429-percent', values['max-429-percent'], { min: 0 }) ?? 1) / 100;
  const url = values.url?.replace(/\/+$/, '');
  // A running simulator fixes the window and the limits; the rehearsal adapts to them.
  const remote = url ? await remoteSimulator(url) : undefined;
  const json = values.json;
  const log = (line: string): void => {
    if (!json) console.log(line);
  };

  if (values.jmeter) {
    if (url) throw new UsageError('--jmeter starts its own simulator; omit --url');
    return rehearseWithJmeter({
      env,
      budget,
      scenarios: wanted,
      modes,
      durationSec: numberOption('duration-sec', values['duration-sec'], { min: 10 }) ?? 60,
      targetRps: numberOption('target-rps', values['target-rps'], { min: 1 }) ?? 100,
      max429Share: maxShare,
      minAchievedShare: 0.95,
      json: Boolean(json),
      log,
    });
  }
  if (values['duration-sec'] || values['target-rps']) throw new UsageError('--duration-sec and --target-rps need --jmeter');

  const results: RehearsalResult[] = [];
  let failures = 0;
  for (const name of wanted) {
    const plan = budget.scenarios.find((s) => s.name === name)!;
    const config = env.config.loadProfile.scenarios.find((s) => s.name === name)!;
    const seconds = numberOption('seconds', values.seconds, { min: 1 }) ?? Math.min(plan.durationSec, 60);
    // The environment's declared endpoint limits are enforced like the catalogue's.
    const limits = catalogueLimits(env.config.genesys.limits, env.config.genesys.endpointLimits);
    const auto = autoCompression(plan.requestsPerMinute, limits.perToken);
    const minuteMs = remote?.minuteMs ?? numberOption('minute-ms', values['minute-ms'], { min: 100 }) ?? auto.minuteMs;
    const loadScale = remote
      ? remote.limits.perToken / limits.perToken
      : (numberOption('load-scale', values['load-scale'], { min: 0 }) ?? (values['minute-ms'] ? 1 : auto.loadScale));
    if (!(loadScale > 0 && loadScale <= 1)) throw new UsageError(`--load-scale must be > 0 and <= 1 (got ${loadScale})`);
    const simLimits = { ...limits, ...scaledLimits(limits, loadScale) };
    log(
      `\n${name}: ${plan.virtualUsers} VUs x ${config.requestsPerUserPerMinute}/min = ${plan.requestsPerMinute}/min; planner: ${plan.sizing.shards} shard(s) x ${plan.sizing.tokensPerShard} token(s), verdict ${plan.verdict}`,
    );
    for (const f of plan.findings) log(`  ${f.severity}: ${f.message}`);
    for (const e of simLimits.endpoints) log(`  endpoint limit: ${e.method} ${e.path}: ${e.perWindow} per window per ${e.scope}`);
    const missing = remote
      ? limits.endpoints.filter((e) => !remote.limits.endpoints?.some((r) => r.method === e.method && r.path === e.path))
      : [];
    for (const e of missing) {
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
    for (const mode of modes) {
      let sim: Simulator | undefined;
      let target: RehearsalTarget;
      if (url) {
        const base = url;
        // Control routes take JSON only (sim/control-routes.ts), so a web page cannot drive them.
        const json = { 'content-type': 'application/json' };
        const reset = await fetch(`${base}/__sim/reset`, { method: 'POST', headers: json });
        if (!reset.ok) throw new Error(`${base}/__sim/reset answered ${reset.status}; is ${base} the loadlab simulator?`);
        target = {
          apiBase: base,
          loginBase: base,
          addClient: async (id, secret) => {
            const r = await fetch(`${base}/__sim/clients`, { method: 'POST', headers: json, body: JSON.stringify({ id, secret }) });
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
        const shortfall = underTarget(result, plan.verdict);
        if (shortfall) {
          failures++;
          // Always said, also with --json: a replay that could not reach its rate must not pass for a good plan.
          console.error(`  FAIL: ${shortfall}${url ? ` (restart ${url} with a longer --minute-ms)` : ''}`);
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

async function remoteSimulator(
  url: string,
): Promise<{ minuteMs: number; limits: { perToken: number; perClient: number; endpoints?: { method: string; path: string }[] } }> {
  const res = await fetch(`${url}/__sim/health`).catch((err: Error) => {
    throw new Error(`--url ${url}: cannot reach the simulator (${err.message}); start it with npm run sim`);
  });
  if (!res.ok) throw new Error(`--url ${url}: GET /__sim/health answered ${res.status}; is it the loadlab simulator?`);
  return (await res.json()) as {
    minuteMs: number;
    limits: { perToken: number; perClient: number; endpoints?: { method: string; path: string }[] };
  };
}

// Exit 1 on any failure, bad arguments included; exit at once, so no open socket holds the result back.
void runCli(main, { usage: USAGE, usageErrorCode: 1, configErrorCode: 1, exitWhenDone: true });
