/**
 * The JMeter engine: the scenario's generated plan (loadtest/jmx) runs under real JMeter non-GUI
 * against the simulator, one JMeter per planned shard (as on Fargate), and the JTL files are read
 * back through our report. `npm run rehearse -- --jmeter`, the real-JMeter tests and the benchmark use it.
 *
 * Time compression: a scenario minute lasts `minuteMs` real ms (the simulator's rate window), and a
 * load scale `loadScale` multiplies every shard's rate AND the simulator's per-token and per-client
 * limits, so each token's and client's utilisation is the planner's. JMeter keeps real time: its
 * TARGET_RPM becomes perShard x loadScale x 60000 / minuteMs requests per real minute, and the plan's
 * Retry-After handler waits the simulator's exact `x-sim-retry-after-ms`. The model, the two-window
 * rule and the pass rule are model.ts, shared with the TypeScript engine.
 */
import { mkdirSync, rmSync, writeFileSync, createReadStream } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Environment } from '../lib/config';
import { scenarioPlan, type RateBudget, type ScenarioPlan } from '../lib/ratelimits';
import { generateTestPlan } from '../loadtest/jmx/generate';
import { DROP_LABEL, TOKEN_LABEL } from '../loadtest/labels';
import { buildReport, readJtlFile, renderHtml } from '../loadtest/report';
import { runJmeter, type JmeterSummary } from '../loadtest/jmeter/home';
import type { Faults } from '../sim/faults';
import { startSimulator, type Simulator } from '../sim/server';
import { catalogueLimits } from '../sim/admission';
import { tooShort, type Compression, type RehearsalMode, type RehearsalOutcome } from './model';

/**
 * Compression for a JMeter rehearsal: about `targetRps` real requests per second in all. The load
 * scale stays 1 when a window of at most 60 s gets there (windows of at least 5 s); otherwise the
 * load and limits are scaled down, never below `minPerToken` requests per token and window, so
 * the per-window counts stay large enough that random arrivals rarely brush the limit where the
 * full-scale test would not.
 */
/** The plan's API and login properties pointed at a simulator (plain HTTP, one host for both). */
export function simulatorTarget(url: string): Record<string, string> {
  const { hostname, port } = new URL(url);
  return { API_PROTOCOL: 'http', API_HOST: hostname, API_PORT: port, LOGIN_PROTOCOL: 'http', LOGIN_HOST: hostname, LOGIN_PORT: port };
}

export function jmeterCompression(requestsPerMinute: number, perTokenLimit: number, targetRps = 100, minPerToken = 100): Compression {
  const wanted = Math.min(1, (targetRps * 60) / requestsPerMinute);
  const perToken = Math.min(perTokenLimit, Math.max(minPerToken, Math.floor(perTokenLimit * wanted)));
  const loadScale = perToken / perTokenLimit;
  const minuteMs = Math.min(60_000, Math.max(5000, Math.round((requestsPerMinute * loadScale * 1000) / targetRps / 1000) * 1000));
  return { minuteMs, loadScale };
}

export interface JmeterRehearsalOptions {
  readonly env: Environment;
  readonly budget: RateBudget;
  readonly scenario: string;
  readonly mode: RehearsalMode;
  readonly jmeterHome: string;
  /** Real seconds JMeter runs (ramp-up included); a planned run spans at least two windows (2 x minuteMs), or it is refused. */
  readonly durationSec: number;
  readonly compression: Compression;
  /** Where the plan, JTL, logs and report go; replaced. */
  readonly outDir: string;
  /** Run only this many of the planned shards (each at its budgeted rate). Default: all. */
  readonly shards?: number;
  /** Simulator faults (e.g. injected 429s with Retry-After). */
  readonly faults?: Faults;
  /** Seconds between JMeter's progress lines. Default 10. */
  readonly progressEverySec?: number;
  readonly onProgress?: (line: string) => void;
}

export interface ShardOutcome {
  readonly index: number;
  readonly jtl: string;
  readonly exitCode: number;
  readonly jmeterSummary?: JmeterSummary;
}

/** `achievedPerMinute`: requests the API accepted (any answer but 429 and 5xx), planned runs after the ramp-up, naive the whole run. */
export interface JmeterRehearsalResult extends RehearsalOutcome {
  readonly shards: number;
  readonly tokens: number;
  readonly threads: number;
  readonly durationSec: number;
  /** JMeter's TARGET_RPM per shard, in real requests per minute. */
  readonly targetRpmPerShard: number;
  readonly tokensPerShard: number;
  readonly achievedShare: number;
  /** API samples (token requests excluded). */
  readonly requests: number;
  readonly throttled: number;
  readonly serverErrors: number;
  readonly otherErrors: number;
  /** Retry-After pauses the plan took, and their seconds. */
  readonly retryAfterWaits: number;
  readonly retryAfterSec: number;
  /** JMeter's own closing summary, summed over shards (all samples, token requests included). */
  readonly jmeter: JmeterSummary;
  /** The same totals as our report counts them: the sum over its endpoint rows (token requests included). */
  readonly report: JmeterSummary;
  readonly reportHtml: string;
  readonly shardOutcomes: readonly ShardOutcome[];
  readonly realMs: number;
}

/** A CSV of made-up ids for plans whose paths need them (the simulator accepts any id). */
export function paramsCsv(columns: readonly string[], rows = 200): string {
  const lines = [columns.join(',')];
  for (let r = 0; r < rows; r++) lines.push(columns.map((c) => `${c}-${r}-${randomBytes(4).toString('hex')}`).join(','));
  return lines.join('\n') + '\n';
}

/** Runs one scenario in one mode under real JMeter against a fresh in-process simulator. */
export async function runJmeterRehearsal(o: JmeterRehearsalOptions): Promise<JmeterRehearsalResult> {
  const sp = scenarioPlan(o.budget, o.scenario);
  const short =
    o.mode === 'planned' &&
    tooShort(sp.name, o.durationSec * 1000, o.compression, `run at least ${(2 * o.compression.minuteMs) / 1000} s (--duration-sec)`);
  if (short) throw new RangeError(short);
  const { minuteMs, loadScale } = o.compression;
  const naive = o.mode === 'naive';
  const shards = naive ? 1 : Math.min(sp.sizing.shards, o.shards ?? sp.sizing.shards);
  const tokensPerShard = naive ? 1 : sp.sizing.tokensPerShard;
  const threads = naive ? sp.virtualUsers : sp.threadsPerShard;
  const perShardRpm = naive ? sp.requestsPerMinute : sp.sizing.perShardRequestsPerMinute;
  const realRpm = (perShardRpm * loadScale * 60_000) / minuteMs;
  const rampUpSec = Math.min(Math.round((sp.rampUpSec * minuteMs) / 60_000), Math.floor(o.durationSec / 4));

  rmSync(o.outDir, { recursive: true, force: true });
  mkdirSync(o.outDir, { recursive: true });
  const generated = generateTestPlan(o.env, o.budget, o.scenario, { paramsCsv: 'params.csv' });
  const planFile = path.join(o.outDir, `${o.scenario}.jmx`);
  writeFileSync(planFile, generated.xml);
  if (generated.summary.csvColumns.length) writeFileSync(path.join(o.outDir, 'params.csv'), paramsCsv(generated.summary.csvColumns));

  const base = catalogueLimits(o.env.config.genesys.limits);
  const sim: Simulator = await startSimulator({
    minuteMs,
    limits: { ...base, perToken: Math.round(base.perToken * loadScale), perClient: Math.round(base.perClient * loadScale) },
    faults: o.faults,
  });
  const started = Date.now();
  try {
    const outcomes = await Promise.all(
      Array.from({ length: shards }, async (_, index): Promise<ShardOutcome> => {
        const id = naive ? `naive-${index}` : `runner-${sp.firstClientIndex + index}`;
        const secret = randomBytes(12).toString('base64url');
        sim.addClient(id, secret);
        // The secret goes through a properties file, never the command line (as the entrypoint does).
        const clientProps = path.join(o.outDir, `client-${index}.properties`);
        writeFileSync(clientProps, `CLIENT_ID=${id}\nCLIENT_SECRET=${secret}\n`, { mode: 0o600 });
        const jtl = path.join(o.outDir, `shard-${index}.jtl`);
        const outcome = await runJmeter({
          home: o.jmeterHome,
          plan: planFile,
          jtl,
          log: path.join(o.outDir, `shard-${index}.log`),
          // The home's user.properties holds loadlab.properties (install.sh), as in the image.
          propertyFiles: [clientProps],
          properties: {
            ...simulatorTarget(sim.url),
            THREADS: threads,
            TOKENS_PER_SHARD: tokensPerShard,
            TARGET_RPM: Math.round(realRpm * 1000) / 1000,
            DURATION_SEC: o.durationSec,
            RAMP_UP_SEC: rampUpSec,
            // Naive: as the failing tests ran, Retry-After is ignored.
            ...(naive ? { RETRY_AFTER_MAX_SEC: 0 } : {}),
            'summariser.interval': o.progressEverySec ?? 10,
          },
          onLine: (line) => {
            if (line.startsWith('summary +')) o.onProgress?.(`[${o.mode} shard ${index}] ${line.replace(/\s+/g, ' ').trim()}`);
          },
        });
        if (outcome.exitCode !== 0) {
          throw new Error(`JMeter (shard ${index}) exited with ${outcome.exitCode}; see ${path.join(o.outDir, `shard-${index}.log`)}`);
        }
        return { index, jtl, exitCode: outcome.exitCode, jmeterSummary: outcome.summary };
      }),
    );
    return await analyse(o, sp, outcomes, { shards, tokensPerShard, threads, rampUpSec, started, realRpm, perShardRpm });
  } finally {
    await sim.stop();
  }
}

async function analyse(
  o: JmeterRehearsalOptions,
  sp: ScenarioPlan,
  outcomes: readonly ShardOutcome[],
  run: {
    shards: number;
    tokensPerShard: number;
    threads: number;
    rampUpSec: number;
    started: number;
    realRpm: number;
    perShardRpm: number;
  },
): Promise<JmeterRehearsalResult> {
  const { minuteMs, loadScale } = o.compression;
  let requests = 0;
  let throttled = 0;
  let serverErrors = 0;
  let otherErrors = 0;
  let retryAfterWaits = 0;
  let retryAfterSec = 0;
  let acceptedPerMs = 0;
  for (const s of outcomes) {
    const api: { t: number; code: string }[] = [];
    await readJtlFile(s.jtl, (x) => {
      // Token requests and the gate's records of dropped arrivals are not scenario requests.
      if (x.label === TOKEN_LABEL || x.label === DROP_LABEL) return;
      api.push({ t: x.timeStamp, code: x.responseCode });
      requests++;
      if (x.responseCode === '429') throttled++;
      else if (/^5|^[^0-9]/.test(x.responseCode)) serverErrors++;
      else if (!x.success) otherErrors++;
      if (x.retryAfterSec !== undefined && x.retryAfterSec > 0) {
        retryAfterWaits++;
        retryAfterSec += x.retryAfterSec;
      }
    });
    if (api.length === 0) continue;
    // The steady part: from the end of the ramp-up to the end of the run.
    // The thread group starts its clock a second or two before the first request (setUp, Groovy
    // compiling), so the run's last request, not t0 + duration, ends the window.
    const t0 = api.reduce((m, a) => Math.min(m, a.t), Infinity);
    const last = api.reduce((m, a) => Math.max(m, a.t), -Infinity);
    // Naive runs: the whole run, since the few requests a throttled token gets come at the start of each window.
    const from = o.mode === 'naive' ? t0 : t0 + run.rampUpSec * 1000;
    const to = Math.min(t0 + o.durationSec * 1000, last);
    if (to <= from) continue;
    const accepted = api.filter((a) => a.t >= from && a.t < to && a.code !== '429' && !/^5|^[^0-9]/.test(a.code)).length;
    acceptedPerMs += accepted / (to - from);
  }
  const achievedPerMinute = (acceptedPerMs * minuteMs) / loadScale;
  // All shards: the scenario's demand; fewer (o.shards): their share of it.
  const planned = o.mode === 'naive' || run.shards === sp.sizing.shards ? sp.requestsPerMinute : run.perShardRpm * run.shards;

  const report = await buildReport(
    outcomes.map((s) => ({ name: `shard-${s.index}`, stream: createReadStream(s.jtl) })),
    { testId: `rehearsal-${o.scenario}-${o.mode}` },
  );
  const reportHtml = path.join(o.outDir, 'report.html');
  writeFileSync(path.join(o.outDir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(reportHtml, renderHtml(report));
  const jmeter = outcomes.reduce(
    (acc, s) => ({ samples: acc.samples + (s.jmeterSummary?.samples ?? NaN), errors: acc.errors + (s.jmeterSummary?.errors ?? NaN) }),
    { samples: 0, errors: 0 },
  );
  // JMeter counts every record it writes: token requests and the gate's drop records too.
  const reportTotals = [...report.endpoints, ...(report.tokens ? [report.tokens] : [])].reduce(
    (acc, e) => ({ samples: acc.samples + e.requests, errors: acc.errors + e.errors }),
    { samples: report.drops.total, errors: 0 },
  );
  return {
    scenario: o.scenario,
    mode: o.mode,
    shards: run.shards,
    tokens: run.shards * run.tokensPerShard,
    threads: run.shards * run.threads,
    durationSec: o.durationSec,
    compression: o.compression,
    targetRpmPerShard: run.realRpm,
    tokensPerShard: run.tokensPerShard,
    plannedPerMinute: Math.round(planned),
    achievedPerMinute: Math.round(achievedPerMinute),
    achievedShare: planned > 0 ? achievedPerMinute / planned : 0,
    requests,
    throttled,
    throttledShare: requests ? throttled / requests : 0,
    serverErrors,
    otherErrors,
    retryAfterWaits,
    retryAfterSec: Math.round(retryAfterSec * 1000) / 1000,
    jmeter,
    report: reportTotals,
    reportHtml,
    shardOutcomes: outcomes,
    realMs: Date.now() - run.started,
  };
}
