/**
 * `npm run report`: merges the shards' JTL files of a results folder into report.json,
 * report.html and junit.xml (loadtest/report/assemble.ts, the same assembly as the state
 * machine's report step), optionally compared with a baseline run, and exits 1 when the run
 * failed (no samples, a threshold missed, or a regression with --fail-on-regression).
 */
import { JMETER_DASHBOARD_DIR, writeJmeterDashboard } from '../loadtest/report/jmeter-dashboard';
import { ensureJmeter } from '../loadtest/jmeter/home';
import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { numberOption, parseArgs, UsageError } from '../lib/cli';
import { loadEnvironment } from '../lib/config';
import { costProfileOf } from '../lib/cost/profile';
import { dollars } from '../lib/cost/format';
import {
  achievedText,
  assembleReport,
  COST_UNKNOWN,
  DEFAULT_THRESHOLDS,
  parseReportJson,
  planSummaryText,
  readShards,
  reportCost,
  RESULT_FILE,
  shardName,
  targetFromTestPlanSummary,
  taskRecordFromJson,
  thresholdsFromJson,
  type AssembledReport,
  type CostRequest,
  type Report,
  type ReportTarget,
  type ReportThresholds,
  type ShardSource,
} from '../loadtest/report';

export const REPORT_USAGE =
  'usage: npm run report -- <results-dir> [--out <dir>] [--baseline <results-dir|report.json>] [--jmx-summary <file>] [--target-rpm <n>] [--thresholds <file>] [--test-id <id>] [--bucket-sec <n>] [--metadata s3://...] [--analytics s3://...] [--region <aws-region>] [--env <env>] [--task-record <file>]';

export const REPORT_HELP = `${REPORT_USAGE}

Merges the JMeter results of every shard (*.jtl and *.csv files anywhere under <results-dir>, one
shard per file) into report.json, report.html and junit.xml: the headline figures over the
steady-state window (after the test plan's ramp-up), percentiles over all samples of all shards,
throughput against the test plan, errors by response code and message, 429s, Retry-After rests and
dropped arrivals, active threads, bytes, response-time histograms and Apdex per endpoint, per
shard; pass/fail against the scenario's thresholds. Offline, one streaming pass, in memory that
does not grow with the sample count (docs/report.md has measured times).

  --out <dir>            where to write report.json, report.html, junit.xml (and comparison.md);
                         default <results-dir>
  --test-id <id>         the test id shown in the report (default: the folder's name)
  --bucket-sec <n>       width of the time buckets in seconds (default: chosen from the run's length
                         and rate: at most 150 buckets of about 20 samples or more)
  --jmx-summary <file>   the JMeter test plan's summary (npm run jmx -- --summary, <scenario>.summary.json):
                         scenario, environment, sizing, ramp-up and thresholds; the planned rate is
                         drawn over the achieved one. Default: the one *.summary.json file in
                         <results-dir>, if there is exactly one
  --target-rpm <n>       the planned requests/min of all shards together, instead of --jmx-summary
  --thresholds <file>    pass/fail goals as JSON (the shape of a scenario's "thresholds" in the
                         environment file), instead of the test plan summary's
  --baseline <path>      an earlier run of the same scenario, as a results folder or its report.json:
                         per endpoint the change in p50/p90/p99, throughput, error and 429 share,
                         flagged where it got worse beyond the thresholds; shown in report.html,
                         stored in report.json (comparison) and written as comparison.md (Markdown
                         for a pull-request comment)
  --threshold <pct>      a percentile up, or throughput down, by more than this % is worse
                         (default ${DEFAULT_THRESHOLDS.latencyPercent}; percentiles must also grow by ${DEFAULT_THRESHOLDS.latencyMinMs} ms or more)
  --share-threshold <pt> an error or 429 share up by more than this many percentage points is
                         worse (default ${DEFAULT_THRESHOLDS.sharePoints})
  --fail-on-regression   a regression beyond the thresholds fails the run (exit 1)
  --metadata <uri>       s3:// or https:// address of the archived recording metadata (a link)
  --analytics <uri>      s3:// or https:// address of this test's analytics job output (a link)
  --region <region>      AWS region for the console links of s3:// addresses
  --env <env>            environments/<env>.json: price the run (and a --baseline folder) with its
                         region's price table and cost.prices, the actual cost beside the estimate
                         (docs/cost.md); without it the report says the cost is unknown
  --task-record <file>   the state machine's record of the tasks (RunShards' output, JSON): bill
                         each task's own time instead of its first to last sample + cost.startUpSec
  --jmeter-dashboard     also write JMeter's own HTML dashboard (jmeter -g on the merged results) into
                         <out>/jmeter-dashboard/ with the JMeter of npm run jmeter:install (needs Java)
  --help                 print this and exit

Exit codes: 0 written and passed; 1 written, and the run failed: no samples, a threshold missed,
or --fail-on-regression and a regression (junit.xml says which); 2 bad arguments or unreadable
results (nothing written).`;

export const REPORT_OPTIONS = {
  out: { type: 'string' },
  'test-id': { type: 'string' },
  'bucket-sec': { type: 'string' },
  'jmx-summary': { type: 'string' },
  'target-rpm': { type: 'string' },
  thresholds: { type: 'string' },
  baseline: { type: 'string' },
  threshold: { type: 'string' },
  'share-threshold': { type: 'string' },
  'fail-on-regression': { type: 'boolean' },
  metadata: { type: 'string' },
  analytics: { type: 'string' },
  region: { type: 'string' },
  env: { type: 'string' },
  'task-record': { type: 'string' },
  'jmeter-dashboard': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface ReportIo {
  readonly log: (line: string) => void;
  /** Progress without a line break. */
  readonly write: (text: string) => void;
}

const mb = (bytes: number): string => `${(bytes / 1048576).toFixed(1)} MB`;
const rel = (p: string): string => path.relative(process.cwd(), p) || '.';
const isDir = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
const isFile = (p: string): boolean => statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;

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

/** The result files of a folder as shard sources, printing `[i/n] name (size) ` as each is opened. */
function folderSources(dir: string, what: string, io: ReportIo): ShardSource[] {
  const files = resultFiles(dir);
  if (files.length === 0) throw new UsageError(`no *.jtl or *.csv result files under ${rel(dir)} (${what})`);
  return files.map((file, i) => {
    const name = path.relative(dir, file).replace(/\\/g, '/');
    return {
      name,
      shard: shardName(name),
      open: () => {
        io.write(`[${i + 1}/${files.length}] ${what === 'results' ? '' : `${what} `}${name} (${mb(statSync(file).size)}) `);
        return Promise.resolve(createReadStream(file, { highWaterMark: 1 << 20 }));
      },
    };
  });
}

const printShard = (io: ReportIo) => (_i: number, _s: ShardSource, samples: number, skipped: number) =>
  io.log(`${samples.toLocaleString('en-US')} samples${skipped ? `, ${skipped} malformed skipped` : ''}`);

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${what} ${rel(file)} is not readable JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** An Error of a reader as a UsageError (exit 2, one line). */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

/** --jmx-summary, --target-rpm, or the one test plan summary in the results folder. */
function plannedTarget(dir: string, summaryFlag: string | undefined, targetRpm: number | undefined): ReportTarget | undefined {
  if (targetRpm !== undefined) return { requestsPerMinute: targetRpm, rampUpSec: 0, byLabel: {}, source: '--target-rpm' };
  let file = summaryFlag;
  if (file === undefined) {
    const found = readdirSync(dir).filter((f) => f.endsWith('.summary.json'));
    if (found.length !== 1) return undefined;
    file = path.join(dir, found[0]);
  }
  if (!isFile(file)) throw new UsageError(`--jmx-summary ${file} is not a file`);
  const summary = readJson(file, '--jmx-summary');
  return asUsage(() => targetFromTestPlanSummary(summary, path.basename(file)));
}

/** Bytes of a folder's results files: what its shards wrote. */
const resultBytes = (dir: string): number => resultFiles(dir).reduce((sum, f) => sum + statSync(f).size, 0);

async function baselineReport(p: string, bucketSec: number | undefined, cost: CostRequest, io: ReportIo): Promise<Report> {
  if (isDir(p)) {
    const options = { testId: path.basename(path.resolve(p)), bucketSec };
    const builder = await readShards(folderSources(p, 'baseline', io), { onShardDone: printShard(io) }, options);
    const built = builder.build();
    // Priced like the current run (its own samples, no task record), so the comparison has a cost delta.
    return { ...built, cost: reportCost(built, cost.profile ? { profile: cost.profile, bytesWritten: resultBytes(p) } : cost) };
  }
  if (!isFile(p)) throw new UsageError(`--baseline ${p} is neither a results folder nor a report.json`);
  const value = readJson(p, '--baseline');
  return asUsage(() => parseReportJson(value, `--baseline ${p}`));
}

export type ReportArgs = ReturnType<typeof parseArgs<typeof REPORT_OPTIONS>>['values'];

/** What the options ask for, checked: every mistake is a UsageError naming the option. */
export interface ReportSettings {
  readonly dir: string;
  readonly out: string;
  readonly bucketSec?: number;
  readonly target?: ReportTarget;
  readonly thresholds?: ReportThresholds;
  readonly latencyPercent?: number;
  readonly sharePoints?: number;
  /** What the report knows of the run's cost (--env, --task-record). */
  readonly cost: CostRequest;
}

/** --env and --task-record: the environment's cost profile and the tasks' times, or why the cost is unknown. */
function costRequest(values: ReportArgs, target: ReportTarget | undefined): CostRequest {
  if (values['task-record'] !== undefined && values.env === undefined) throw new UsageError('--task-record needs --env (the prices)');
  if (values.env === undefined) {
    // The plan summary names the environment: say which to pass.
    const hint = target?.environment ? COST_UNKNOWN.replace('<environment>', target.environment) : COST_UNKNOWN;
    return { unknown: hint };
  }
  const env = loadEnvironment(values.env, { nameFrom: '--env' });
  const file = values['task-record'];
  if (file !== undefined && !isFile(file)) throw new UsageError(`--task-record ${file} is not a file`);
  const json = file === undefined ? undefined : readJson(file, '--task-record');
  const tasks = file === undefined ? undefined : asUsage(() => taskRecordFromJson(json, `--task-record ${file}`));
  return { profile: costProfileOf(env.name, env.config), tasks };
}

export function reportSettings(values: ReportArgs, positionals: readonly string[]): ReportSettings {
  if (positionals.length !== 1) throw new UsageError(`give exactly one results folder (got ${positionals.length})`);
  const dir = path.resolve(positionals[0]);
  if (!isDir(dir)) throw new UsageError(`${positionals[0]} is not a folder of JTL files`);
  const bucketSec = values['bucket-sec'] === undefined ? undefined : Number(values['bucket-sec']);
  if (bucketSec !== undefined && !(bucketSec > 0))
    throw new UsageError(`--bucket-sec must be a number of seconds > 0 (got ${values['bucket-sec']})`);
  const targetRpm = numberOption('target-rpm', values['target-rpm'], { min: 0 });
  if (targetRpm !== undefined && values['jmx-summary'] !== undefined) throw new UsageError('give --jmx-summary or --target-rpm, not both');
  const latencyPercent = numberOption('threshold', values.threshold, { min: 0 });
  const sharePoints = numberOption('share-threshold', values['share-threshold'], { min: 0 });
  if ((latencyPercent !== undefined || sharePoints !== undefined || values['fail-on-regression']) && values.baseline === undefined)
    throw new UsageError('--threshold, --share-threshold and --fail-on-regression need --baseline');
  for (const flag of ['metadata', 'analytics'] as const) {
    const v = values[flag];
    if (v !== undefined && !/^(s3|https?):\/\/\S+$/.test(v))
      throw new UsageError(`--${flag} must be an s3:// or https:// address (got ${v})`);
  }
  let thresholds: ReportThresholds | undefined;
  if (values.thresholds !== undefined) {
    const file = values.thresholds;
    if (!isFile(file)) throw new UsageError(`--thresholds ${file} is not a file`);
    const json = readJson(file, '--thresholds');
    thresholds = asUsage(() => thresholdsFromJson(json, `--thresholds ${file}`));
  }
  const target = plannedTarget(dir, values['jmx-summary'], targetRpm);
  const cost = costRequest(values, target);
  return { dir, out: path.resolve(values.out ?? dir), bucketSec, target, thresholds, latencyPercent, sharePoints, cost };
}

/** `cost: actual $0.0412, estimated $0.0500 (prices: the us-east-1 table of 2026-12-07)`, or why it is unknown. */
function costText(report: Report): string {
  const c = report.cost;
  if (!c?.actual || !c.prices) return c?.unknown ?? COST_UNKNOWN;
  const estimate = c.estimate ? `, estimated ${dollars(c.estimate.usd)}` : '';
  return `cost: actual ${dollars(c.actual.usd)}${estimate} (prices: the ${c.prices.region} table of ${c.prices.date})`;
}

/** The summary lines: headline (steady state), achieved vs planned, comparison, verdict. */
function printSummary(a: AssembledReport, io: ReportIo): void {
  const { report } = a;
  const s = report.steady.totals;
  const l = s.latencyMs;
  if (report.target) io.log(`plan: ${planSummaryText(report.target)} (${report.target.source})`);
  io.log(
    `${report.totals.requests.toLocaleString('en-US')} requests from ${report.shards.length} shard(s) in ${report.window.durationSec} s; ` +
      `steady state (${report.steady.basis}): ${s.throughputPerSec} req/s, p50 ${l?.p50 ?? '-'} / p95 ${l?.p95 ?? '-'} / p99 ${l?.p99 ?? '-'} ms, ` +
      `errors ${(s.errorShare * 100).toFixed(2)} %, 429 ${(s.throttledShare * 100).toFixed(2)} %`,
  );
  if (report.achieved) io.log(achievedText(report.achieved));
  io.log(costText(report));
  if (a.comparison) {
    const c = a.comparison;
    io.log(
      c.regressions.length
        ? `compared with ${c.baselineTestId}: worse beyond the thresholds: ${c.regressions.join(', ')}`
        : `compared with ${c.baselineTestId}: no regression beyond the thresholds`,
    );
  }
  for (const w of report.warnings) io.log(`warning: ${w}`);
  for (const f of a.failures) io.log(`FAILED: ${f}`);
  if (a.failures.length === 0 && report.verdict.checks.length > 0) io.log(`passed: ${report.verdict.checks.length} threshold(s) met`);
}

/** Runs `npm run report` with `argv`; returns the exit code. */
/** --plan-summary was the old name of --jmx-summary: refused with the new name, never ignored. */
function refuseRenamedFlags(argv: readonly string[]): void {
  if (argv.some((a) => a === '--plan-summary' || a.startsWith('--plan-summary=')))
    throw new UsageError('--plan-summary is now --jmx-summary (the JMeter test plan summary, <scenario>.summary.json)');
}

export async function runReport(argv: readonly string[], io: ReportIo): Promise<number> {
  refuseRenamedFlags(argv);
  const { values, positionals } = parseArgs(argv, REPORT_OPTIONS, { positionals: true });
  if (values.help) {
    io.log(REPORT_HELP);
    return 0;
  }
  const settings = reportSettings(values, positionals);
  const started = Date.now();
  const sources = folderSources(settings.dir, 'results', io);
  const baseline = values.baseline === undefined ? undefined : await baselineReport(values.baseline, settings.bucketSec, settings.cost, io);
  const assembled = await assembleReport({
    sources,
    onShardDone: printShard(io),
    options: {
      testId: values['test-id'] ?? path.basename(settings.dir),
      bucketSec: settings.bucketSec,
      metadataUri: values.metadata,
      analyticsUri: values.analytics,
      awsRegion: values.region,
      target: settings.target,
      thresholds: settings.thresholds,
    },
    baseline,
    compareThresholds: {
      ...(settings.latencyPercent !== undefined
        ? { latencyPercent: settings.latencyPercent, throughputPercent: settings.latencyPercent }
        : {}),
      ...(settings.sharePoints !== undefined ? { sharePoints: settings.sharePoints } : {}),
    },
    failOnRegression: values['fail-on-regression'],
    cost: settings.cost.profile ? { ...settings.cost, bytesWritten: resultBytes(settings.dir) } : settings.cost,
  });
  mkdirSync(settings.out, { recursive: true });
  for (const [name, text] of Object.entries(assembled.files)) writeFileSync(path.join(settings.out, name), text);
  printSummary(assembled, io);
  const names = Object.keys(assembled.files);
  if (values['jmeter-dashboard']) {
    const dashboard = await writeJmeterDashboard({
      files: resultFiles(settings.dir),
      outDir: settings.out,
      home: await ensureJmeter(io.log),
    });
    names.push(`${JMETER_DASHBOARD_DIR}/index.html (${dashboard.samples.toLocaleString('en-US')} samples)`);
  }
  io.log(`wrote ${rel(path.join(settings.out, names[0]))}, ${names.slice(1).join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return assembled.failures.length > 0 ? 1 : 0;
}
