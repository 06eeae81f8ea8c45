/**
 * The pacing guarantee: after a 429, no caller of the paced client sends on that token before the
 * pause ends — callers already waiting for a permit included — checked on the simulator's request
 * log, with a per-token limit tighter than the client's pacing and Retry-After sometimes missing.
 */
import { createGenesysClient, GenesysApiClient, parseRetryAfter, TokenBucket, type ResponseInfo } from '../../lib/genesys-client';
import { pausedTokenViolations } from '../../sim/request-log';
import { withSim } from '../sim/helpers';
import { PreFixBucket } from '../../bench/fixtures';

/** Virtual time for concurrent sleepers: `run()` fires timers in time order until none is left. */
function virtualClock() {
  let t = 0;
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  let seq = 0;
  const flush = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((resolve) => timers.push({ at: t + Math.max(0, ms), seq: seq++, resolve })),
    async run(): Promise<void> {
      for (;;) {
        await flush();
        if (timers.length === 0) return;
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift()!;
        t = Math.max(t, next.at);
        next.resolve();
      }
    },
  };
}

describe('TokenBucket pauses', () => {
  it('moves callers already waiting inside a pause behind it, still paced', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ ratePerMinute: 600, now: clock.now, sleep: clock.sleep }); // one permit per 100 ms
    const granted: number[] = [];
    const callers = Array.from({ length: 6 }, () => bucket.take().then(() => granted.push(clock.now())));
    // Slots were reserved at 0, 100, ..., 500; a 429 at t=150 pauses the token until 1150.
    void clock.sleep(150).then(() => bucket.deferUntil(1150));
    await clock.run();
    await Promise.all(callers);
    expect(granted).toEqual([0, 100, 1150, 1250, 1350, 1450]);
  });

  it('lets callers whose slot is after the pause keep it', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket({ ratePerMinute: 600, now: clock.now, sleep: clock.sleep });
    const granted: number[] = [];
    const callers = Array.from({ length: 4 }, () => bucket.take().then(() => granted.push(clock.now())));
    void clock.sleep(50).then(() => bucket.deferUntil(250));
    await clock.run();
    await Promise.all(callers);
    // 100 and 200 fell inside the pause and queue again after 300 (the next free slot); 0 and 300 kept theirs.
    expect(granted).toEqual([0, 300, 400, 500]);
  });

  it('tryTake refuses during a pause and pausedUntilMs reports it', () => {
    let t = 1000;
    const bucket = new TokenBucket({ ratePerMinute: 60_000, burst: 3, now: () => t });
    bucket.deferUntil(1500);
    expect(bucket.pausedUntilMs()).toBe(1500);
    expect(bucket.tryTake()).toBe(false);
    t = 1500;
    expect(bucket.pausedUntilMs()).toBeUndefined();
    expect(bucket.tryTake()).toBe(true);
  });
});

describe('parseRetryAfter (the one parser)', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  const now = Date.UTC(2026, 11, 3, 1, 0, 0);

  it('reads integer and decimal seconds', () => {
    expect(parseRetryAfter(h({ 'retry-after': '7' }), now)).toEqual({ ms: 7000, seconds: 7 });
    expect(parseRetryAfter(h({ 'retry-after': ' 1.5 ' }), now)).toEqual({ ms: 1500, seconds: 1.5 });
  });

  it('reads an HTTP date, relative to now, never negative', () => {
    const date = new Date(now + 4200).toUTCString(); // HTTP dates have whole seconds
    const parsed = parseRetryAfter(h({ 'retry-after': date }), now)!;
    expect(parsed.ms).toBe(Date.parse(date) - now);
    expect(parsed.seconds).toBe(Math.ceil((Date.parse(date) - now) / 1000));
    expect(parseRetryAfter(h({ 'retry-after': new Date(now - 60_000).toUTCString() }), now)).toEqual({ ms: 0, seconds: 0 });
  });

  it("prefers the simulator's exact ms and ignores garbage", () => {
    expect(parseRetryAfter(h({ 'retry-after': '1', 'x-sim-retry-after-ms': '340' }), now)).toEqual({ ms: 340, seconds: 1 });
    expect(parseRetryAfter(h({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(h({ 'retry-after': '-3' }), now)).toBeUndefined();
    expect(parseRetryAfter(h({}), now)).toBeUndefined();
  });
});

async function batchAgainstTightSim(bucketFor: (rate: number) => TokenBucket) {
  const defaultRetryAfterSec = 0.4;
  return withSim(
    {
      minuteMs: 600,
      // The plan paces at 30 per window; the org allows 20: the "limit tighter than the plan".
      limits: { perToken: 20 },
      faults: { missingRetryAfterRate: 1 / 3, errorRate: 0.02 },
      seed: 7,
    },
    async (sim) => {
      const attempts: ResponseInfo[] = [];
      const client = createGenesysClient({
        apiBase: sim.apiBase,
        loginBase: sim.loginBase,
        clientId: 'c1',
        clientSecret: 's1',
        ratePerMinute: 1, // replaced below
        defaultRetryAfterSec,
        backoff: { baseMs: 20, maxMs: 100 },
        onResponse: (i) => attempts.push(i),
      });
      const paced = new GenesysApiClient({
        apiBase: sim.apiBase,
        tokens: client.tokens,
        bucket: bucketFor((30 * 60_000) / 600),
        defaultRetryAfterSec,
        backoff: { baseMs: 20, maxMs: 100 },
        onResponse: (i) => attempts.push(i),
      });
      // Ten records of a batch fetching their metadata at once on one token, 12 calls each.
      const results = await Promise.all(
        Array.from({ length: 10 }, async (_, r) => {
          let ok = 0;
          for (let i = 0; i < 12; i++) if ((await paced.get(`/api/v2/conversations/conv-${r}-${i}/recordingmetadata`)).status === 200) ok++;
          return ok;
        }),
      );
      const log = sim.requests();
      const violations = pausedTokenViolations(log, attempts, { defaultRetryAfterMs: defaultRetryAfterSec * 1000 });
      return { results, log, violations };
    },
  );
}

describe('the paced client against a simulator tighter than the plan', () => {
  jest.setTimeout(60_000);

  it('sends nothing on a paused token before its Retry-After (or the default) has passed', async () => {
    const { results, log, violations } = await batchAgainstTightSim((rate) => new TokenBucket({ ratePerMinute: rate }));
    expect(results.reduce((a, b) => a + b, 0)).toBe(120); // every call eventually succeeded
    const throttled = log.filter((e) => e.status === 429);
    // Both kinds of 429 happened, so both pause rules were exercised.
    expect(throttled.some((e) => typeof e.retryAfterMs === 'number')).toBe(true);
    expect(throttled.some((e) => e.retryAfterMs === null)).toBe(true);
    expect(violations).toEqual([]);
  });

  it('the same check catches the pre-fix bucket, which released waiting callers during the pause', async () => {
    const { violations, log } = await batchAgainstTightSim((rate) => new PreFixBucket({ ratePerMinute: rate }));
    expect(log.some((e) => e.status === 429)).toBe(true);
    expect(violations.length).toBeGreaterThan(0);
  });
});
