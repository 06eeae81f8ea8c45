/**
 * Runs the plan's Groovy (the 429 handler, the token rounds, the round-robin pick, the weighted
 * switch) in a real Groovy interpreter with stand-ins for JMeter's bindings. Needs `groovy` on
 * PATH (Debian package `groovy`); skipped without it, except under CI.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { weightedPickExpression } from '../../loadtest/jmx/weighted-pick';
import { describeWith } from '../helpers/prerequisites';
import { DROP_CODES, DROP_LABEL } from '../../loadtest/labels';
import { GATE_SETUP } from '../../loadtest/jmx/gate-script';
import { extractIdScript, HONOUR_RETRY_AFTER, PICK_TOKEN, TOKEN_RESPONSE, TOKEN_ROUND_START } from '../../loadtest/jmx/scripts';

const javaHome = (): string => {
  if (process.env.JAVA_HOME) return process.env.JAVA_HOME;
  const java = spawnSync('sh', ['-c', 'command -v java'], { encoding: 'utf8' }).stdout.trim();
  return java ? path.dirname(path.dirname(realpathSync(java))) : '';
};

// CI installs groovy (.ci/run), so there a missing interpreter fails the suite instead of skipping it.
describeWith('groovy')('plan scripts in Groovy', () => {
  let out: Record<string, any>;

  beforeAll(() => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-groovy-'));
    const files: Record<string, string> = {
      'gate-setup': GATE_SETUP,
      'honour-retry-after': HONOUR_RETRY_AFTER,
      'token-round-start': TOKEN_ROUND_START,
      'token-response': TOKEN_RESPONSE,
      'pick-token': PICK_TOKEN,
      'extract-jobid': extractIdScript('jobId', 'jobId'),
      // The Switch Controller's value without its ${__groovy( ... )} wrapper.
      switch: weightedPickExpression([1, 4, 1], [undefined, 0, 0], [[], ['jobId'], ['jobId']])
        .replace(/^\$\{__groovy\(/, '')
        .replace(/\)\}$/, ''),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, `${name}.groovy`), text);
    const stdout = execFileSync('groovy', [path.join(__dirname, 'groovy', 'harness.groovy'), dir], {
      encoding: 'utf8',
      env: { ...process.env, JAVA_HOME: javaHome() },
      timeout: 120_000,
    });
    out = JSON.parse(stdout.trim().split('\n').pop()!);
  });

  it('builds the arrival gate in setUp, warmed on a scratch instance, without touching the published one', () => {
    expect(out.gateSetup.ignored).toBe(true);
    expect(out.gateSetup.tokens).toBe(3);
    // The warm-up ran on its own gate: the published one has taken no arrival yet.
    expect(out.gateSetup.rr).toBe(0);
    expect(out.gateSetup.skipped).toBe(0);
    expect(out.gateSetup.log.join('\n')).toMatch(/INFO loadlab: arrival gate ready for 3 token\(s\), warmed in \d+ ms/);
  });

  it('on 429 rests that token (only) for Retry-After, tags the sample, without sleeping the thread', () => {
    expect(out.retry429.retryAfter).toBe('7.000');
    expect(out.retry429.message).toBe('Too Many Requests; token 1 rests 7000 ms per Retry-After');
    expect(out.retry429.pausedMs).toBeGreaterThanOrEqual(6990);
    // From the moment the handler read the 429.
    expect(out.retry429.pausedMs).toBeLessThanOrEqual(7000 + out.retry429.sleptMs);
    expect(out.retry429.others).toEqual([0, 0]);
    expect(out.retry429.sleptMs).toBeLessThan(1000);
  });

  it('clears the column on other responses, and leaves the gate sample (no answer) alone', () => {
    expect(out.ok200).toEqual({ retryAfter: '', message: 'OK' });
    expect(out.gateSample).toEqual({ retryAfter: '', rests: 0 });
  });

  it('reads HTTP-date Retry-After, falls back to RETRY_AFTER_DEFAULT_SEC, caps at RETRY_AFTER_MAX_SEC', () => {
    expect(out.httpDate).toBeGreaterThan(25);
    expect(out.httpDate).toBeLessThanOrEqual(30);
    expect(out.noHeader).toBe('4.000');
    expect(out.capped).toBe('60.000');
  });

  it('token storm: backs off on the 400 and 429 forms, a connection error and a 5xx, honours Retry-After, then publishes the whole set', () => {
    const { storm } = out;
    expect(storm.basic).toBe(Buffer.from('id-1:s3cr3t').toString('base64'));
    const published = storm.steps.map((s: any) => s.published);
    expect(published.slice(0, -1).every((p: unknown) => p === null)).toBe(true);
    expect(published.at(-1)).toEqual(['tok-A', 'tok-B']);
    expect(storm.steps.at(-1).done).toBe('true');
    expect(storm.steps.some((s: any) => s.stop)).toBe(false);
    const reasons = storm.waits.map((w: [string, number]) => w[0]);
    expect(reasons).toEqual(['rate-limit-400', 'connection', '503', '429', 'rate-limit-400']);
    const waits = storm.waits.map((w: [string, number]) => w[1]);
    // Failure n waits in [half, whole] of min(8 s, 1 s x 2^(n-1)); the 429 at least its Retry-After (2 s).
    [1000, 2000, 4000, 8000, 8000].forEach((ceiling, n) => {
      expect(waits[n]).toBeGreaterThanOrEqual(n === 3 ? Math.max(2000, ceiling / 2) : ceiling / 2);
      expect(waits[n]).toBeLessThanOrEqual(ceiling);
    });
    expect(storm.retries).toBe(5);
    expect(storm.steps[1].message).toMatch(/^token request retried after \d+ ms \(rate-limit-400\)$/);
    expect(storm.log.join('\n')).toContain('INFO loadlab: 2 access token(s) ready after 7 attempt(s), 5 retried');
  });

  it('gives up within TOKEN_RETRY_WINDOW_SEC and stops the test when no token came', () => {
    const last = out.bounded.steps.at(-1);
    expect(last).toMatchObject({ done: 'true', published: null, stop: true });
    // 3 s window: waits of 0.5-1, 1-2, 2-4 s fit at most; the 4-8 s wait of a 4th failure never does.
    expect(out.bounded.steps.length).toBeGreaterThanOrEqual(2);
    expect(out.bounded.steps.length).toBeLessThanOrEqual(4);
    expect(out.bounded.log.join('\n')).toMatch(
      /ERROR loadlab: got 0 of 1 tokens after \d attempts in \d+ ms \(TOKEN_RETRY_WINDOW_SEC 3\); last: connection/,
    );
    // A Retry-After beyond the window is not waited for.
    expect(out.tooLong.steps).toEqual([{ done: 'true', published: null, stop: true, message: 'OK' }]);
    expect(out.tooLong.retries).toBe(0);
  });

  it('never retries refused credentials or a 400 that is not the rate limit: the test stops', () => {
    for (const r of [out.badCredentials, out.badRequest]) {
      expect(r.steps).toEqual([{ done: 'true', published: null, stop: true, message: 'OK' }]);
      expect(r.retries).toBe(0);
      expect(r.log.join('\n')).toContain('ERROR loadlab: token request refused');
    }
  });

  it('bounds the backoff: doubling from 0.5-1 s to 4-8 s, never more', () => {
    expect(out.backoff).toEqual([
      [500, 1000],
      [1000, 2000],
      [2000, 4000],
      [4000, 8000],
      [4000, 8000],
      [4000, 8000],
      [4000, 8000],
    ]);
  });

  it('round-robins over the tokens at each arrival, records no sample of its own', () => {
    expect(out.picked).toEqual(['t0@0:true', 't1@1:true', 't2@2:true', 't0@0:true', 't1@1:true']);
    expect(out.gateIgnored).toBe(true);
  });

  it('drops (never postpones) an arrival whose token rests after a 429, and counts it', () => {
    // Token 1 rests: its turns are dropped without waiting; the other tokens keep their turns.
    expect(out.resting.picked).toEqual(['t2@2', 't0@0', 'drop', 't2@2', 't0@0', 'drop']);
    expect(out.resting.skipped).toBe(2);
    expect(out.resting.tookMs).toBeLessThan(1000);
    // Each drop is written as one record the report counts per token (loadtest/report/drops.ts).
    expect(out.dropRecord).toEqual({
      label: DROP_LABEL,
      code: DROP_CODES.resting,
      message: 'token 1 rests after a 429',
      success: true,
      token: '1',
    });
  });

  it('lets no start-up burst through (one request, then 1.25 x the rate) and caps a later catch-up at 2 s of the rate', () => {
    expect(out.burst).toEqual({ first: 1, afterOneSec: 12, afterStall: 20, skipped: 39 + 28 + 20 });
  });

  it('while warming up, lets a token carry one request at a time, so a late-read 429 is recorded before the next leaves', () => {
    expect(out.warmup).toEqual(['send', 'drop', 'drop', 'answer', 'send', 'answer 429', 'drop', 'send', 'send', 'send', 'send']);
  });

  it('checks the rest and takes a credit atomically: no pick that began after the 429 was recorded passes', () => {
    expect(out.atomic.picksAfter).toBeGreaterThan(100);
    expect(out.atomic.passedAfter).toBe(0);
  });

  it('runs the producer while jobId is unknown, then picks by weight', () => {
    expect(out.beforeJobId).toEqual([300, 0, 0]);
    const [post, status, results] = out.afterJobId as number[];
    expect(post + status + results).toBe(3000);
    // Weights 1:4:1 -> 500:2000:500 expected; allow generous random spread.
    expect(post).toBeGreaterThan(350);
    expect(post).toBeLessThan(650);
    expect(status).toBeGreaterThan(1800);
    expect(status).toBeLessThan(2200);
  });

  it('keeps the last good id when a later producer call fails', () => {
    expect(out.jobId).toBe('abc-123');
  });
});
