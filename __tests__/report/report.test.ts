import { createReadStream, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { buildReport, CsvParser, nearestRank, renderHtml, type Report } from '../../loadtest/report';

const FIXTURES = path.join(__dirname, 'fixtures', 'two-shards');
const T0 = 1700000000000;

const fixtureReport = (): Promise<Report> =>
  buildReport(
    ['shard-0', 'shard-1'].map((name) => ({ name, stream: createReadStream(path.join(FIXTURES, `${name}.jtl`)) })),
    { testId: 'fixture', now: new Date('2026-11-23T10:00:00Z') },
  );

describe('merged report on two hand-made shards', () => {
  let report: Report;
  beforeAll(async () => {
    report = await fixtureReport();
  });

  it('merges percentiles over all samples, not by averaging per-shard percentiles', () => {
    // Scenario samples, sorted (18): 10 20 30 40 50 50 60 60 70 80 80 90 100 300 400 500 600 700
    expect(report.totals.latencyMs).toEqual({ min: 10, mean: 180, stddev: 213.151, p50: 70, p90: 600, p95: 700, p99: 700, max: 700 });
    const [s0, s1] = report.shards;
    expect(s0.latencyMs!.p90).toBe(90); // 10..100
    expect(s1.latencyMs!.p90).toBe(700); // 50 60 80 300 400 500 600 700
    const averageOfShardP90 = (s0.latencyMs!.p90 + s1.latencyMs!.p90) / 2;
    expect(averageOfShardP90).toBe(395);
    expect(report.totals.latencyMs!.p90).not.toBe(averageOfShardP90);
  });

  it('counts requests, errors, 429s and Retry-After waits exactly', () => {
    expect(report.totals).toMatchObject({
      label: 'ALL',
      requests: 18,
      errors: 3,
      throttled: 2,
      errorShare: 0.166667,
      throttledShare: 0.111111,
      retryAfter: { waits: 2, totalSec: 5.5, maxSec: 3 },
      responseCodes: { '200': 15, '429': 2, '500': 1 },
    });
    // 18 scenario requests over the 9.5 s window (first token request to last sample).
    expect(report.totals.throughputPerSec).toBe(1.895);
    expect(report.window).toEqual({ start: new Date(T0 - 500).toISOString(), end: new Date(T0 + 9000).toISOString(), durationSec: 9.5 });
  });

  it('reports every endpoint by its label, token requests in their own section and outside the totals', () => {
    expect(report.endpoints.map((e) => [e.label, e.requests, e.errors, e.throttled])).toEqual([
      ['GET /api/v2/scripts', 17, 2, 2],
      ['GET /api/v2/scripts/{scriptId}', 1, 1, 0],
    ]);
    expect(report.tokens).toMatchObject({ label: 'POST /oauth/token', requests: 2, errors: 0 });
    const scripts = report.endpoints[0];
    expect(scripts.latencyMs).toMatchObject({ p50: 70, p90: 600, p99: 700 });
    expect(scripts.retryAfter).toEqual({ waits: 2, totalSec: 5.5, maxSec: 3 });
  });

  it('builds the time series per 1 s bucket', () => {
    expect(report.bucketSec).toBe(1);
    expect(report.series.t[0]).toBe(T0 - 1000);
    expect(report.series.all.requestsPerSec).toEqual([0, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1]);
    expect(report.series.all.throttledShare).toEqual([null, 0, 0, 0, 0, 0, 0.5, 0.5, 0, 0, 0]);
    expect(report.series.all.errorShare).toEqual([null, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0]);
    expect(report.series.all.retryAfterSec).toEqual([0, 0, 0, 0, 0, 0, 3, 2.5, 0, 0, 0]);
    expect(report.series.all.latencyMs.p90).toEqual([null, 300, 400, 500, 600, 700, 60, 70, 80, 90, 100]);
    expect(report.series.byLabel['POST /oauth/token'].requestsPerSec).toEqual([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(report.series.requestsPerSecByShard['shard-1']).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  });

  it('writes a self-contained page with the report embedded', () => {
    const html = renderHtml(report);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!s3\.console)[^"'\s]*\.(js|css)/);
    const embedded = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1];
    expect(JSON.parse(embedded).totals.requests).toBe(18);
    // 7 over time, percentiles, one histogram per endpoint, shards.
    expect(html.match(/<figure class="chart"/g)).toHaveLength(7 + 1 + 2 + 1);
  });

  it('shows what other tools show: errors by code and message, mean and spread, Apdex, bytes, TTFB and connect, threads', () => {
    expect(report.errors).toEqual([
      { label: 'GET /api/v2/scripts', code: '429', message: 'Too Many Requests; thread paused N ms per Retry-After', count: 2 },
      { label: 'GET /api/v2/scripts/{scriptId}', code: '500', message: expect.stringMatching(/^Test failed: code 500/), count: 1 },
    ]);
    // Apdex (500/1500 ms): 16 of 18 within 500 ms, but 3 of those failed (frustrated); 600 and 700 ms are tolerated.
    expect(report.totals.apdex).toEqual({ score: 0.778, satisfied: 13, tolerating: 2, frustrated: 3 });
    expect(report.totals.bytesReceivedPerSec).toBeGreaterThan(0);
    expect(report.totals.ttfbMeanMs).not.toBeNull();
    expect(report.totals.connectMeanMs).not.toBeNull();
    expect(Math.max(...report.series.threads)).toBeGreaterThan(0);
    // Histogram: every scenario sample in exactly one bin.
    const h = report.totals.histogram!;
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(18);
    expect(h.binMs).toBeGreaterThan(0);
  });

  it('without a plan, the steady state is the whole run, and a run with samples and no thresholds passes', () => {
    expect(report.steady.basis).toMatch(/^the whole run/);
    expect(report.steady.totals.requests).toBe(18);
    expect(report.achieved).toBeNull();
    expect(report.verdict).toEqual({ passed: true, checks: [], failures: [] });
  });
});

describe('JTL parsing', () => {
  const parse = (chunks: string[]): string[][] => {
    const out: string[][] = [];
    const p = new CsvParser((r) => out.push(r));
    for (const c of chunks) p.push(c);
    p.end();
    return out;
  };

  it('handles quotes, doubled quotes, commas and line breaks inside fields, CRLF and blank lines', () => {
    expect(parse(['a,"b,c","say ""hi""\nthere"\r\n\r\n1,,3'])).toEqual([
      ['a', 'b,c', 'say "hi"\nthere'],
      ['1', '', '3'],
    ]);
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = readFileSync(path.join(FIXTURES, 'shard-1.jtl'), 'utf8');
    const whole = parse([text]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks = [0, ...points].map((p, i) => text.slice(p, [...points, text.length][i]));
        expect(parse(chunks)).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('reads files without a header line in the default column order, and header-driven files in any order', async () => {
    const rows = [`${T0},42,GET /api/v2/scripts,200,OK,t 1-1,text,true,,10,10,1,1,u,40,0,1`];
    const noHeader = await buildReport([{ name: 'a', stream: Readable.from([rows.join('\n')]) }]);
    expect(noHeader.totals).toMatchObject({ requests: 1, latencyMs: { p50: 42 } });
    const reordered = await buildReport([
      { name: 'b', stream: Readable.from(['label,success,elapsed,responseCode,timeStamp\nGET /api/v2/scripts,false,7,503,' + T0 + '\n']) },
    ]);
    expect(reordered.totals).toMatchObject({ requests: 1, errors: 1, throttled: 0, latencyMs: { max: 7 } });
  });

  it('skips a truncated last line (a stopped task) and says so', async () => {
    const text = readFileSync(path.join(FIXTURES, 'shard-0.jtl'), 'utf8') + `${T0 + 9500},12,GET /api/v2/scr`;
    const r = await buildReport([{ name: 'shard-0', stream: Readable.from([text]) }]);
    expect(r.totals.requests).toBe(10);
    expect(r.shards[0].skippedRecords).toBe(1);
    expect(r.warnings).toContain('shard-0: skipped 1 malformed record(s)');
  });

  it('refuses a file that is not a JMeter CSV, naming the missing columns', async () => {
    await expect(buildReport([{ name: 'x.csv', stream: Readable.from(['a,b,c\n1,2,3\n']) }])).rejects.toThrow(
      /x\.csv: not a JMeter CSV result file: the header lacks timeStamp, elapsed, label, responseCode, success/,
    );
  });
});

describe('nearestRank', () => {
  it('is the smallest value with at least p % of samples at or below it', () => {
    const v = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([0, 10, 50, 90, 91, 99, 100].map((p) => nearestRank(v, p))).toEqual([1, 1, 5, 9, 10, 10, 10]);
    expect(nearestRank(new Float64Array(0), 50)).toBeUndefined();
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 100 }),
        (xs, p) => {
          const sorted = Float64Array.from(xs).sort();
          const r = nearestRank(sorted, p)!;
          const atOrBelow = xs.filter((x) => x <= r).length;
          const below = xs.filter((x) => x < r).length;
          expect(atOrBelow / xs.length).toBeGreaterThanOrEqual(p / 100 - 1e-12);
          expect(below / xs.length).toBeLessThan(p / 100);
        },
      ),
    );
  });
});
