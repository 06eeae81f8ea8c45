/**
 * What a run cost, from what it recorded, with the same prices as the estimate. Task times come
 * from the state machine's record (each task's start and stop) when given; otherwise from the
 * shard's results file (first and last sample), plus `cost.startUpSec` for the time a task is
 * billed before its first sample. The report's shard table has that shape already.
 */
import {
  costLine,
  GB,
  REPORT_STEP,
  S3_PER_SHARD,
  REPORT_PUTS,
  TRANSITIONS_PER_RUN,
  TRANSITIONS_PER_SHARD,
  type CostLine,
} from './estimate';
import type { PriceTable } from './prices';
import type { CostInputs } from './profile';
import type { TaskSize } from '../ratelimits/capacity';

export interface RecordedShard {
  /** First sample (ISO time), or the task's start when `fromTaskRecord`. */
  readonly start: string | null;
  /** Last sample, or the task's stop. */
  readonly end: string | null;
  readonly requests: number;
}

export interface RecordedRun {
  readonly shards: readonly RecordedShard[];
  /** True when start/end are the tasks' own times (no start-up allowance is added). */
  readonly fromTaskRecord?: boolean;
  /** Lambda invocations and GB-seconds recorded; default: the report step alone. */
  readonly lambda?: { readonly invocations: number; readonly gbSeconds: number };
  /** Bytes the run wrote to S3 (results, logs, report); default: requests x cost.resultBytesPerRequest. */
  readonly bytesWritten?: number;
  /** The task size the shards ran on (the scenario plan's `task`); default: runners.cpu and memoryMiB. */
  readonly task?: TaskSize;
}

export interface ActualCost {
  readonly lines: readonly CostLine[];
  readonly usd: number;
  /** Billed task seconds per shard, as counted. */
  readonly taskSeconds: readonly number[];
  /** Shards without a start or end time: billed nothing, named in the report's warnings. */
  readonly shardsWithoutTimes: number;
}

const seconds = (s: RecordedShard): number | undefined =>
  s.start && s.end ? Math.max(0, (Date.parse(s.end) - Date.parse(s.start)) / 1000) : undefined;

function fixedTask(env: Pick<CostInputs, 'runners' | 'cost'>): TaskSize {
  const { cpu, memoryMiB } = env.runners;
  if (cpu === undefined || memoryMiB === undefined) {
    throw new Error("actualCost: the run needs its task size (the scenario plan's task) when runners.cpu and memoryMiB are not set");
  }
  return { cpu, memoryMiB };
}

export function actualCost(run: RecordedRun, env: Pick<CostInputs, 'runners' | 'cost'>, prices: PriceTable): ActualCost {
  const allowance = run.fromTaskRecord ? 0 : env.cost.startUpSec;
  const measured = run.shards.map(seconds);
  const taskSeconds = measured.map((s) => (s === undefined ? 0 : s + allowance));
  const hours = taskSeconds.reduce((a, b) => a + b, 0) / 3600;
  const shards = run.shards.length;
  const requests = run.shards.reduce((a, s) => a + s.requests, 0);
  const lambda = run.lambda ?? { invocations: 1, gbSeconds: REPORT_STEP.memoryGb * REPORT_STEP.seconds };
  const storedGb = (run.bytesWritten ?? requests * env.cost.resultBytesPerRequest) / GB;
  const logGb = (hours * 60 * env.cost.logBytesPerShardMinute) / GB;
  const puts = shards * S3_PER_SHARD.puts + REPORT_PUTS;
  const gets = shards * S3_PER_SHARD.gets + shards;
  const spot = env.runners.fargateSpot;
  const task = run.task ?? fixedTask(env);
  const lines = [
    costLine(prices, spot ? 'fargateSpotVcpuHour' : 'fargateVcpuHour', 'Fargate vCPU: task time x vCPU', hours * (task.cpu / 1024)),
    costLine(prices, spot ? 'fargateSpotGbHour' : 'fargateGbHour', 'Fargate memory: task time x GB', hours * (task.memoryMiB / 1024)),
    costLine(prices, 'publicIpv4Hour', "tasks' public IPv4 addresses", hours),
    costLine(prices, 'stepFunctionsTransitions', 'state transitions', TRANSITIONS_PER_RUN + TRANSITIONS_PER_SHARD * shards),
    costLine(prices, 'lambdaRequests', 'Lambda invocations', lambda.invocations),
    costLine(prices, 'lambdaGbSecond', 'Lambda GB-seconds', lambda.gbSeconds),
    costLine(prices, 's3PutRequests', 'objects written', puts),
    costLine(prices, 's3GetRequests', 'objects read', gets),
    costLine(prices, 's3GbMonth', 'bytes written, kept one month', storedGb),
    costLine(prices, 'logsIngestionGb', "shards' CloudWatch Logs", logGb),
    costLine(prices, 'dataTransferOutGb', 'requests sent to Genesys Cloud', (requests * env.cost.requestBytes) / GB),
    costLine(prices, 'secretsManagerCalls', 'secret reads', shards),
    costLine(prices, 'kmsRequests', 'decrypts and data keys', shards + puts + gets),
  ];
  return {
    lines,
    usd: lines.reduce((sum, l) => sum + l.usd, 0),
    taskSeconds,
    shardsWithoutTimes: measured.filter((s) => s === undefined).length,
  };
}
