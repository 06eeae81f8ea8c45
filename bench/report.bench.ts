/**
 * Report throughput on large results: writes synthetic shard JTLs to disk, then times
 * `npm run report`'s code path (streamed parse, merge, exact percentiles, HTML) on them.
 * Targets: >= 25 MB/s of JTL and peak RSS growth <= 1 GiB for 2 million samples (1 GiB is the
 * report Lambda's memory order of magnitude). Wire-up: `import { run as report } from './report.bench'`.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';
import { ReportBuilder, readJtl, renderHtml } from '../loadtest/report';
import { syntheticJtl } from '../loadtest/report/synthetic';
import type { BenchOptions, BenchResult } from './types';

const LABELS = [
  'GET /api/v2/scripts',
  'GET /api/v2/recordings/screensessions/details',
  'POST /api/v2/analytics/conversations/details/jobs',
];

async function writeShard(file: string, shard: number, samples: number): Promise<void> {
  const out = createWriteStream(file);
  const durationSec = 3600;
  for (const chunk of syntheticJtl({
    shard,
    startMs: Date.UTC(2026, 0, 1),
    durationSec,
    requestsPerSec: samples / durationSec,
    labels: LABELS,
    throttleFromSec: 3000,
    throttleShare: 0.05,
  })) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function run(options: BenchOptions): Promise<BenchResult> {
  const shards = 4;
  const perShard = options.quick ? 50_000 : 500_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'loadlab-report-bench-'));
  try {
    options.log(`writing ${shards} x ${perShard.toLocaleString('en-US')} samples of synthetic JTL...`);
    const files: string[] = [];
    for (let s = 0; s < shards; s++) {
      const file = path.join(dir, `shard-${s}.jtl`);
      await writeShard(file, s, perShard);
      files.push(file);
    }
    const bytes = files.reduce((a, f) => a + statSync(f).size, 0);
    if (global.gc) global.gc();
    const baseRss = process.memoryUsage().rss;
    let peakRss = baseRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const started = process.hrtime.bigint();
    const builder = new ReportBuilder();
    for (const [i, file] of files.entries()) {
      options.log(`  reading shard ${i + 1}/${shards}`);
      await readJtl(createReadStream(file, { highWaterMark: 1 << 20 }), file, builder.shard(`shard-${i}`));
    }
    const parsedAt = process.hrtime.bigint();
    const report = builder.build({ testId: 'bench' });
    const html = renderHtml(report);
    const done = process.hrtime.bigint();
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const totalSec = Number(done - started) / 1e9;
    const mbPerSec = bytes / 1048576 / totalSec;
    const growthMiB = (peakRss - baseRss) / 1048576;
    const targetsMet = mbPerSec >= 25 && growthMiB <= 1024;
    return {
      name: 'report',
      lines: [
        `input: ${shards} shards, ${builder.sampleCount.toLocaleString('en-US')} samples, ${(bytes / 1048576).toFixed(1)} MB`,
        `parse: ${(Number(parsedAt - started) / 1e9).toFixed(2)} s; merge + percentiles + HTML: ${(Number(done - parsedAt) / 1e9).toFixed(2)} s (html ${(html.length / 1024).toFixed(0)} KB)`,
        `throughput: ${mbPerSec.toFixed(1)} MB/s, ${Math.round(builder.sampleCount / totalSec).toLocaleString('en-US')} samples/s (target >= 25 MB/s)`,
        `peak RSS growth: ${growthMiB.toFixed(0)} MiB (target <= 1024 MiB)`,
        `merged p50/p90/p99: ${report.totals.latencyMs?.p50}/${report.totals.latencyMs?.p90}/${report.totals.latencyMs?.p99} ms`,
      ],
      targetsMet,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
