/**
 * What a run of each scenario costs, before it starts, and what the environment costs per day
 * while idle. Pure: the plan, the environment file and a price table in, figures out. The
 * quantities and their assumptions are spelled out in docs/cost.md, which a test ties to this.
 */
import type { EnvironmentFile } from '../config/schema';
import { PRICE_KEYS, type PriceKey } from '../config/cost-schema';
import type { ScenarioPlan } from '../ratelimits/model';
import { priceOf, type PriceLine, type PriceTable } from './prices';
import type { CostInputs } from './profile';
import type { TaskSize } from '../ratelimits/capacity';

/** What the estimate of one run reads of a scenario plan (a report rebuilds it from the plan summary). */
export type RunPlan = Pick<ScenarioPlan, 'name' | 'durationSec' | 'requestsPerMinute'> & {
  /** The shards' Fargate task (the scenario plan's `task`). */
  readonly task: TaskSize;
  readonly sizing: Pick<ScenarioPlan['sizing'], 'shards'>;
};

export interface CostLine {
  readonly key: PriceKey;
  /** What is counted, in words. */
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  /** USD per one unit. */
  readonly unitPrice: number;
  readonly usd: number;
  readonly source: string;
  readonly read: string;
  readonly confidence: PriceLine['confidence'];
}

export interface ScenarioCost {
  readonly scenario: string;
  readonly lines: readonly CostLine[];
  readonly usd: number;
  /** The line that costs most. */
  readonly biggest: CostLine;
}

export interface StandingCost {
  readonly lines: readonly CostLine[];
  readonly usdPerDay: number;
}

export interface CostEstimate {
  readonly region: string;
  /** The price table used: its region, date and the lines the environment overrode. */
  readonly prices: {
    readonly region: string;
    readonly date: string;
    readonly overridden: readonly PriceKey[];
    /** Lines taken on trust: written from memory, never checked against the region's pricing page. */
    readonly unverified: readonly PriceKey[];
  };
  readonly scenarios: readonly ScenarioCost[];
  readonly standing: StandingCost;
}

/**
 * Step Functions transitions of one successful execution, counted on lib/runners/definition.ts:
 * Setup, CheckInput, Prepare, RunShards, Report, RequestAnalytics, Succeeded, plus RunShard once
 * per shard. __tests__/cost walks the definition and fails when this count drifts.
 */
export const TRANSITIONS_PER_RUN = 7;
export const TRANSITIONS_PER_SHARD = 1;

/** The report step (lib/runners/state-machine.ts reportMemoryMiB default) and its assumed run time. */
export const REPORT_STEP = { memoryGb: 2, seconds: 60 } as const;
/** The pipeline's workers (lib/lambda default memory) and the assumed seconds per Genesys call. */
export const WORKER = { memoryGb: 0.25, secondsPerCall: 0.25 } as const;
/** S3 objects each shard writes (results, log) and reads (plan, params); the report writes two. */
export const S3_PER_SHARD = { puts: 2, gets: 2 } as const;
export const REPORT_PUTS = 2;
/** SQS requests per batch of events: send, receive, delete. */
export const SQS_PER_BATCH = 3;
/** Customer-managed keys (archive, secrets, pipeline) and alarms the stacks create. */
export const STANDING = { kmsKeys: 3, alarms: 3, workerSecrets: 2 } as const;
/** Data kept from a run is priced for one month; a month is 730 hours (AWS's convention). */
export const HOURS_PER_MONTH = 730;
export const GB = 1024 ** 3;

export const costLine = (prices: PriceTable, key: PriceKey, what: string, quantity: number): CostLine => {
  const line = prices.lines[key];
  return {
    key,
    what,
    quantity,
    unit: line.unit,
    unitPrice: line.usd / line.per,
    usd: priceOf(line, quantity),
    source: line.source,
    read: line.read,
    confidence: line.confidence,
  };
};

/** The quantities of one run of a scenario. */
export function runQuantities(s: RunPlan, env: CostInputs): Record<string, number> {
  const c = env.cost;
  const shards = s.sizing.shards;
  const billedHours = (s.durationSec + c.startUpSec) / 3600;
  const minutes = s.durationSec / 60;
  const requests = s.requestsPerMinute * minutes;
  const events = env.pipeline.expectedEventsPerMinute * minutes;
  const batches = Math.ceil(events / env.pipeline.batchSize);
  const resultsGb = (requests * c.resultBytesPerRequest) / GB;
  const recordingsGb = (events * c.recordingBytesPerEvent) / GB;
  return {
    shards,
    requests,
    events,
    // The scenario's task size: picked by the planner, or runners.cpu / memoryMiB.
    vcpuHours: shards * (s.task.cpu / 1024) * billedHours,
    gbHours: shards * (s.task.memoryMiB / 1024) * billedHours,
    ipHours: shards * billedHours,
    transitions: TRANSITIONS_PER_RUN + TRANSITIONS_PER_SHARD * shards,
    invocations: 1 + batches,
    gbSeconds:
      REPORT_STEP.memoryGb * REPORT_STEP.seconds +
      batches * WORKER.memoryGb * WORKER.secondsPerCall * env.pipeline.batchSize * env.pipeline.callsPerEvent,
    puts: shards * S3_PER_SHARD.puts + REPORT_PUTS + events,
    gets: shards * S3_PER_SHARD.gets + shards,
    storedGbMonths: resultsGb + recordingsGb,
    logGb: (shards * minutes * c.logBytesPerShardMinute) / GB,
    outGb: (requests * c.requestBytes) / GB,
    secretCalls: shards,
    sqsRequests: batches * SQS_PER_BATCH,
  };
}

/** One run of one scenario, line by line. */
export function estimateScenario(s: RunPlan, env: CostInputs, prices: PriceTable): ScenarioCost {
  const q = runQuantities(s, env);
  const spot = env.runners.fargateSpot;
  const lines = [
    costLine(prices, spot ? 'fargateSpotVcpuHour' : 'fargateVcpuHour', 'Fargate vCPU: shards x vCPU x (duration + start-up)', q.vcpuHours),
    costLine(prices, spot ? 'fargateSpotGbHour' : 'fargateGbHour', 'Fargate memory: shards x GB x (duration + start-up)', q.gbHours),
    costLine(prices, 'publicIpv4Hour', "shards' public IPv4 addresses", q.ipHours),
    costLine(prices, 'stepFunctionsTransitions', 'state transitions of one execution', q.transitions),
    costLine(prices, 'lambdaRequests', 'report step + pipeline worker invocations', q.invocations),
    costLine(prices, 'lambdaGbSecond', 'report step + pipeline worker GB-seconds', q.gbSeconds),
    costLine(prices, 's3PutRequests', 'results, logs, report and metadata objects written', q.puts),
    costLine(prices, 's3GetRequests', 'plans and params read; results merged', q.gets),
    costLine(prices, 's3GbMonth', 'results and recordings kept one month', q.storedGbMonths),
    costLine(prices, 'logsIngestionGb', "shards' CloudWatch Logs", q.logGb),
    costLine(prices, 'logsStorageGbMonth', 'those logs kept one month', q.logGb),
    costLine(prices, 'dataTransferOutGb', 'requests sent to Genesys Cloud', q.outGb),
    costLine(prices, 'secretsManagerCalls', 'each shard reads its OAuth client secret', q.secretCalls),
    costLine(prices, 'kmsRequests', 'decrypts and data keys (secrets, S3 objects)', q.secretCalls + q.puts + q.gets),
    costLine(prices, 'sqsRequests', 'pipeline queue: send, receive, delete per batch', q.sqsRequests),
    costLine(prices, 'eventBridgeEvents', 'Genesys events through the event bus', q.events),
  ];
  const usd = lines.reduce((sum, l) => sum + l.usd, 0);
  const biggest = lines.reduce((a, b) => (b.usd > a.usd ? b : a));
  return { scenario: s.name, lines, usd, biggest };
}

/** What the environment costs per day with no test running. */
export function estimateStanding(env: EnvironmentFile, runnerClients: number, prices: PriceTable): StandingCost {
  const month = 24 / HOURS_PER_MONTH;
  const lines = [
    costLine(prices, 'kmsKeyMonth', 'customer-managed keys (archive, secrets, pipeline)', STANDING.kmsKeys * month),
    costLine(prices, 'secretMonth', 'OAuth client secrets (runners + workers)', (runnerClients + STANDING.workerSecrets) * month),
    costLine(prices, 'alarmMonth', 'CloudWatch alarms', STANDING.alarms * month),
    costLine(prices, 'logsStorageGbMonth', 'logs kept (cost.logGb)', env.cost.logGb * month),
    costLine(prices, 's3GbMonth', 'archive and reports kept (cost.archiveGb)', env.cost.archiveGb * month),
  ];
  return { lines, usdPerDay: lines.reduce((sum, l) => sum + l.usd, 0) };
}

export function estimateCost(
  env: EnvironmentFile,
  scenarios: readonly ScenarioPlan[],
  runnerClients: number,
  prices: PriceTable,
): CostEstimate {
  return {
    region: prices.region,
    prices: {
      region: prices.region,
      date: prices.date,
      overridden: prices.overridden,
      unverified: PRICE_KEYS.filter((k) => prices.lines[k].confidence === 'unverified'),
    },
    scenarios: scenarios.map((s) => estimateScenario(s, env, prices)),
    standing: estimateStanding(env, runnerClients, prices),
  };
}

/**
 * One launch as `npm run loadtest` starts it: fewer shards than planned run at the same rate
 * each, so the scenario's rate scales with the shards; the duration may be overridden too.
 */
export function estimateLaunch(
  env: EnvironmentFile,
  planned: ScenarioPlan,
  launch: { readonly shards: number; readonly durationSec: number },
  prices: PriceTable,
): ScenarioCost {
  const share = launch.shards / planned.sizing.shards;
  const run: ScenarioPlan = {
    ...planned,
    durationSec: launch.durationSec,
    requestsPerMinute: planned.requestsPerMinute * share,
    sizing: { ...planned.sizing, shards: launch.shards },
  };
  return estimateScenario(run, env, prices);
}
