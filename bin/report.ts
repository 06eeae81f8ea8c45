/**
 * npm run report -- <results-dir> [--out <dir>] [--baseline <results-dir|report.json>] [--plan <summary.json>] ...
 *
 * Merges every shard's JTL (*.jtl, *.csv) under <results-dir> into report.json and report.html
 * (written to --out, default <results-dir>); with --baseline also compares the run with an
 * earlier one and writes comparison.md. The state machine's report step runs the same code.
 */
import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { numberOption, parseArgs, runCli, UsageError } from '../lib/cli';
import {
  compareReports,
  comparisonMarkdown,
  DEFAULT_THRESHOLDS,
  JtlFormatError,
  readJtl,
  renderHtml,
  ReportBuilder,
  RESULT_FILE,
  shardName,
  targetFromPlanSummary,
  type Report,
  type ReportTarget,
} from '../loadtest/report';
import { JMETER_DASHBOARD_DIR, JtlHeaderError, writeJmeterDashboard } from '../loadtest/report/jmeter-dashboard';
import { ensureJmeter, JmeterUnavailableError } from '../loadtest/jmeter/home';

const USAGE =
  'usage: npm run report -- <results-dir> [--out <dir>] [--baseline <results-dir|report.json>] [--plan <summary.json>] [--target-rpm <n>] [--test-id <id>] [--bucket-sec <n>] [--metadata s3://...] [--analytics s3://...] [--region <aws-region>]';

const HELP = `${USAGE}

Merges the JMeter results of every shard (*.jtl and *.csv files anywhere under <results-dir>, one
shard per file) into report.json and report.html: percentiles over all samples of all shards,
throughput, errors, 429s and Retry-After waits over time, per endpoint and per shard. Offline;
about 1 s per 100,000 samples.

  --out <dir>            where to write report.json, report.html (and comparison.md); default <results-dir>
  --test-id <id>         the test id shown in the report (default: the folder's name)
  --bucket-sec <n>       width of the time buckets in seconds (default: the smallest of 1, 2, 5, 10,
                         15, 30 s, 1, 2, 5, 10 min giving at most 360 buckets)
  --plan <file>          the plan summary (npm run jmx -- --summary, <scenario>.summary.json): the
                         planned rate is drawn beside the achieved one. Default: the one
                         *.summary.json file in <results-dir>, if there is exactly one
  --target-rpm <n>       the planned requests/min of all shards together, instead of --plan
  --baseline <path>      an earlier run of the same scenario, as a results folder or its report.json:
                         per endpoint the change in p50/p90/p99, throughput, error and 429 share,
                         flagged where it got worse beyond the thresholds; shown in report.html,
                         stored in report.json (comparison) and written as comparison.md (Markdown
                         for a pull-request comment)
  --threshold <pct>      a percentile up, or throughput down, by more than this % is worse
                         (default ${DEFAULT_THRESHOLDS.latencyPercent}; percentiles must also grow by ${DEFAULT_THRESHOLDS.latencyMinMs} ms or more)
  --share-threshold <pt> an error or 429 share up by more than this many percentage points is
                         worse (default ${DEFAULT_THRESHOLDS.sharePoints})
  --fail-on-regression   exit 1 when the comparison flags anything
  --metadata <uri>       s3:// or https:// address of the archived recording metadata (a link)
  --analytics <uri>      s3:// or https:// address of this test's analytics job output (a link)
  --region <region>      AWS region for the console links of s3:// addresses
  --jmeter-dashboard     also write JMeter's own HTML dashboard (jmeter -g on the merged results) into
                         <out>/jmeter-dashboard/ with the JMeter of npm run jmeter:install (needs Java)
  --help                 print this and exit

Exit codes: 0 written; 1 --fail-on-regression and a regression; 2 bad arguments or unreadable results.`;

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
const rel = (p: string): string => path.relative(process.cwd(), p) || '.';

function isDir(p: string): boolean {
  return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Reads every result file under `dir` (printing progress) into a builder. */
async function readResults(dir: string, what: string): Promise<ReportBuilder> {
  const files = resultFiles(dir);
  if (files.length === 0) throw new UsageError(`no *.jtl or *.csv result files under ${rel(dir)} (${what})`);
  const builder = new ReportBuilder();
  for (const [i, file] of files.entries()) {
    const name = path.relative(dir, file).replace(/\\/g, '/');
    const size = statSync(file).size;
    const before = builder.sampleCount;
    process.stdout.write(`[${i + 1}/${files.length}] ${what === 'results' ? '' : `${what} `}${name} (${mb(size)}) `);
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
  return builder;
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${what} ${rel(file)} is not readable JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** --plan, --target-rpm, or the one plan summary in the results folder. */
function plannedTarget(dir: string, planFlag: string | undefined, targetRpm: number | undefined): ReportTarget | undefined {
  if (targetRpm !== undefined) return { requestsPerMinute: targetRpm, rampUpSec: 0, byLabel: {}, source: '--target-rpm' };
  let file = planFlag;
  if (file === undefined) {
    const found = readdirSync(dir).filter((f) => f.endsWith('.summary.json'));
    if (found.length !== 1) return undefined;
    file = path.join(dir, found[0]);
  }
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`--plan ${file} is not a file`);
  try {
    return targetFromPlanSummary(readJson(file, '--plan'), path.basename(file));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function baselineReport(p: string, bucketSec: number | undefined): Promise<Report> {
  if (isDir(p)) return (await readResults(p, 'baseline')).build({ testId: path.basename(path.resolve(p)), bucketSec });
  if (!statSync(p, { throwIfNoEntry: false })?.isFile())
    throw new UsageError(`--baseline ${p} is neither a results folder nor a report.json`);
  const r = readJson(p, '--baseline') as Partial<Report> | null;
  if (r?.schemaVersion !== 1 || !Array.isArray(r.endpoints) || !r.totals)
    throw new UsageError(`--baseline ${p} is not a report.json of npm run report (schemaVersion 1)`);
  return r as Report;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs(
    process.argv.slice(2),
    {
      out: { type: 'string' },
      'test-id': { type: 'string' },
      'bucket-sec': { type: 'string' },
      plan: { type: 'string' },
      'target-rpm': { type: 'string' },
      baseline: { type: 'string' },
      threshold: { type: 'string' },
      'share-threshold': { type: 'string' },
      'fail-on-regression': { type: 'boolean' },
      metadata: { type: 'string' },
      analytics: { type: 'string' },
      region: { type: 'string' },
      'jmeter-dashboard': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { positionals: true },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`give exactly one results folder (got ${positionals.length})`);
  const dir = path.resolve(positionals[0]);
  if (!isDir(dir)) throw new UsageError(`${positionals[0]} is not a folder of JTL files`);
  const bucketSec = values['bucket-sec'] === undefined ? undefined : Number(values['bucket-sec']);
  if (bucketSec !== undefined && !(bucketSec > 0))
    throw new UsageError(`--bucket-sec must be a number of seconds > 0 (got ${values['bucket-sec']})`);
  const targetRpm = numberOption('target-rpm', values['target-rpm'], { min: 0 });
  if (targetRpm !== undefined && values.plan !== undefined) throw new UsageError('give --plan or --target-rpm, not both');
  const latencyPercent = numberOption('threshold', values.threshold, { min: 0 });
  const sharePoints = numberOption('share-threshold', values['share-threshold'], { min: 0 });
  if ((latencyPercent !== undefined || sharePoints !== undefined || values['fail-on-regression']) && values.baseline === undefined)
    throw new UsageError('--threshold, --share-threshold and --fail-on-regression need --baseline');
  for (const flag of ['metadata', 'analytics'] as const) {
    const v = values[flag];
    if (v !== undefined && !/^(s3|https?):\/\/\S+$/.test(v))
      throw new UsageError(`--${flag} must be an s3:// or https:// address (got ${v})`);
  }
  const target = plannedTarget(dir, values.plan, targetRpm);

  const started = Date.now();
  const builder = await readResults(dir, 'results');
  const report = builder.build({
    testId: values['test-id'] ?? path.basename(dir),
    bucketSec,
    metadataUri: values.metadata,
    analyticsUri: values.analytics,
    awsRegion: values.region,
    target,
  });
  const comparison =
    values.baseline === undefined
      ? undefined
      : compareReports(await baselineReport(values.baseline, bucketSec), report, {
          ...(latencyPercent !== undefined ? { latencyPercent, throughputPercent: latencyPercent } : {}),
          ...(sharePoints !== undefined ? { sharePoints } : {}),
        });
  const out = path.resolve(values.out ?? dir);
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'report.json'), JSON.stringify(comparison ? { ...report, comparison } : report, null, 2) + '\n');
  writeFileSync(path.join(out, 'report.html'), renderHtml(report, { comparison }));
  const written = [rel(path.join(out, 'report.json')), 'report.html'];
  if (comparison) {
    writeFileSync(path.join(out, 'comparison.md'), comparisonMarkdown(comparison));
    written.push('comparison.md');
  }
  const t = report.totals;
  const l = t.latencyMs;
  console.log(
    `${t.requests.toLocaleString('en-US')} requests from ${report.shards.length} shard(s) in ${report.window.durationSec} s: ` +
      `p50 ${l?.p50 ?? '-'} / p90 ${l?.p90 ?? '-'} / p99 ${l?.p99 ?? '-'} ms, errors ${(t.errorShare * 100).toFixed(2)} %, 429 ${(t.throttledShare * 100).toFixed(2)} %`,
  );
  if (target)
    console.log(
      `planned ${target.requestsPerMinute} requests/min (${target.source}), achieved ${(t.throughputPerSec * 60).toFixed(1)} on average`,
    );
  if (comparison) {
    console.log(
      comparison.regressions.length
        ? `compared with ${comparison.baselineTestId}: worse beyond the thresholds: ${comparison.regressions.join(', ')}`
        : `compared with ${comparison.baselineTestId}: no regression beyond the thresholds`,
    );
  }
  if (values['jmeter-dashboard']) {
    const dashboard = await writeJmeterDashboard({ files: resultFiles(dir), outDir: out, home: await ensureJmeter(console.log) });
    written.push(`${JMETER_DASHBOARD_DIR}/index.html (${dashboard.samples.toLocaleString('en-US')} samples)`);
  }
  for (const w of report.warnings) console.log(`warning: ${w}`);
  console.log(`wrote ${written.join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return values['fail-on-regression'] && comparison && comparison.regressions.length > 0 ? 1 : 0;
}

void runCli(main, {
  usage: USAGE,
  expected: [
    [JtlFormatError, 2],
    [JtlHeaderError, 2],
    [JmeterUnavailableError, 2],
  ],
});
