/**
 * Opens report.html in headless Chromium and checks, from the page itself, that every chart drew
 * its data. Needs /usr/bin/chromium (Debian package `chromium`); skipped without it, except under CI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { chromium, type Browser } from 'playwright-core';
import { buildReport, compareReports, renderHtml, reportCost, type Comparison, type Report } from '../../loadtest/report';
import { costProfileOf } from '../../lib/cost/profile';
import { repoEnvironment } from '../helpers/env';
import { syntheticJtl } from '../../loadtest/report/synthetic';
import { CHROMIUM_PATH, describeWith } from '../helpers/prerequisites';

const CHROMIUM = CHROMIUM_PATH;
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const LABELS = ['GET /api/v2/scripts', 'GET /api/v2/scripts/{scriptId}', 'GET /api/v2/recordings/screensessions/details'];

interface ChartState {
  id: string;
  kind: string;
  declaredPoints: number;
  paths: { name: string; points: number; drawnLength: number; stroke: string; dash: string }[];
  bars: { width: number; height: number }[];
  box: { width: number; height: number };
}

// CI installs chromium (.ci/run), so there a missing browser fails the suite instead of skipping it.
describeWith('chromium')('report.html in headless Chromium', () => {
  let browser: Browser;
  let report: Report;
  let file: string;
  let comparison: Comparison;
  let comparedFile: string;

  const run = (start: number, medianBase: number, throttleShare: number, options: Parameters<typeof buildReport>[1]): Promise<Report> =>
    buildReport(
      [0, 1, 2].map((shard) => ({
        name: `shard-${shard}`,
        stream: Readable.from(
          syntheticJtl({
            shard,
            startMs: start + shard * 250,
            durationSec: 300,
            requestsPerSec: 3,
            labels: LABELS,
            throttleFromSec: 200,
            throttleShare,
            medianMs: medianBase + 60 * shard,
          }),
        ),
      })),
      options,
    );

  beforeAll(async () => {
    const start = Date.UTC(2026, 10, 23, 10, 0, 0);
    report = await run(start, 80, 0.2, {
      testId: 'browser-check',
      metadataUri: 's3://loadlab-example-results-111122223333/metadata/',
      analyticsUri: 's3://loadlab-example-reports-111122223333/analytics/',
      // 3 shards x 3 requests/s, as planned.
      target: { requestsPerMinute: 540, rampUpSec: 0, byLabel: {}, source: 'the test' },
    });
    const baseline = await run(start - 86_400_000, 60, 0, { testId: 'yesterday' });
    comparison = compareReports(baseline, report);
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-report-'));
    file = path.join(dir, 'report.html');
    writeFileSync(file, renderHtml(report));
    comparedFile = path.join(dir, 'compared.html');
    writeFileSync(comparedFile, renderHtml(report, { comparison }));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('renders every chart with data, offline, without errors, and looks right in a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
    // Self-contained: any request other than the file itself is a failure.
    await page.route('**/*', (route) =>
      route.request().url().startsWith('file://') ? route.continue() : (problems.push(`request ${route.request().url()}`), route.abort()),
    );
    await page.goto(`file://${file}`);

    const charts: ChartState[] = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg');
        const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        return {
          id: f.getAttribute('data-chart') ?? '',
          kind: f.getAttribute('data-kind') ?? '',
          declaredPoints: Number(f.getAttribute('data-points')),
          paths: Array.from(f.querySelectorAll('path.series')).map((p) => ({
            name: p.getAttribute('data-name') ?? '',
            points: ((p.getAttribute('d') ?? '').match(/[ML]/g) ?? []).length,
            drawnLength: (p as SVGPathElement).getTotalLength(),
            stroke: p.getAttribute('stroke') ?? '',
            dash: p.getAttribute('stroke-dasharray') ?? '',
          })),
          bars: Array.from(f.querySelectorAll('rect.bar')).map((r) => {
            const b = r.getBoundingClientRect();
            return { width: b.width, height: b.height };
          }),
          box: { width: box.width, height: box.height },
        };
      }),
    );
    expect(problems).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual([
      'throughput',
      'latency',
      'errors',
      'retry-after',
      'drops',
      'threads',
      'bytes',
      'percentiles',
      ...report.steady.endpoints.map((_, k) => `hist-${k}`),
      'shards',
    ]);
    for (const c of charts) {
      expect(c.kind).not.toBe('empty');
      // Histograms sit two per row.
      expect(c.box.width).toBeGreaterThan(c.id.startsWith('hist-') ? 400 : 500);
      expect(c.box.height).toBeGreaterThan(100);
      if (c.kind === 'line') {
        expect(c.paths.length).toBeGreaterThan(0);
        for (const p of c.paths) {
          expect(p.points).toBeGreaterThan(10);
          expect(p.drawnLength).toBeGreaterThan(100);
        }
        expect(c.paths.reduce((a, p) => a + p.points, 0)).toBe(c.declaredPoints);
      } else {
        expect(c.bars.length).toBe(c.declaredPoints);
        expect(c.bars.length).toBeGreaterThan(0);
        expect(c.bars.every((b) => b.width > 0 && b.height > 0)).toBe(true);
      }
    }
    // One line per endpoint (token requests have their own section) + the total, per shard, per percentile.
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    expect(byId.throughput.paths.map((p) => p.name)).toEqual([
      ...[...LABELS].sort(),
      'achieved, all endpoints',
      'planned, all endpoints (540/min)',
    ]);
    // The planned rate is drawn last (on top of the achieved line), at 540/min = 9 requests/s over the whole run.
    const hover = JSON.parse((await page.getAttribute('#chart-throughput svg[role="img"]', 'data-hover'))!) as {
      s: { n: string; v: number[] }[];
    };
    expect(new Set(hover.s[hover.s.length - 1].v)).toEqual(new Set([9]));
    expect(byId.throughput.paths[byId.throughput.paths.length - 1].dash).not.toBe('');
    // Active threads: 50 per shard (synthetic), 3 shards.
    expect(Math.max(...report.series.threads)).toBe(150);
    // No endpoint, token or shard line in the colours of errors (red) and 429s (amber).
    const alarm = ['#b91c1c', '#dc2626', '#d97706'];
    for (const p of [...byId.throughput.paths, ...byId.shards.paths, ...byId.latency.paths]) expect(alarm).not.toContain(p.stroke);
    expect(byId.errors.paths.map((p) => p.stroke)).toEqual(['#b91c1c', '#d97706']);
    // Lines that overlap stay distinguishable: no two series of a chart share colour and dash pattern.
    for (const c of [byId.throughput, byId.shards, byId.latency, byId.errors]) {
      expect(new Set(c.paths.map((p) => `${p.stroke} ${p.dash}`)).size).toBe(c.paths.length);
    }
    expect(byId.shards.paths.map((p) => p.name)).toEqual(['shard-0', 'shard-1', 'shard-2']);
    expect(byId.latency.paths.map((p) => p.name)).toEqual(['p50', 'p90', 'p99']);
    // Retry-After bars only where 429s happened: after 200 s of the 300 s run.
    expect(byId['retry-after'].bars.length).toBeLessThanOrEqual(report.series.all.retryAfterSec.filter((v) => v > 0).length);
    expect(byId.percentiles.bars).toHaveLength(3 * report.endpoints.length);
    // Long endpoint names are shown whole and fit inside the chart.
    const rowLabels = await page.$$eval('#chart-percentiles text.rowlabel', (ts) =>
      ts.map((t) => {
        const svgBox = t.closest('svg')!.getBoundingClientRect();
        const b = t.getBoundingClientRect();
        return { text: t.textContent, inside: b.left >= svgBox.left && b.right <= svgBox.right };
      }),
    );
    expect(rowLabels.map((r) => r.text)).toEqual(report.endpoints.map((e) => e.label));
    expect(rowLabels.every((r) => r.inside)).toBe(true);

    // The figures people read first, as the page shows them.
    const cards = await page.$$eval('.card', (els) => els.map((e) => e.textContent));
    expect(cards[0]).toBe(`${report.totals.requests.toLocaleString('en-US')}requests (whole run)`);
    expect(await page.locator('#verdict').getAttribute('data-passed')).toBe('true');
    // Token requests in their own section; errors by code and message; tables as wide as the page at most.
    await expect(page.locator('#token-table td.label').textContent()).resolves.toBe('POST /oauth/token');
    expect(await page.locator('#errors-table tbody tr').count()).toBe(report.errors.length);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const links = await page.$$eval('table.kv a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links.some((h) => h?.includes('loadlab-example-results-111122223333?prefix=metadata%2F'))).toBe(true);

    // Hover read-out on a line chart.
    const svg = page.locator('#chart-throughput svg[role="img"]');
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.locator('#chart-throughput .tip').textContent()).resolves.toContain('achieved, all endpoints');
    expect(await page.locator('#comparison').count()).toBe(0);

    await page.screenshot({ path: path.join(path.dirname(file), 'report.png'), fullPage: true });
    await page.close();
  });

  it('shows the comparison with a baseline run, flagging what got worse', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`file://${comparedFile}`);
    expect(problems).toEqual([]);
    const section = page.locator('#comparison');
    expect(await section.isVisible()).toBe(true);
    await expect(section.locator('h2').textContent()).resolves.toBe('Compared with yesterday');
    // Slower (medians 80 vs 60 ms) and throttled (20 % 429s from 200 s on) against a clean baseline.
    expect(comparison.regressions).toContain('ALL');
    expect(Number(await section.getAttribute('data-regressions'))).toBe(comparison.regressions.length);
    await expect(section.locator('.verdict.bad').textContent()).resolves.toContain(`${comparison.regressions.length} regression(s)`);
    const rows = await section.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        endpoint: tr.getAttribute('data-endpoint'),
        worse: tr.getAttribute('data-worse') === 'true',
        flaggedCells: Array.from(tr.querySelectorAll('td.bad')).map((td) => td.getAttribute('data-metric')),
        visible: (tr as HTMLElement).offsetHeight > 0,
      })),
    );
    const expected = [...comparison.endpoints, comparison.totals];
    expect(rows.map((r) => r.endpoint)).toEqual(expected.map((e) => e.label));
    expect(rows.map((r) => r.worse)).toEqual(expected.map((e) => e.worse));
    for (const [i, e] of expected.entries()) {
      expect(rows[i].flaggedCells).toEqual(
        Object.entries(e.metrics)
          .filter(([, m]) => m.worse)
          .map(([name]) => name),
      );
      expect(rows[i].visible).toBe(true);
    }
    expect(rows.find((r) => r.endpoint === 'ALL')!.flaggedCells).toEqual(expect.arrayContaining(['p50', 'throttledShare']));
    // The table fits the page: no horizontal scrolling.
    const widths = await page.evaluate(() => ({
      table: document.querySelector('#comparison table')!.getBoundingClientRect().right,
      page: window.innerWidth,
    }));
    expect(widths.table).toBeLessThanOrEqual(widths.page);
    await page.close();
  });

  it('shows the cost section: every line, estimate beside actual, the totals, within the page', async () => {
    const env = repoEnvironment();
    const planned = { ...report.target!, shards: 3, durationSec: 300 };
    const costed = { ...report, target: planned };
    const cost = reportCost(costed, { profile: costProfileOf(env.name, env.config) });
    const costFile = path.join(path.dirname(file), 'costed.html');
    writeFileSync(costFile, renderHtml({ ...costed, cost }));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`file://${costFile}`);
    expect(problems).toEqual([]);
    const section = page.locator('#cost');
    expect(await section.isVisible()).toBe(true);
    const keys = new Set([...cost.estimate!.lines, ...cost.actual!.lines].map((l) => l.key));
    expect(await section.locator('tbody tr').count()).toBe(keys.size + 1);
    await expect(page.locator('#cost-actual-total').textContent()).resolves.toBe(`$${cost.actual!.usd.toFixed(4)}`);
    await expect(page.locator('#cost-estimate-total').textContent()).resolves.toBe(`$${cost.estimate!.usd.toFixed(4)}`);
    // A line the run does not record shows a dash on the actual side.
    await expect(page.locator('tr[data-cost-line="sqsRequests"] td').nth(5).textContent()).resolves.toBe('–');
    await expect(page.locator('#cost-prices').textContent()).resolves.toMatch(/^Prices: the us-east-1 table of \d{4}-\d{2}-\d{2}/);
    const widths = await page.evaluate(() => ({
      table: document.querySelector('#cost table')!.getBoundingClientRect().right,
      page: window.innerWidth,
      scroll: document.documentElement.scrollWidth - window.innerWidth,
    }));
    expect(widths.table).toBeLessThanOrEqual(widths.page);
    expect(widths.scroll).toBeLessThanOrEqual(0);
    await section.screenshot({ path: path.join(path.dirname(file), 'cost.png') });
    await page.close();
  });
});
