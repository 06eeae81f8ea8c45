/**
 * Opens report.html in headless Chromium and checks, from the page itself, that every chart drew
 * its data. Needs /usr/bin/chromium (Debian package `chromium`); skipped without it, except under CI.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { chromium, type Browser } from 'playwright-core';
import { buildReport, renderHtml, type Report } from '../../loadtest/report';
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
  paths: { name: string; points: number; drawnLength: number }[];
  bars: { width: number; height: number }[];
  box: { width: number; height: number };
}

// CI installs chromium (.ci/run), so there a missing browser fails the suite instead of skipping it.
describeWith('chromium')('report.html in headless Chromium', () => {
  let browser: Browser;
  let report: Report;
  let file: string;

  beforeAll(async () => {
    const start = Date.UTC(2026, 10, 23, 10, 0, 0);
    report = await buildReport(
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
            throttleShare: 0.2,
            medianMs: 80 + 60 * shard,
          }),
        ),
      })),
      {
        testId: 'browser-check',
        metadataUri: 's3://loadlab-example-results-111122223333/metadata/',
        analyticsUri: 's3://loadlab-example-reports-111122223333/analytics/',
      },
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-report-'));
    file = path.join(dir, 'report.html');
    writeFileSync(file, renderHtml(report));
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
    expect(charts.map((c) => c.id)).toEqual(['throughput', 'latency', 'errors', 'retry-after', 'percentiles', 'shards']);
    for (const c of charts) {
      expect(c.kind).not.toBe('empty');
      expect(c.box.width).toBeGreaterThan(500);
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
    // One line per endpoint (+ token requests + the total), per shard, per percentile.
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    expect(byId.throughput.paths.map((p) => p.name)).toEqual([...[...LABELS].sort(), 'POST /oauth/token', 'all endpoints']);
    expect(byId.shards.paths.map((p) => p.name)).toEqual(['shard-0', 'shard-1', 'shard-2']);
    expect(byId.latency.paths.map((p) => p.name)).toEqual(['p50', 'p90', 'p99']);
    // Retry-After bars only where 429s happened: after 200 s of the 300 s run.
    expect(byId['retry-after'].bars.length).toBeLessThanOrEqual(report.series.all.retryAfterSec.filter((v) => v > 0).length);
    expect(byId.percentiles.bars).toHaveLength(3 * report.endpoints.length);

    // The figures people read first, as the page shows them.
    const cards = await page.$$eval('.card', (els) => els.map((e) => e.textContent));
    expect(cards[0]).toBe(`${report.totals.requests.toLocaleString('en-US')}requests`);
    const links = await page.$$eval('table.kv a', (as) => as.map((a) => a.getAttribute('href')));
    expect(links.some((h) => h?.includes('loadlab-example-results-111122223333?prefix=metadata%2F'))).toBe(true);

    // Hover read-out on a line chart.
    const svg = page.locator('#chart-throughput svg');
    const box = (await svg.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await expect(page.locator('#chart-throughput .tip').textContent()).resolves.toContain('all endpoints');

    await page.screenshot({ path: path.join(path.dirname(file), 'report.png'), fullPage: true });
    await page.close();
  });
});
