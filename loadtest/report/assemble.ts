/**
 * The one report assembly, used by `npm run report` (commands/report.ts, files on disk) and the
 * state machine's report step (functions/report-step, objects in S3): read the shards' JTLs →
 * report model → comparison with a baseline → verdict → the files to write (report.json,
 * report.html, junit.xml, comparison.md). Callers only list, open and write.
 */
import type { Readable } from 'node:stream';
import { compareReports, comparisonMarkdown, type CompareThresholds, type Comparison } from './compare';
import { reportCost, type CostRequest } from './cost';
import { renderHtml } from './html';
import { ReportBuilder } from './report';
import type { Report, ReportOptions } from './model';
import { junitXml } from './thresholds';

/** One shard's result file. */
export interface ShardSource {
  /** Shown in progress and errors: a path relative to the results folder, or an S3 key. */
  readonly name: string;
  /** The shard's name in the report (`shard-3`). */
  readonly shard: string;
  /** Streamed: a shard's JTL is never held whole in memory. */
  open(): Promise<Readable | AsyncIterable<Uint8Array | string>>;
}

export interface ReadHooks {
  readonly onShardDone?: (index: number, source: ShardSource, samples: number, skipped: number) => void;
}

/** Reads every source into one builder (the shards in the order given), one streaming pass each. */
export async function readShards(
  sources: readonly ShardSource[],
  hooks: ReadHooks = {},
  options: ReportOptions = {},
): Promise<ReportBuilder> {
  const builder = new ReportBuilder(options);
  for (const [i, source] of sources.entries()) {
    const before = builder.sampleCount;
    const skipped = await builder.read(source.shard, await source.open(), source.name);
    hooks.onShardDone?.(i, source, builder.sampleCount - before, skipped);
  }
  return builder;
}

export interface AssembleRequest extends ReadHooks {
  readonly sources: readonly ShardSource[];
  readonly options: ReportOptions;
  /** Warnings of the caller (partial run, plan summary, shard files), shown before the report's own. */
  readonly warnings?: readonly string[];
  readonly baseline?: Report;
  readonly compareThresholds?: Partial<CompareThresholds>;
  /** A regression beyond the thresholds fails the run too. */
  readonly failOnRegression?: boolean;
  /**
   * What the caller knows of the run's cost (the environment, the tasks' times); absent: unknown.
   * A function is called once the shards are read, so a caller can count its own time.
   */
  readonly cost?: CostRequest | (() => CostRequest);
}

export interface AssembledReport {
  readonly report: Report;
  readonly comparison?: Comparison;
  /** File name → content: report.json, report.html, junit.xml and, with a baseline, comparison.md. */
  readonly files: Readonly<Record<string, string>>;
  /** Why the run failed (empty: it passed). The CLI exits 1 and the report step throws on any. */
  readonly failures: readonly string[];
  readonly samples: number;
}

export async function assembleReport(req: AssembleRequest): Promise<AssembledReport> {
  const builder = await readShards(req.sources, req, req.options);
  const built = builder.build();
  const report: Report = {
    ...built,
    cost: reportCost(built, typeof req.cost === 'function' ? req.cost() : req.cost),
    warnings: [...(req.warnings ?? []), ...built.warnings],
  };
  const comparison = req.baseline ? compareReports(req.baseline, report, req.compareThresholds) : undefined;
  const failures = [...report.verdict.failures];
  if (req.failOnRegression && comparison && comparison.regressions.length > 0)
    failures.push(`worse than ${comparison.baselineTestId} beyond the thresholds: ${comparison.regressions.join(', ')}`);
  const files: Record<string, string> = {
    'report.json': JSON.stringify(comparison ? { ...report, comparison } : report, null, 2) + '\n',
    'report.html': renderHtml(report, { comparison }),
    'junit.xml': junitXml(report.testId, report.verdict, report.totals.requests),
  };
  if (comparison) files['comparison.md'] = comparisonMarkdown(comparison);
  return { report, comparison, files, failures, samples: builder.sampleCount };
}

/** A report.json (schemaVersion 1 or 2) as a baseline; throws an Error saying what is wrong. */
export function parseReportJson(value: unknown, source: string): Report {
  const r = value as Partial<Report> | null;
  if ((r?.schemaVersion !== 1 && r?.schemaVersion !== 2) || !Array.isArray(r.endpoints) || !r.totals)
    throw new Error(`${source} is not a report.json of npm run report (schemaVersion 1 or 2)`);
  return r as Report;
}
