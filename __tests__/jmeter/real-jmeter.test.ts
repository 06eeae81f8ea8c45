/**
 * The generated plans under real JMeter 5.6.3 (loadtest/jmeter/pom.xml) against the simulator.
 * Runs with `npm run test:jmeter` (its own jest config: one JMeter at a time, nothing else competing
 * for the CPU). Without Java the suite is skipped with a notice, unless LOADLAB_REQUIRE_JMETER=1
 * (.ci/run sets it), where a missing JMeter fails it: CI can never skip it silently.
 */
import { loadSelectedEnvironment } from '../../lib/config';
import { planBudget } from '../../lib/ratelimits/planner';
import { ensureJmeter, javaProblem } from '../../loadtest/jmeter/home';
import { jmeterCompression, runJmeterRehearsal, type JmeterRehearsalResult } from '../../rehearsal/jmeter';
import { ACHIEVED_SHARE, MIN_WINDOWS, rehearsalFailures } from '../../rehearsal/model';
import { scenarioPlan } from '../../lib/ratelimits';
import { checkPauses, checkStartBurst, samplesByToken } from '../../loadtest/jmeter/retry-after';
import { readJtlFile } from '../../loadtest/report';
import { TOKEN_LABEL } from '../../loadtest/labels';
import { catalogueLimits } from '../../sim/admission';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const required = process.env.LOADLAB_REQUIRE_JMETER === '1';
const missing = javaProblem();
if (missing && !required) {
  console.warn(`real-JMeter suite skipped: ${missing}. Install Java 17 and Maven, then npm run jmeter:install.`);
}
const suite = missing && !required ? describe.skip : describe;

// Real seconds per planned run; short, so the suite stays within a few minutes on 2 cores.
const DURATION_SEC = Number(process.env.LOADLAB_JMETER_TEST_SEC ?? 30);
const env = loadSelectedEnvironment('example');
const budget = planBudget(env.config);
const perToken = catalogueLimits(env.config.genesys.limits).perToken;
const out = mkdtempSync(path.join(tmpdir(), 'loadlab-jmeter-'));
// Cold JMeter starts with 429s from the first request: CI runs 3 (bounded suite time); LOADLAB_JMETER_COLD_RUNS=10 for the full proof.
const COLD_RUNS = Number(process.env.LOADLAB_JMETER_COLD_RUNS ?? 3);
// A request that passed the gate just before the 429 came back may start this much after it
// (measured: at most 35 ms in 10 cold starts at a load average of 25 on this 2-core machine).
const IN_FLIGHT_MS = 50;
// One shard of agent-scripts (9 tokens, 54 requests/s) with 20 s windows at half scale.
/** The shortest planned rehearsal the two-window rule accepts, in whole seconds. */
const twoWindowsSec = (minuteMs: number): number => Math.ceil((MIN_WINDOWS * minuteMs) / 1000);

const AGENT_SCRIPTS_SHARD = { scenario: 'agent-scripts', compression: { minuteMs: 20_000, loadScale: 0.5 }, shards: 1 } as const;

suite('generated plans under real JMeter 5.6.3', () => {
  let home: string;
  beforeAll(async () => {
    home = await ensureJmeter((line) => console.log(line));
  }, 600_000);

  const run = (scenario: string, mode: 'planned' | 'naive', durationSec = DURATION_SEC): Promise<JmeterRehearsalResult> => {
    const compression = jmeterCompression(scenarioPlan(budget, scenario).requestsPerMinute, perToken);
    return runJmeterRehearsal({
      env,
      budget,
      scenario,
      mode,
      jmeterHome: home,
      // A planned run spans at least two of its windows (agent-scripts: 60 s windows, so 120 s).
      durationSec: mode === 'planned' ? Math.max(durationSec, (MIN_WINDOWS * compression.minuteMs) / 1000) : durationSec,
      compression,
      outDir: path.join(out, scenario, mode),
    });
  };

  it.each(env.config.loadProfile.scenarios.map((s) => s.name))(
    '%s: the planned plan runs with <= 1 %% 429 and 95-110 %% of the planned rate over two windows; the report matches JMeter',
    async (scenario) => {
      const r = await run(scenario, 'planned');
      console.log(
        `${scenario} planned: ${r.requests} requests, achieved ${(r.achievedShare * 100).toFixed(1)} %, 429 ${(r.throttledShare * 100).toFixed(2)} %`,
      );
      expect(r.shardOutcomes.every((s) => s.exitCode === 0)).toBe(true);
      expect(r.requests).toBeGreaterThan(100);
      expect(r.throttledShare).toBeLessThanOrEqual(0.01);
      // Stricter than the rehearsal rule's 90 % on this quiet runner; the rule's upper bound holds too.
      expect(r.achievedShare).toBeGreaterThanOrEqual(0.95);
      expect(r.achievedShare).toBeLessThanOrEqual(ACHIEVED_SHARE.max);
      expect(r.durationSec * 1000).toBeGreaterThanOrEqual(MIN_WINDOWS * r.compression.minuteMs);
      expect(rehearsalFailures(r, scenarioPlan(budget, scenario))).toEqual([]);
      // Our report read every sample JMeter counted, and the same failures.
      expect(r.jmeter.samples).toBeGreaterThan(0);
      expect(r.report).toEqual(r.jmeter);
      // No start-up burst: in its first window each token stays within its share of the window.
      const limit = Math.round(perToken * r.compression.loadScale);
      for (const shard of r.shardOutcomes) {
        const burst = checkStartBurst(
          await samplesByToken(shard.jtl),
          r.targetRpmPerShard / r.tokensPerShard / 60_000,
          r.compression.minuteMs,
        );
        expect(burst.maxInFirstWindow).toBeLessThanOrEqual(Math.min(limit, burst.allowedInFirstWindow));
        expect(burst.maxInFirst2s).toBeLessThanOrEqual(burst.allowedInFirst2s);
      }
    },
    600_000,
  );

  it('naive agent-scripts (every thread on one token, Retry-After ignored) is throttled heavily', async () => {
    const r = await run('agent-scripts', 'naive', 20);
    console.log(`agent-scripts naive: ${r.requests} requests, 429 ${(r.throttledShare * 100).toFixed(2)} %`);
    expect(r.tokens).toBe(1);
    expect(r.throttledShare).toBeGreaterThanOrEqual(0.5);
    expect(r.report).toEqual(r.jmeter);
  }, 600_000);

  it('after a 429 with Retry-After no request goes out on that token until the pause ends, and no burst follows', async () => {
    // One shard of agent-scripts (9 tokens), 54 requests/s; the simulator answers 1 % of the calls
    // 429 with a 3 s Retry-After although its limits have room.
    const r = await runJmeterRehearsal({
      env,
      budget,
      scenario: 'agent-scripts',
      mode: 'planned',
      jmeterHome: home,
      // A planned run spans at least two of its 20 s windows.
      durationSec: Math.max(DURATION_SEC, (MIN_WINDOWS * 20_000) / 1000),
      compression: { minuteMs: 20_000, loadScale: 0.5 },
      shards: 1,
      faults: { throttleRate: 0.01, throttleRetryAfterMs: 3000 },
      outDir: path.join(out, 'retry-after'),
    });
    const byToken = await samplesByToken(r.shardOutcomes[0].jtl);
    expect(byToken.size).toBe(r.tokensPerShard);
    const check = checkPauses(byToken, r.targetRpmPerShard / r.tokensPerShard / 60_000, 300, IN_FLIGHT_MS);
    console.log(
      `Retry-After: ${check.pauses} pauses, ${check.violations.length} requests inside a pause (latest in flight ${check.maxInFlightMs} ms), at most ${check.maxAfterPause} requests in the 300 ms after a pause (allowed ${check.allowedAfterPause})`,
    );
    expect(check.pauses).toBeGreaterThanOrEqual(5);
    expect(r.retryAfterWaits).toBe(check.pauses);
    expect(r.retryAfterSec).toBeCloseTo(3 * check.pauses, 1);
    expect(check.violations).toEqual([]);
    expect(check.maxAfterPause).toBeLessThanOrEqual(check.allowedAfterPause);
  }, 600_000);

  it(`429s from the first request of a cold JMeter: 0 requests inside a pause in ${COLD_RUNS} of ${COLD_RUNS} starts, no start-up burst`, async () => {
    const outcomes = [];
    for (let n = 0; n < COLD_RUNS; n++) {
      // Every run is a new JVM. The simulator answers the first 5 API calls 429 (3 s), then 1 % of them.
      const r = await runJmeterRehearsal({
        env,
        budget,
        ...AGENT_SCRIPTS_SHARD,
        mode: 'planned',
        jmeterHome: home,
        // A planned rehearsal spans at least two windows (the honest-rehearsal rule).
        durationSec: twoWindowsSec(AGENT_SCRIPTS_SHARD.compression.minuteMs),
        faults: { throttleFirst: 5, throttleRate: 0.01, throttleRetryAfterMs: 3000 },
        outDir: path.join(out, 'cold', String(n)),
      });
      const byToken = await samplesByToken(r.shardOutcomes[0].jtl);
      const perTokenPerMs = r.targetRpmPerShard / r.tokensPerShard / 60_000;
      const all = [...byToken.values()].flat();
      const first = Math.min(...all.map((s) => s.start));
      outcomes.push({
        early429: all.filter((s) => s.code === '429' && s.start < first + 500).length,
        check: checkPauses(byToken, perTokenPerMs, 300, IN_FLIGHT_MS),
        burst: checkStartBurst(byToken, perTokenPerMs, AGENT_SCRIPTS_SHARD.compression.minuteMs),
      });
    }
    for (const [n, o] of outcomes.entries()) {
      console.log(
        `cold start ${n + 1}/${COLD_RUNS}: ${o.early429} 429s in the first 500 ms, ${o.check.pauses} pauses, ${o.check.violations.length} requests inside a pause (latest in flight ${o.check.maxInFlightMs} ms), first 2 s per token at most ${o.burst.maxInFirst2s} (allowed ${o.burst.allowedInFirst2s}), first window ${o.burst.maxInFirstWindow} (allowed ${o.burst.allowedInFirstWindow})`,
      );
    }
    const limit = Math.round(perToken * AGENT_SCRIPTS_SHARD.compression.loadScale);
    for (const o of outcomes) {
      expect(o.early429).toBeGreaterThanOrEqual(5);
      expect(o.check.violations).toEqual([]);
      expect(o.burst.maxInFirst2s).toBeLessThanOrEqual(o.burst.allowedInFirst2s);
      expect(o.burst.maxInFirstWindow).toBeLessThanOrEqual(Math.min(limit, o.burst.allowedInFirstWindow));
    }
  }, 900_000);

  it('a token-creation storm at start (connections dropped, then the 400 form) costs seconds: every token, the whole test', async () => {
    const r = await runJmeterRehearsal({
      env,
      budget,
      ...AGENT_SCRIPTS_SHARD,
      mode: 'planned',
      jmeterHome: home,
      // Two windows (the honest-rehearsal rule): its ramp-up (a quarter) also covers the gate's warm-up (GATE_WARMUP_SEC, 5 s).
      durationSec: twoWindowsSec(AGENT_SCRIPTS_SHARD.compression.minuteMs),
      faults: { tokenDropFirst: 2, tokenLimitFirst: 3 },
      outDir: path.join(out, 'token-storm'),
    });
    const codes: string[] = [];
    await readJtlFile(r.shardOutcomes[0].jtl, (x) => {
      if (x.label === TOKEN_LABEL) codes.push(x.responseCode);
    });
    const log = readFileSync(path.join(out, 'token-storm', 'shard-0.log'), 'utf8');
    const retries = [...log.matchAll(/loadlab: token retry \d+ reason=(\S+) wait_ms=(\d+)/g)].map((m) => m[1]);
    console.log(
      `token storm: token requests ${codes.join(' ')}; retries ${retries.join(', ')}; achieved ${(r.achievedShare * 100).toFixed(1)} %`,
    );
    expect(codes.filter((c) => !/^[0-9]{3}$/.test(c))).toHaveLength(2);
    expect(codes.filter((c) => c === '400')).toHaveLength(3);
    expect(codes.filter((c) => c === '200')).toHaveLength(r.tokensPerShard);
    expect(retries).toEqual(['connection', 'connection', 'rate-limit-400', 'rate-limit-400', 'rate-limit-400']);
    expect(log).toContain(`loadlab: ${r.tokensPerShard} access token(s) ready after ${r.tokensPerShard + 5} attempt(s), 5 retried`);
    // Nothing lost: every token carries load until the end of the run, no request failed.
    const byToken = await samplesByToken(r.shardOutcomes[0].jtl);
    expect(byToken.size).toBe(r.tokensPerShard);
    const starts = [...byToken.values()].flat().map((s) => s.start);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual((r.durationSec - 3) * 1000);
    expect(r.serverErrors + r.otherErrors + r.throttled).toBe(0);
    // Measured 75-99 % on this shared machine (load average 16-26); the planned runs hold the 95 % bar.
    expect(r.achievedShare).toBeGreaterThanOrEqual(0.6);
  }, 600_000);
});
