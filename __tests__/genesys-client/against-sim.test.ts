import { ClientCredentialsTokenProvider, GenesysApiClient, TokenBucket, type ResponseInfo } from '../../lib/genesys-client';
import { manualClock, withSim } from '../sim/helpers';

function client(
  sim: { apiBase: string; loginBase: string },
  opts: Partial<ConstructorParameters<typeof GenesysApiClient>[0]> & {
    now?: () => number;
    tokensNow?: () => number;
    refreshBeforeExpirySec?: number;
  } = {},
) {
  const infos: ResponseInfo[] = [];
  const tokens = new ClientCredentialsTokenProvider({
    loginBase: sim.loginBase,
    clientId: 'c1',
    clientSecret: 's1',
    now: opts.tokensNow ?? opts.now,
    refreshBeforeExpirySec: opts.refreshBeforeExpirySec,
  });
  const c = new GenesysApiClient({
    apiBase: sim.apiBase,
    tokens,
    bucket: opts.bucket ?? new TokenBucket({ ratePerMinute: 600_000 }),
    onResponse: (i) => infos.push(i),
    ...opts,
  });
  return { c, tokens, infos };
}

describe('GenesysApiClient against the simulator', () => {
  it('waits the advertised Retry-After (measured) and then succeeds', async () => {
    await withSim({ minuteMs: 600, limits: { perToken: 5 } }, async (sim) => {
      const { c, infos } = client(sim);
      for (let i = 0; i < 5; i++) expect((await c.get('/api/v2/scripts')).status).toBe(200);
      const started = performance.now();
      const res = await c.get('/api/v2/scripts');
      const elapsed = performance.now() - started;
      expect(res.status).toBe(200);
      const throttled = infos.find((i) => i.status === 429)!;
      expect(throttled).toMatchObject({ attempt: 1, retryAfterSec: 1, rateLimit: { allowed: 5, count: 6 } });
      // The client waited the simulator's exact remaining window (< 600 ms), not the rounded-up second.
      expect(throttled.waitedMs).toBeGreaterThan(0);
      expect(throttled.waitedMs).toBeLessThanOrEqual(600);
      expect(elapsed).toBeGreaterThanOrEqual(throttled.waitedMs! - 5);
      expect(infos[infos.length - 1]).toMatchObject({ status: 200, attempt: 2 });
      expect(sim.stats().totals['429']).toBe(1);
    });
  });

  it('uses defaultRetryAfterSec when a 429 has no Retry-After', async () => {
    await withSim({ minuteMs: 300, limits: { perToken: 1 }, faults: { missingRetryAfterRate: 1 } }, async (sim) => {
      const { c, infos } = client(sim, { defaultRetryAfterSec: 0.35 });
      await c.get('/api/v2/scripts');
      await c.get('/api/v2/scripts');
      const throttled = infos.filter((i) => i.status === 429);
      expect(throttled.length).toBeGreaterThanOrEqual(1);
      expect(throttled.every((i) => i.waitedMs === 350 && i.retryAfterSec === undefined)).toBe(true);
    });
  });

  it('never trips the limiter when paced below the limit', async () => {
    await withSim({ minuteMs: 1000, limits: { perToken: 20 } }, async (sim) => {
      const bucket = new TokenBucket({ ratePerMinute: 16 * 60 }); // 16 per 1000 ms window
      const { c } = client(sim, { bucket });
      await Promise.all(Array.from({ length: 40 }, () => c.get('/api/v2/scripts')));
      const stats = sim.stats();
      expect(stats.totals['429']).toBe(0);
      expect(stats.byToken['c1#1'].peakPerWindow).toBeLessThanOrEqual(20);
    });
  });

  it('reuses one token for many requests and concurrent callers', async () => {
    await withSim({}, async (sim) => {
      const { c } = client(sim);
      await Promise.all(Array.from({ length: 25 }, () => c.get('/api/v2/recordings/screensessions/details')));
      expect(sim.stats().byClient.c1.tokensIssued).toBe(1);
    });
  });

  it('refreshes the token before it expires, so no call sees a 401', async () => {
    const clock = manualClock();
    await withSim({ now: clock.now, tokenTtlSec: 600 }, async (sim) => {
      const { c } = client(sim, { now: clock.now, refreshBeforeExpirySec: 60 });
      await c.get('/api/v2/scripts');
      clock.advance(539_000);
      await c.get('/api/v2/scripts');
      expect(sim.stats().byClient.c1.tokensIssued).toBe(1);
      clock.advance(1_000);
      await c.get('/api/v2/scripts');
      const stats = sim.stats();
      expect(stats.byClient.c1.tokensIssued).toBe(2);
      expect(stats.totals['4xx']).toBe(0);
    });
  });

  it('recovers from a 401 (token expired server-side) with one refresh', async () => {
    const simClock = manualClock();
    await withSim({ now: simClock.now, tokenTtlSec: 60 }, async (sim) => {
      // The provider's clock stands still, so only the server knows the token expired.
      const { c, infos } = client(sim, { tokensNow: () => 0 });
      await c.get('/api/v2/scripts');
      simClock.advance(61_000);
      expect((await c.get('/api/v2/scripts')).status).toBe(200);
      expect(infos.map((i) => i.status)).toEqual([200, 401, 200]);
      expect(sim.stats().byClient.c1.tokensIssued).toBe(2);
    });
  });

  it('retries 5xx with backoff and returns 404 to the caller', async () => {
    await withSim({ faults: { errorRate: 0.4 }, seed: 3 }, async (sim) => {
      const waits: number[] = [];
      const { c, infos } = client(sim, {
        backoff: { baseMs: 2, maxMs: 8 },
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((r) => setTimeout(r, ms));
        },
      });
      for (let i = 0; i < 20; i++) expect((await c.get('/api/v2/scripts')).status).toBe(200);
      const fiveXx = infos.filter((i) => i.status === 503);
      expect(fiveXx.length).toBeGreaterThan(3);
      for (const i of fiveXx) {
        const cap = Math.min(8, 2 * 2 ** (i.attempt - 1));
        expect(i.waitedMs).toBeGreaterThanOrEqual(cap / 2);
        expect(i.waitedMs).toBeLessThanOrEqual(cap);
      }
      sim.setFaults({});
      const missing = await c.get('/api/v2/screen-recordings/abc');
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 'not.found' });
    });
  });
});
