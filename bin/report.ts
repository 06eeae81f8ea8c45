/**
 * npm run report -- <results-dir> [--out <dir>] [--test-id <id>] [--bucket-sec <n>]
 *                   [--metadata s3://…] [--analytics s3://…] [--region <aws-region>]
 *
 * Merges every shard's JTL (*.jtl, *.csv) under <results-dir> into report.json and report.html
 * (written to --out, default <results-dir>). The state machine's report step runs the same code.
 */
import { createReadStream, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs, runCli, UsageError } from '../lib/cli';
import { ReportBuilder, readJtl, renderHtml, RESULT_FILE, shardName, JtlFormatError } from '../loadtest/report';

const USAGE =
  'usage: npm run report -- <results-dir> [--out <dir>] [--test-id <id>] [--bucket-sec <n>] [--metadata s3://...] [--analytics s3://...] [--region <aws-region>]';

function resultFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (RESULT_FILE.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs(
    process.argv.slice(2),
    {
      out: { type: 'string' },
      'test-id': { type: 'string' },
      'bucket-sec': { type: 'string' },
      metadata: { type: 'string' },
      analytics: { type: 'string' },
      region: { type: 'string' },
      help: { type: 'boolean' },
    },
    { positionals: true },
  );
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one results folder (got ${positionals.length})`);
  const dir = path.resolve(positionals[0]);
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${positionals[0]} is not a folder of JTL files`);
  const bucketSec = values['bucket-sec'] === undefined ? undefined : Number(values['bucket-sec']);
  if (bucketSec !== undefined && !(bucketSec > 0))
    throw new UsageError(`--bucket-sec must be a number of seconds > 0 (got ${values['bucket-sec']})`);
  for (const flag of ['metadata', 'analytics'] as const) {
    const v = values[flag];
    if (v !== undefined && !/^(s3|https?):\/\/\S+$/.test(v))
      throw new UsageError(`--${flag} must be an s3:// or https:// address (got ${v})`);
  }
  const files = resultFiles(dir);
  if (files.length === 0) throw new UsageError(`no *.jtl or *.csv result files under ${positionals[0]}`);

  const builder = new ReportBuilder();
  const started = Date.now();
  for (const [i, file] of files.entries()) {
    const name = path.relative(dir, file).replace(/\\/g, '/');
    const size = statSync(file).size;
    const before = builder.sampleCount;
    process.stdout.write(`[${i + 1}/${files.length}] ${name} (${mb(size)}) `);
    let read = 0;
    let lastTick = Date.now();
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => {
      read += chunk.length;
      if (Date.now() - lastTick > 2000) {
        lastTick = Date.now();
        process.stdout.write(`${Math.round((read / size) * 100)}% `);
      }
    });
    const skipped = await readJtl(stream, name, builder.shard(shardName(name)));
    builder.setSkipped(shardName(name), skipped);
    console.log(`${(builder.sampleCount - before).toLocaleString('en-US')} samples${skipped ? `, ${skipped} malformed skipped` : ''}`);
  }
  const report = builder.build({
    testId: values['test-id'] ?? path.basename(dir),
    bucketSec,
    metadataUri: values.metadata,
    analyticsUri: values.analytics,
    awsRegion: values.region,
  });
  const out = path.resolve(values.out ?? dir);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(path.join(out, 'report.html'), renderHtml(report));
  const t = report.totals;
  const l = t.latencyMs;
  console.log(
    `${t.requests.toLocaleString('en-US')} requests from ${report.shards.length} shard(s) in ${report.window.durationSec} s: ` +
      `p50 ${l?.p50 ?? '-'} / p90 ${l?.p90 ?? '-'} / p99 ${l?.p99 ?? '-'} ms, errors ${(t.errorShare * 100).toFixed(2)} %, 429 ${(t.throttledShare * 100).toFixed(2)} %`,
  );
  for (const w of report.warnings) console.log(`warning: ${w}`);
  console.log(
    `wrote ${path.relative(process.cwd(), path.join(out, 'report.json'))} and report.html (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return 0;
}

void runCli(main, { usage: USAGE, expected: [[JtlFormatError, 2]] });
