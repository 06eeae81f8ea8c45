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

  it('on 429 records the Retry-After seconds, tags the sample and rests the token, without sleeping the thread', () => {
    expect(out.retry429.retryAfter).toBe('7.000');
    expect(out.retry429.message).toBe('Too Many Requests; token 1 rests 7000 ms per Retry-After');
    expect(out.retry429.pausedMs).toBeGreaterThanOrEqual(6990);
    expect(out.retry429.sleptMs).toBeLessThan(1000);
  });

  it('clears the column on other responses', () => {
    expect(out.ok200).toEqual({ retryAfter: '', message: 'OK' });
  });

  it('reads HTTP-date Retry-After, falls back to RETRY_AFTER_DEFAULT_SEC, caps at RETRY_AFTER_MAX_SEC', () => {
    expect(out.httpDate).toBeGreaterThan(25);
    expect(out.httpDate).toBeLessThanOrEqual(30);
    expect(out.noHeader).toBe('4.000');
    expect(out.capped).toBe('60.000');
  });

  it('collects TOKENS_PER_SHARD tokens, survives a 429, and publishes the whole set at once', () => {
    expect(out.basic).toBe(Buffer.from('id-1:s3cr3t').toString('base64'));
    expect(out.tokenSteps).toEqual([
      { done: 'false', published: null, stop: false },
      { done: 'false', published: null, stop: false },
      { done: 'true', published: ['tok-A', 'tok-B'], stop: false },
    ]);
  });

  it('stops the test when the credentials are refused and no token exists', () => {
    expect(out.badCredentials).toEqual({ stop: true, done: 'true', tokens: null });
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
  });

  it('caps a catch-up burst on one token (2 s of its planned rate at once, then 1.25 x the rate), dropping the rest', () => {
    expect(out.burst.sent).toBeGreaterThanOrEqual(20);
    expect(out.burst.sent).toBeLessThanOrEqual(21);
    expect(out.burst.skipped).toBe(40 - out.burst.sent);
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
