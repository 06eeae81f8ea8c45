/**
 * The parts of the real-JMeter rehearsal that need no JMeter: the time compression, the pass/fail
 * rule, the Retry-After check over JTL rows and JMeter's summary line (the runs themselves are in
 * __tests__/jmeter, npm run test:jmeter).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseSummaryLine } from '../../loadtest/jmeter/home';
import { jmeterCompression, type JmeterRehearsalResult } from '../../rehearsal/jmeter';
import { rehearsalFailures } from '../../rehearsal/model';
import { checkPauses, checkStartBurst, samplesByToken } from '../../loadtest/jmeter/retry-after';
import type { ScenarioPlan } from '../../lib/ratelimits';

describe('JMeter rehearsal compression', () => {
  it.each([
    // requests/min, minute ms, load scale
    [600, 6000, 1],
    [15000, 60000, 0.4],
    [300, 5000, 1],
    [1200, 12000, 1],
  ])('%d/min -> %d ms minutes at load scale %d', (rpm, minuteMs, loadScale) => {
    const c = jmeterCompression(rpm, 300);
    expect(c).toEqual({ minuteMs, loadScale });
    // About 100 real requests per second at most, and at least 100 requests per token and window.
    expect((rpm * c.loadScale * 1000) / c.minuteMs / 60).toBeLessThanOrEqual(101);
    expect(300 * c.loadScale).toBeGreaterThanOrEqual(100);
    expect(Number.isInteger(300 * c.loadScale)).toBe(true);
  });

  it('never scales a heavy scenario below 100 requests per token and window', () => {
    const c = jmeterCompression(1_000_000, 300);
    expect(c.loadScale * 300).toBe(100);
    expect(c.minuteMs).toBe(60000);
  });
});

describe('JMeter rehearsal verdict', () => {
  const plan = { expectThrottling: false } as ScenarioPlan;
  const result = (over: Partial<JmeterRehearsalResult>): JmeterRehearsalResult =>
    ({
      scenario: 's',
      mode: 'planned',
      compression: { minuteMs: 6000, loadScale: 1 },
      plannedPerMinute: 1000,
      achievedPerMinute: 1000,
      throttledShare: 0,
      ...over,
    }) as JmeterRehearsalResult;

  it('fails a planned run over 1 % 429, under 90 % or over 110 % of its rate (the simulated rule), never a naive one', () => {
    expect(rehearsalFailures(result({}), plan)).toEqual([]);
    expect(rehearsalFailures(result({ throttledShare: 0.011 }), plan)).toEqual(['s: 1.10 % of requests got 429 (at most 1.00 %)']);
    expect(rehearsalFailures(result({ achievedPerMinute: 899 }), plan)).toEqual([
      expect.stringMatching(/^s: the planned replay achieved 899\/min, 89\.9 % of the target 1000\/min \(below 90 %\)/),
    ]);
    expect(rehearsalFailures(result({ achievedPerMinute: 900 }), plan)).toEqual([]);
    expect(rehearsalFailures(result({ achievedPerMinute: 1100 }), plan)).toEqual([]);
    expect(rehearsalFailures(result({ achievedPerMinute: 1101 }), plan)).toEqual([
      expect.stringMatching(/^s: the planned replay achieved 1101\/min, 110\.1 % of the target 1000\/min \(above 110 %\)/),
    ]);
    expect(rehearsalFailures(result({ mode: 'naive', throttledShare: 0.9, achievedPerMinute: 100 }), plan)).toEqual([]);
    expect(rehearsalFailures(result({ throttledShare: 0.5 }), { expectThrottling: true } as ScenarioPlan)).toEqual([]);
  });

  it("reads JMeter's closing summary line", () => {
    expect(parseSummaryLine('summary =   6183 in 00:01:01 =  101.4/s Avg:     3 Min:     0 Max:  1211 Err:    12 (0.19%)')).toEqual({
      samples: 6183,
      errors: 12,
    });
    expect(parseSummaryLine('summary +    497 in 00:00:10 =   50.0/s Avg:     3 Min:     0 Max:    36 Err:     0 (0.00%)')).toBeUndefined();
  });
});

describe('Retry-After check over a JTL', () => {
  const header = 'timeStamp,elapsed,label,responseCode,responseMessage,threadName,success,loadlab_retry_after,loadlab_token_index\n';
  const row = (t: number, code: string, token: number, ra = '') =>
    `${t},10,GET /api/v2/scripts,${code},m,t 1-1,${code === '200'},${ra},${token}\n`;
  const write = (rows: string[]): string => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'loadlab-ra-')), 'shard-0.jtl');
    writeFileSync(file, header + 'x,1,POST /oauth/token,200,OK,setUp 1-1,true,null,null\n'.replace('x', '1000') + rows.join(''));
    return file;
  };

  it('passes a plan that rests the token and finds a request inside the pause and a burst after it', async () => {
    // Token 0: 429 at 10000 (ends 10010) with 2 s; token 1 goes on meanwhile.
    const good = write([row(10000, '429', 0, '2.000'), row(10500, '200', 1), row(12100, '200', 0), row(12400, '200', 0)]);
    const ok = checkPauses(await samplesByToken(good), 10 / 1000);
    expect(ok).toEqual({
      pauses: 1,
      violations: [],
      maxInFlightMs: 0,
      maxAfterPause: 1,
      allowedAfterPause: Math.ceil(3 + 4 * Math.sqrt(3) + 2),
    });
    // A request already on its way starts 20 ms after the 429 ended: within the allowance, and measured.
    const inFlight = checkPauses(await samplesByToken(write([row(10000, '429', 0, '2.000'), row(10030, '200', 0)])), 10 / 1000, 300, 30);
    expect(inFlight.violations).toEqual([]);
    expect(inFlight.maxInFlightMs).toBe(20);

    const burst = Array.from({ length: 15 }, (_, i) => row(12020 + i * 10, '200', 0));
    const bad = write([row(10000, '429', 0, '2.000'), row(11000, '200', 0), ...burst]);
    const check = checkPauses(await samplesByToken(bad), 10 / 1000);
    expect(check.violations).toEqual([{ token: '0', intoPauseMs: 990, pauseMs: 2000 }]);
    expect(check.maxAfterPause).toBe(15);
    expect(check.maxAfterPause).toBeGreaterThan(check.allowedAfterPause);
  });
});

describe('start-up burst check over a JTL', () => {
  const header = 'timeStamp,elapsed,label,responseCode,responseMessage,threadName,success,loadlab_retry_after,loadlab_token_index\n';
  const write = (starts: Record<number, number[]>): string => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'loadlab-burst-')), 'shard-0.jtl');
    const rows = Object.entries(starts).flatMap(([token, ts]) =>
      ts.map((t) => `${t},10,GET /api/v2/scripts,200,OK,t 1-1,true,,${token}\n`),
    );
    writeFileSync(file, header + rows.join(''));
    return file;
  };

  it('counts each token from its own first request and compares with one request plus 1.25 x the planned rate', async () => {
    // 5 requests/s per token: token 0 steady, token 1 bursts 20 at its start (caught: more than the 14 the gate allows).
    const steady = Array.from({ length: 25 }, (_, i) => 1000 + i * 200);
    const burst = [...Array.from({ length: 20 }, (_, i) => 3000 + i), ...Array.from({ length: 10 }, (_, i) => 5000 + i * 200)];
    const check = checkStartBurst(await samplesByToken(write({ 0: steady, 1: burst })), 5 / 1000, 4000);
    expect(check).toEqual({ maxInFirst2s: 20, maxInFirstWindow: 30, allowedInFirst2s: 14, allowedInFirstWindow: 26 });
    const calm = checkStartBurst(await samplesByToken(write({ 0: steady })), 5 / 1000, 4000);
    expect(calm.maxInFirst2s).toBe(10);
    expect(calm.maxInFirstWindow).toBe(20);
  });
});
