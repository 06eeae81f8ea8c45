/**
 * The report's streaming pieces: log-histogram percentiles against exact nearest rank (the error
 * bound docs/report.md states), the byte-level JTL reader against the string one, and memory that
 * does not grow with the sample count.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { Acc } from '../../loadtest/report/accumulator';
import { readJtl, type JtlSample } from '../../loadtest/report/jtl';
import { scanJtl } from '../../loadtest/report/jtl-scan';
import { MAX_CELLS, SampleStore } from '../../loadtest/report/samples';
import { chooseBucketSec } from '../../loadtest/report/series';
import { buildReport, nearestRank } from '../../loadtest/report';
import { syntheticJtlText } from '../../loadtest/report/synthetic';

const APDEX = { satisfiedMs: 500, toleratedMs: 1500 };
const PS = [0, 1, 25, 50, 90, 95, 99, 99.9, 100];
const T0 = Date.UTC(2026, 0, 1);

const sample = (over: Partial<JtlSample> = {}): JtlSample => ({
  timeStamp: T0,
  elapsed: 100,
  label: 'GET /a',
  responseCode: '200',
  success: true,
  message: 'OK',
  bytes: 10,
  sentBytes: 5,
  latency: 90,
  connect: 1,
  allThreads: 1,
  tokenIndex: 0,
  ...over,
});

function accOf(values: readonly number[]): Acc {
  const acc = new Acc();
  for (const v of values) acc.add(sample({ elapsed: v }), false, APDEX);
  return acc;
}

describe('log-histogram percentiles', () => {
  it('are exact for whole ms below 1,024 ms and within 0.1 % (1/1024) above', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 3_600_000 })), { minLength: 1, maxLength: 400 }),
        (values) => {
          const sorted = Float64Array.from(values).sort();
          const got = accOf(values).percentiles(PS);
          PS.forEach((p, k) => {
            const exact = nearestRank(sorted, p)!;
            if (exact < 1024) expect(got[k]).toBe(exact);
            else expect(Math.abs(got[k] - exact)).toBeLessThanOrEqual(exact / 1024);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('are within 1 ms of fractional values below 1,024 ms', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1023, noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
        const sorted = Float64Array.from(values).sort();
        const got = accOf(values).percentiles(PS);
        PS.forEach((p, k) => expect(Math.abs(got[k] - nearestRank(sorted, p)!)).toBeLessThan(1));
      }),
    );
  });

  it('merge: two accumulators merged give the figures of one that saw every sample', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100_000 })), fc.array(fc.integer({ min: 0, max: 100_000 })), (a, b) => {
        const merged = accOf(a);
        merged.merge(accOf(b));
        const whole = accOf([...a, ...b]);
        expect(merged.percentiles(PS)).toEqual(whole.percentiles(PS));
        expect([merged.n, merged.sum, merged.min, merged.max]).toEqual([whole.n, whole.sum, whole.min, whole.max]);
      }),
    );
  });
});

/** Rows of a JTL as plain objects (the byte reader reuses one row). */
async function rows(read: typeof readJtl, chunks: readonly string[]): Promise<{ rows: JtlSample[]; skipped: number }> {
  const out: JtlSample[] = [];
  const skipped = await read(Readable.from(chunks.map((c) => Buffer.from(c))), 'x.jtl', (s) =>
    out.push({
      timeStamp: s.timeStamp,
      elapsed: s.elapsed,
      label: s.label,
      responseCode: s.responseCode,
      success: s.success,
      retryAfterSec: s.retryAfterSec,
      message: s.message,
      bytes: s.bytes,
      sentBytes: s.sentBytes,
      latency: s.latency,
      connect: s.connect,
      allThreads: s.allThreads,
      tokenIndex: s.tokenIndex,
    }),
  );
  return { rows: out, skipped };
}

const cut = (text: string, points: readonly number[]): string[] => {
  const at = [...new Set(points.map((p) => Math.min(p, text.length)))].sort((a, b) => a - b);
  return [0, ...at].map((p, i) => text.slice(p, [...at, text.length][i]));
};

describe('byte-level JTL reader', () => {
  const HEADER = 'timeStamp,elapsed,label,responseCode,responseMessage,success,failureMessage,bytes,Latency,loadlab_retry_after';
  const field = fc.oneof(
    fc.constantFrom('', '1', '42', '-3', '1.5', 'true', 'false', 'GET /api/v2/x', '429', ' 7', '1e3', 'é'),
    fc.constantFrom('"a,b"', '"say ""hi"""', '"two\nlines"', '"x"y', '"unterminated'),
  );
  const line = fc.oneof(
    fc
      .tuple(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 5000 }), fc.array(field, { minLength: 8, maxLength: 8 }))
      .map(([t, e, f]) => [String(T0 + t), String(e), ...f].join(',')),
    fc.array(field, { minLength: 1, maxLength: 11 }).map((f) => f.join(',')),
  );

  it('reads what the string reader reads, whatever the chunks, line ends and quoting', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 12 }),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(2000), { maxLength: 8 }),
        fc.boolean(),
        async (lines, eol, points, bom) => {
          const text = (bom ? '\ufeff' : '') + [HEADER, ...lines].join(eol);
          const chunks = cut(text, points);
          expect(await rows(scanJtl, chunks)).toEqual(await rows(readJtl, chunks));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a synthetic shard (drops, 429s, quoted messages) exactly as the string reader', async () => {
    const text = syntheticJtlText({
      shard: 0,
      startMs: T0,
      durationSec: 120,
      requestsPerSec: 20,
      labels: ['GET /a', 'GET /b'],
      throttleFromSec: 60,
      throttleShare: 0.3,
      serverErrorShare: 0.05,
    });
    const chunks = cut(text, [7, 1000, 4096, 50_000]);
    const fast = await rows(scanJtl, chunks);
    expect(fast.rows.length).toBeGreaterThan(2000);
    expect(fast).toEqual(await rows(readJtl, chunks));
  });
});

describe('memory bounded by the run, not its samples', () => {
  it('keeps at most MAX_CELLS time cells, each a whole fraction of the bucket the report then chooses', () => {
    for (const spanSec of [30, 100, 600, 3600, 5 * 3600, 24 * 3600]) {
      const store = new SampleStore(APDEX);
      const add = store.shard('shard-0');
      const samples = 20_000;
      for (let k = 0; k < samples; k++) add(sample({ timeStamp: T0 + Math.floor((k * spanSec * 1000) / (samples - 1)), elapsed: k % 900 }));
      const a = store.aggregates();
      expect(a.cells.size).toBeLessThanOrEqual(MAX_CELLS);
      const bucketMs = chooseBucketSec((a.maxTs - a.minTs) / 1000, undefined, a.n) * 1000;
      expect(bucketMs % a.cellMs).toBe(0);
    }
  });

  it('the steady window after a ramp-up counts the samples after it, its edge within half a cell', async () => {
    // 10 requests/s for 300 s; the plan ramps up over 60 s.
    const lines = ['timeStamp,elapsed,label,responseCode,success'];
    for (let k = 0; k < 3000; k++) lines.push(`${T0 + 37 + k * 100},${50 + (k % 7)},GET /a,200,true`);
    const report = await buildReport([{ name: 'shard-0', stream: Readable.from([lines.join('\n')]) }], {
      target: { requestsPerMinute: 600, rampUpSec: 60, byLabel: {}, source: 'test' },
    });
    expect(report.steady.basis).toBe("after the plan's 60 s ramp-up");
    expect(Math.abs(report.steady.durationSec - 239.9)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(report.steady.totals.requests - 2400)).toBeLessThanOrEqual(1);
    expect(report.steady.totals.throughputPerSec).toBeCloseTo(10, 1);
    expect(report.achieved!.share).toBeCloseTo(1, 2);
  });
});
