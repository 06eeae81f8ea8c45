/**
 * The run's AWS cost in the report: the estimate of the run as planned beside its actual cost
 * from what it recorded, line by line, at the same price table (lib/cost, docs/cost.md). Pure:
 * the report and what the caller knows (the environment's cost profile, the tasks' record, the
 * bytes and invocations it counted) in, figures out.
 */
import { actualCost, type RecordedShard } from '../../lib/cost/actual';
import { estimateScenario, REPORT_STEP, type CostLine, type RunPlan } from '../../lib/cost/estimate';
import type { CostProfile } from '../../lib/cost/profile';
import { priceTable, type PriceTable } from '../../lib/cost/prices';
import type { ShardTaskRecord } from '../../lib/contracts/report-step';
import type { Report } from './model';
import type { TaskSize } from '../../lib/ratelimits/capacity';

/** One shard's task from the state machine's record: what Fargate billed (ISO times). */
export interface TaskTimes {
  readonly shard: number;
  readonly start: string | null;
  readonly end: string | null;
}

/** What the caller of the report assembly knows about the run's cost. */
export interface CostRequest {
  /** The environment's cost figures; absent: the cost is unknown, and `unknown` says why. */
  readonly profile?: CostProfile;
  readonly unknown?: string;
  /** The tasks' own times (the report step has them; a results folder has not). */
  readonly tasks?: readonly TaskTimes[];
  /** Lambda invocations and GB-seconds counted (the report step measures its own run). */
  readonly lambda?: { readonly invocations: number; readonly gbSeconds: number };
  /** Bytes of the results files read. */
  readonly bytesWritten?: number;
}

export interface CostFigures {
  readonly usd: number;
  readonly lines: readonly CostLine[];
  /** Where the quantities come from, in words. */
  readonly basis: string;
}

export interface ReportCost {
  readonly environment?: string;
  /** The price table of both figures: region, date, overridden lines; each line names its AWS page. */
  readonly prices?: { readonly region: string; readonly date: string; readonly overridden: readonly string[]; readonly reference: string };
  /** The run as planned (plan summary: shards, length, rate); null without a plan summary. */
  readonly estimate?: CostFigures | null;
  readonly actual?: CostFigures & { readonly taskSeconds: readonly number[]; readonly shardsWithoutTimes: number };
  /** Why there is no cost (the report does not know the environment, or its prices). */
  readonly unknown?: string;
  readonly notes?: readonly string[];
}

export const COST_UNKNOWN = 'cost: unknown — pass --env <environment> (the environment file has the region and prices)';

/** The run as planned, rebuilt from the plan summary the report read. */
/** The shards' task: the plan summary's, else the environment's fixed runners.cpu / memoryMiB. */
function shardTask(report: Report, profile: CostProfile): TaskSize | undefined {
  if (report.target?.task) return report.target.task;
  const { cpu, memoryMiB } = profile.runners;
  return cpu !== undefined && memoryMiB !== undefined ? { cpu, memoryMiB } : undefined;
}

function plannedRun(report: Report, task: TaskSize): RunPlan | undefined {
  const t = report.target;
  if (!t || t.source === '--target-rpm') return undefined;
  return {
    name: t.scenario ?? report.testId,
    task,
    durationSec: t.durationSec ?? report.window.durationSec,
    requestsPerMinute: t.requestsPerMinute,
    sizing: { shards: t.shards ?? report.shards.length },
  };
}

/** The shards as billed: the tasks' record when it has every time, else each shard's samples. */
function recordedShards(report: Report, tasks: readonly TaskTimes[] | undefined): { shards: RecordedShard[]; fromTaskRecord: boolean } {
  const fromTasks = tasks !== undefined && tasks.length > 0 && tasks.every((t) => t.start !== null && t.end !== null);
  if (!fromTasks)
    return { shards: report.shards.map((s) => ({ start: s.start, end: s.end, requests: s.requests })), fromTaskRecord: false };
  const requests = new Map(report.shards.map((s) => [s.name, s.requests]));
  const shards = tasks.map((t) => ({ start: t.start, end: t.end, requests: requests.get(`shard-${t.shard}`) ?? 0 }));
  // Results of a shard the record does not name still crossed the network: keep the total whole.
  const unmatched = report.shards.reduce((a, s) => a + s.requests, 0) - shards.reduce((a, s) => a + s.requests, 0);
  if (unmatched > 0) shards[0] = { ...shards[0], requests: shards[0].requests + unmatched };
  return { shards, fromTaskRecord: true };
}

function actualFigures(
  report: Report,
  req: CostRequest,
  profile: CostProfile,
  prices: PriceTable,
  task: TaskSize,
): NonNullable<ReportCost['actual']> {
  const { shards, fromTaskRecord } = recordedShards(report, req.tasks);
  const actual = actualCost({ shards, fromTaskRecord, task, lambda: req.lambda, bytesWritten: req.bytesWritten }, profile, prices);
  const basis = [
    fromTaskRecord
      ? "task times from the state machine's record (image pull to stop)"
      : `task times: each shard's first to last sample plus cost.startUpSec (${profile.cost.startUpSec} s)`,
    req.lambda
      ? `Lambda: ${req.lambda.invocations} invocation(s) measured`
      : `Lambda: the report step, assumed ${REPORT_STEP.memoryGb} GB x ${REPORT_STEP.seconds} s`,
    req.bytesWritten !== undefined ? 'bytes: the results files' : 'bytes: requests x cost.resultBytesPerRequest',
  ].join('; ');
  return { usd: actual.usd, lines: actual.lines, basis, taskSeconds: actual.taskSeconds, shardsWithoutTimes: actual.shardsWithoutTimes };
}

/** The notes under the figures: what the actual cost cannot see. */
function costNotes(estimate: CostFigures | null, actual: NonNullable<ReportCost['actual']>): string[] {
  const notes: string[] = [];
  const counted = new Set(actual.lines.map((l) => l.key));
  const onlyEstimated = (estimate?.lines ?? []).filter((l) => !counted.has(l.key)).map((l) => l.key);
  if (onlyEstimated.length > 0)
    notes.push(
      `the event pipeline (its workers' invocations, metadata objects, queue and events) and log storage are not recorded by the run: estimate only (${onlyEstimated.join(', ')} and part of the Lambda, S3 and KMS lines)`,
    );
  if (actual.shardsWithoutTimes > 0) notes.push(`${actual.shardsWithoutTimes} shard(s) without start or end time: billed nothing`);
  if (estimate === null) notes.push('no estimate: the report has no test plan summary (--jmx-summary) to rebuild the planned run from');
  return notes;
}

/** The cost section of report.json: the estimate and the actual cost, or why the cost is unknown. */
export function reportCost(report: Report, req: CostRequest | undefined): ReportCost {
  const profile = req?.profile;
  if (!profile) return { unknown: req?.unknown ?? COST_UNKNOWN };
  let prices: PriceTable;
  try {
    prices = priceTable(profile.region, profile.prices);
  } catch (err) {
    return { environment: profile.environment, unknown: `cost: unknown — ${err instanceof Error ? err.message : String(err)}` };
  }
  const task = shardTask(report, profile);
  if (!task)
    return {
      environment: profile.environment,
      unknown:
        'cost: unknown — the plan summary names no task size and runners.cpu / memoryMiB are not set: regenerate the plan (npm run jmx) or set both',
    };
  const planned = plannedRun(report, task);
  const estimate = planned
    ? (() => {
        const s = estimateScenario(planned, profile, prices);
        const basis = `the run as planned: ${planned.sizing.shards} shard(s) x ${planned.durationSec} s at ${planned.requestsPerMinute} requests/min (${report.target?.source})`;
        return { usd: s.usd, lines: s.lines, basis };
      })()
    : null;
  const actual = actualFigures(report, req, profile, prices, task);
  return {
    environment: profile.environment,
    prices: { region: prices.region, date: prices.date, overridden: prices.overridden, reference: 'lib/cost/prices.ts, docs/cost.md' },
    estimate,
    actual,
    notes: costNotes(estimate, actual),
  };
}

/** A time of the state machine's record (epoch ms from Step Functions, or ISO) as ISO; null when absent or unreadable. */
export function recordTime(value: unknown): string | null {
  const ms = typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : null;
}

/** Fargate bills from the image pull (else the task's start) to its stop. */
export const taskTimes = (tasks: readonly ShardTaskRecord[]): TaskTimes[] =>
  tasks.map((t) => ({ shard: t.shard, start: recordTime(t.pullStartedAt ?? t.startedAt), end: recordTime(t.stoppedAt) }));

/**
 * The state machine's record as saved from the console or the CLI: RunShards' output
 * `{ shards: [...] }`, the report step's input `{ tasks: [...] }`, or the list itself. An Error
 * names the first bad field.
 */
export function taskRecordFromJson(value: unknown, source: string): TaskTimes[] {
  const v = value as { shards?: unknown; tasks?: unknown } | null;
  const list = Array.isArray(value) ? value : (v?.shards ?? v?.tasks);
  if (!Array.isArray(list))
    throw new Error(
      `${source}: expected RunShards' output { "shards": [ { "shard": 0, "pullStartedAt": ..., "stoppedAt": ... } ] } or that list`,
    );
  list.forEach((t: { shard?: unknown } | null, i) => {
    if (!Number.isInteger(t?.shard) || (t!.shard as number) < 0)
      throw new Error(`${source}: [${i}].shard must be the shard's index (an integer >= 0)`);
  });
  return taskTimes(list as ShardTaskRecord[]);
}
