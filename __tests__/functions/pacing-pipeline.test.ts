/**
 * The pacing targets over >= 1000 events (the benchmark's scenario, bench/pacing.bench.ts): the
 * metadata worker on a per-token limit tighter than the plan, with 429s with and without
 * Retry-After, 503s, timeouts and duplicate deliveries.
 */
import { TokenBucket } from '../../lib/genesys-client';
import { runOnce } from '../../bench/pacing.bench';

describe('metadata worker on a token limit tighter than the plan', () => {
  jest.setTimeout(240_000);

  it('sends nothing on a paused token, <= 5 % 429, loses nothing and writes nothing twice over 1000 events', async () => {
    const f = await runOnce(
      'paced worker',
      (rate) => new TokenBucket({ ratePerMinute: rate }),
      1000,
      3000,
      () => undefined,
    );
    expect(f.events).toBe(1000);
    expect(f.deliveries).toBeGreaterThan(1000); // duplicates delivered
    expect(f.throttled).toBeGreaterThan(0); // the tight limit did bite
    expect(f.throttledNoRetryAfter).toBeGreaterThan(0);
    expect(f.serverErrors).toBeGreaterThan(0);
    expect(f.throttledReceived).toBeGreaterThan(0); // pauses were set, so the next line can fail
    expect(f.pausedTokenRequests).toBe(0);
    expect(f.throttled / f.calls).toBeLessThanOrEqual(0.05);
    expect(f.lost).toBe(0);
    expect(f.deadLettered).toBe(0);
    expect(f.duplicateWrites).toBe(0);
  });
});
