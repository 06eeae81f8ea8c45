/**
 * A hostile JTL cannot run script in report.html: labels, a shard file name, the test id, response
 * messages and the plan summary's names carry markup and script, the page is opened in headless
 * Chromium, every chart is hovered, and nothing ran (no flag set, no console line, no element
 * parsed from the payloads, no CSP violation) while the charts still drew and the read-out shows
 * the payloads as text.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_PATH, describeWith } from '../helpers/prerequisites';

const ROOT = path.resolve(__dirname, '..', '..');
const HIT = "window.__xss=(window.__xss||0)+1;console.log('XSS')";
const LABELS = [
  `GET /api/v2/<img src=x onerror="${HIT}">`,
  `GET /api/v2/"><svg onload="${HIT}"></svg>`,
  `GET /api/v2/</script><script>${HIT}</script>`,
];
const FILE = `shard-<img src=x onerror=${HIT.replace(/[;']/g, '')}>.jtl`;
const TEST_ID = `t<script>${HIT}</script>`;
const MESSAGE = `<iframe srcdoc="<script>parent.${HIT}</script>"></iframe>`;

const csv = (v: string): string => `"${v.replace(/"/g, '""')}"`;

function hostileJtl(): string {
  const header =
    'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect,loadlab_retry_after,loadlab_token_index';
  const start = Date.UTC(2026, 10, 23, 9, 0, 0);
  const lines = [header];
  for (let k = 0; k < 600; k++) {
    const label = LABELS[k % LABELS.length];
    const failed = k % 20 === 0;
    const code = failed ? (k % 40 === 0 ? '429' : csv(`5<b onmouseover="${HIT}">`)) : '200';
    lines.push(
      [
        start + k * 500,
        100 + (k % 50),
        csv(label),
        code,
        csv(MESSAGE),
        csv(`users <i>1-${k % 5}</i>`),
        'text',
        !failed,
        failed ? csv(MESSAGE) : '',
        2048,
        400,
        5,
        5,
        'https://x',
        90,
        0,
        1,
        code === '429' ? '2.000' : '',
        k % 2,
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

describeWith('chromium')('report.html with hostile labels, file names, test ids and messages', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'loadlab-xss-'));
    const results = path.join(dir, 'results');
    mkdirSync(results);
    writeFileSync(path.join(results, FILE), hostileJtl());
    const summary = {
      scenario: `s<img src=x onerror="${HIT}">`,
      environment: `</title><script>${HIT}</script>`,
      shards: 1,
      tokensPerShard: 2,
      targetRpmPerShard: 120,
      rampUpSec: 0,
      endpoints: LABELS.map((label) => ({ label, share: 1 / 3 })),
      thresholds: { endpoints: { [LABELS[0]]: { p95Ms: 1 } } },
    };
    writeFileSync(path.join(results, 'x.summary.json'), JSON.stringify(summary));
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'bin/report.ts', results, '--test-id', TEST_ID, '--out', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    // The threshold on the hostile endpoint fails on purpose: the verdict shows its name too.
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 1, stderr: '' });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs no script from the data when every chart is hovered, and still draws every chart', async () => {
    const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;|<meta http-equiv="Content-Security-Policy" content="default-src 'none'/,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const console: string[] = [];
    page.on('console', (m) => console.push(m.text()));
    page.on('pageerror', (e) => console.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      console.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    // Init scripts are not subject to the page's CSP: they record violations (a blocked payload would show here).
    await page.addInitScript(() => {
      (window as unknown as { __violations: string[] }).__violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.sample}`),
      );
    });
    await page.route('**/*', (route) => (route.request().url().startsWith('file://') ? route.continue() : route.abort()));
    await page.goto(`file://${path.join(dir, 'report.html')}`);

    const hovered = await page.locator('svg[data-hover]').count();
    expect(hovered).toBeGreaterThanOrEqual(6);
    const readouts: string[] = [];
    for (let i = 0; i < hovered; i++) {
      const svg = page.locator('svg[data-hover]').nth(i);
      await svg.scrollIntoViewIfNeeded();
      const box = (await svg.boundingBox())!;
      for (const f of [0.1, 0.3, 0.5, 0.7, 0.9]) await page.mouse.move(box.x + box.width * f, box.y + box.height / 2);
      readouts.push((await svg.locator('xpath=..').locator('.tip').textContent()) ?? '');
    }
    for (const bar of await page
      .locator('rect.bar')
      .all()
      .then((b) => b.slice(0, 40)))
      await bar.hover({ force: true });

    const state = await page.evaluate(() => ({
      flag: (window as unknown as { __xss?: number }).__xss ?? 0,
      violations: (window as unknown as { __violations: string[] }).__violations,
      injected: document.querySelectorAll(
        'img, iframe, script:not([type]) ~ script:not([type]), [onerror], [onload], [onmouseover], b[onmouseover]',
      ).length,
      scripts: document.querySelectorAll('script').length,
      title: document.title,
      paths: Array.from(document.querySelectorAll('path.series')).filter((p) => (p as SVGPathElement).getTotalLength() > 50).length,
    }));
    expect(console).toEqual([]);
    expect(state.flag).toBe(0);
    expect(state.violations).toEqual([]);
    expect(state.injected).toBe(0);
    // The page's own script plus the two JSON data blocks (no comparison here: one).
    expect(state.scripts).toBe(2);
    expect(state.title).toContain('<img src=x onerror=');
    // The charts drew, and the hover read-out shows the hostile labels as text.
    expect(state.paths).toBeGreaterThanOrEqual(8);
    expect(readouts.join('\n')).toContain(LABELS[0]);
    expect(readouts.join('\n')).toContain(LABELS[2]);
    await expect(page.locator('h1#title').textContent()).resolves.toBe(`s<img src=x onerror="${HIT}"> on </title><script>${HIT}</script>`);
    await expect(page.locator('#shards td.label').first().textContent()).resolves.toBe(FILE.replace(/\.jtl$/, ''));
    await expect(page.locator('#errors-table td.msg').first().textContent()).resolves.toBe(MESSAGE);
    await expect(page.locator('#threshold-checks td.label').first().textContent()).resolves.toBe(`${LABELS[0]} p95`);
    await page.close();
  });
});
