import fc from 'fast-check';
import { FixedWindowLimiter, PeakMeter } from '../../sim/limiter';
import { parseFaultsFlag, sampleLatency, validateFaults } from '../../sim/faults';
import { seededRandom } from '../../lib/random';

describe('FixedWindowLimiter', () => {
  const check = (key: string, allowed: number) => ({ key, name: `limit.${key}`, allowed });

  it('admits exactly N per window and reports the exact wait for N+1', () => {
    const l = new FixedWindowLimiter(1000);
    for (let i = 1; i <= 5; i++) expect(l.admit([check('t', 5)], 100 + i)).toMatchObject({ ok: true, count: i });
    const v = l.admit([check('t', 5)], 400);
    expect(v).toMatchObject({ ok: false, count: 6, retryAfterMs: 1000 - (400 - 101) });
    expect(l.admit([check('t', 5)], 1100).ok).toBe(false);
    expect(l.admit([check('t', 5)], 1101)).toMatchObject({ ok: true, count: 1 });
  });

  it('opens a new window at the first request after the previous one ended', () => {
    const l = new FixedWindowLimiter(1000);
    l.admit([check('t', 1)], 0);
    expect(l.admit([check('t', 1)], 999).ok).toBe(false);
    expect(l.admit([check('t', 1)], 2500).ok).toBe(true);
    expect(l.admit([check('t', 1)], 3499)).toMatchObject({ ok: false, retryAfterMs: 1 });
  });

  it('rejected requests consume no budget of the other limits', () => {
    const l = new FixedWindowLimiter(1000);
    l.admit([check('tokenA', 1), check('client', 3)], 0);
    expect(l.admit([check('tokenA', 1), check('client', 3)], 1).ok).toBe(false);
    expect(l.used('client', 1)).toBe(1);
    expect(l.admit([check('tokenB', 1), check('client', 3)], 2).ok).toBe(true);
  });

  it('never admits more than N in any window (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 300 }),
        (n, gaps) => {
          const l = new FixedWindowLimiter(100);
          let t = 0;
          const admitted: number[] = [];
          for (const g of gaps) {
            t += g;
            const v = l.admit([check('k', n)], t);
            if (v.ok) {
              admitted.push(t);
              continue;
            }
            // A rejected caller that waits retryAfterMs is admitted.
            t += v.retryAfterMs!;
            expect(l.admit([check('k', n)], t).ok).toBe(true);
            admitted.push(t);
          }
          // Windows open at admitted requests, so count within each [start, start + 100) is <= n.
          let start = admitted[0];
          let inWindow = 0;
          for (const a of admitted) {
            if (a >= start + 100) {
              start = a;
              inWindow = 0;
            }
            inWindow++;
            expect(inWindow).toBeLessThanOrEqual(n);
          }
        },
      ),
    );
  });
});

describe('PeakMeter', () => {
  it('measures the busiest window-long span', () => {
    const m = new PeakMeter(1000);
    for (let i = 0; i < 5; i++) m.hit(i * 10);
    for (let i = 0; i < 3; i++) m.hit(2000 + i);
    expect(m.peak).toBe(5);
    for (let i = 0; i < 4; i++) m.hit(2500 + i);
    expect(m.peak).toBe(7);
  });
});

describe('faults', () => {
  it('parses the --faults flag', () => {
    expect(
      parseFaultsFlag('error-rate=0.05,error-status=502,latency=uniform:20:80,no-retry-after=0.5,recordings-after-ms=2000,job-failure=0.2'),
    ).toEqual({
      errorRate: 0.05,
      errorStatus: 502,
      latency: { kind: 'uniform', minMs: 20, maxMs: 80 },
      missingRetryAfterRate: 0.5,
      recordingsAvailableAfterMs: 2000,
      jobFailureRate: 0.2,
    });
    expect(parseFaultsFlag('latency=exp:5:20').latency).toEqual({ kind: 'exponential', minMs: 5, meanMs: 20 });
  });

  it('names the field and the fix on bad input', () => {
    expect(() => parseFaultsFlag('error-rate=2')).toThrow('faults.errorRate must be a number from 0 to 1 (got 2)');
    expect(() => parseFaultsFlag('latency=gauss:1')).toThrow(/latency must be fixed:MS/);
    expect(() => validateFaults({ errorStatus: 418 })).toThrow(/errorStatus must be 500, 502, 503 or 504/);
    expect(() => validateFaults({ colour: 1 })).toThrow(/unknown field colour/);
  });

  it('samples latency within its distribution, repeatably per seed', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const xs = Array.from({ length: 200 }, () => sampleLatency({ kind: 'uniform', minMs: 20, maxMs: 80 }, a));
    expect(xs).toEqual(Array.from({ length: 200 }, () => sampleLatency({ kind: 'uniform', minMs: 20, maxMs: 80 }, b)));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(20);
    expect(Math.max(...xs)).toBeLessThan(80);
    const r = seededRandom(1);
    const exp = Array.from({ length: 4000 }, () => sampleLatency({ kind: 'exponential', minMs: 10, meanMs: 30 }, r));
    const mean = exp.reduce((s, x) => s + x, 0) / exp.length;
    expect(mean).toBeGreaterThan(37);
    expect(mean).toBeLessThan(43);
    expect(Math.min(...exp)).toBeGreaterThanOrEqual(10);
  });
});
