/**
 * The rate-budget planner: turns an environment's load profile into the counts every stack
 * reads (OAuth clients, shards, tokens per shard, worker concurrency) and a verdict per
 * scenario. Pure TypeScript with no cdktf imports, so CLIs, the simulator and tests share it.
 *
 * The model: a scenario's virtual users are spread evenly over `shards` (Fargate tasks); each
 * shard has its own OAuth client and `tokensPerShard` client-credentials tokens, used round
 * robin. A token may carry `client.credentials.token.rate.per.minute`; a client (all its tokens)
 * `org.app.user.rate.per.minute`. Rate limits keep `headroomPercent` free; counts and
 * concurrency caps (channels, bulk jobs) are used as published, since going over them fails
 * outright instead of slowing down.
 */
import { ConfigError } from '../config/errors';
import type { EnvironmentFile, ScenarioConfig } from '../config/schema';
import { estimateCost } from '../cost/estimate';
import { guardScenarios, guardStanding } from '../cost/guard';
import { priceTable } from '../cost/prices';
import { endpointLimitSpecs } from './endpoint-limits';
import { resolveEndpoints } from './endpoints';
import { findLimit, resolveLimits } from './catalogue';
import {
  ANALYTICS_JOBS_LIMIT,
  CHANNELS_LIMIT,
  CLIENT_LIMIT,
  GENERIC_TOKEN_LIMIT,
  LIMIT_CATALOGUE,
  RECORDING_JOBS_LIMIT,
  TOKEN_CREATION_LIMIT,
  TOKEN_LIMIT,
} from '../genesys-facts/limits';
import { budgetFix, describeUse, fmt, plural } from './messages';
import {
  ceil,
  endpointRates,
  onlyAssumed,
  round1,
  tokenWindowMin,
  usable,
  type RateBudget,
  type Context,
  type Finding,
  type PlanOptions,
  type RunnerClientSlot,
  type ScenarioPlan,
  type Sizing,
  type TokenCreationCheck,
  type Verdict,
  type WorkerPlan,
} from './model';
import { evaluate, planWorker } from './sizing';
import { DEFAULT_REQUESTS_PER_SEC_PER_VCPU } from './capacity';
import { pickTaskSize, type Picked } from './task-size';

function tokenCreationCheck(sizing: Sizing, ctx: Context, rampUpSec: number): TokenCreationCheck {
  const overMinutes = tokenWindowMin(rampUpSec);
  return {
    tokensPerClient: sizing.tokensPerShard,
    overMinutes,
    tokensPerMinute: sizing.tokensPerShard / overMinutes,
    allowedPerMinute: ctx.creation.value,
    usablePerMinute: usable(ctx.creation, ctx.headroom),
    assumption:
      `each OAuth client's ${plural(sizing.tokensPerShard, 'token')} are created over the ${rampUpSec} s ramp-up` +
      (rampUpSec < 60 ? ' (counted as one minute: a ramp-up under 60 s)' : ` (${round1(overMinutes)} min)`) +
      `: ${round1(sizing.tokensPerShard / overMinutes)} tokens/min vs ${round1(usable(ctx.creation, ctx.headroom))} allowed` +
      (ctx.creation.confidence === 'unconfirmed' && !ctx.creation.overridden
        ? ` (${ctx.creation.name} = ${ctx.creation.value} is UNCONFIRMED)`
        : ''),
  };
}

/** Findings about the sizing: over budget, unconfirmed limits no sizing can fix, too many clients. */
function sizingFindings(s: ScenarioConfig, ctx: Context, plan: { sizing: Sizing; recommended: Sizing; fixed: boolean }): Finding[] {
  const { sizing } = plan;
  const findings: Finding[] = [];
  const throttled = s.expectThrottling;
  if (!sizing.withinBudget) {
    const over = sizing.uses.filter((u) => !u.withinBudget);
    const b = sizing.binding;
    const also = over.filter((u) => u !== b).map((u) => describeUse(u, ctx.headroomPercent));
    findings.push({
      severity: throttled ? 'warning' : 'error',
      code: 'over-budget',
      limit: b.limit,
      message: `${describeUse(b, ctx.headroomPercent)} with ${plural(sizing.shards, 'shard')} x ${plural(sizing.tokensPerShard, 'token')}${also.length ? `; also over: ${also.join('; ')}` : ''}. Fix: ${budgetFix(s, plan, ctx.limits)}`,
    });
  }
  for (const u of sizing.uses.filter((x) => onlyAssumed(x) && !x.withinBudget)) {
    findings.push({
      severity: 'warning',
      code: 'unconfirmed-limit',
      limit: u.limit,
      // Short: the budget guard lists these one per line under a pointer to npm run preflight.
      message: `genesys.limits.${u.limit} = ${fmt(u.allowed)} (unconfirmed default): the scenario needs ${fmt(u.demand)} ${u.unit} per ${u.per}${u.usable < u.allowed ? `, ${fmt(u.usable)} usable` : ''}`,
    });
  }
  if (sizing.clients > ctx.maxRunnerClients) {
    findings.push({
      severity: throttled ? 'warning' : 'error',
      code: 'client-cap',
      message: `needs ${sizing.clients} OAuth clients (one per shard) but genesys.maxRunnerClients is ${ctx.maxRunnerClients}; raise genesys.maxRunnerClients or lower the rate`,
    });
  }
  return findings;
}

/** Each shard's OAuth client, tokens, threads and target rate: threads spread evenly, the first `extra` shards take one more. */
function shardSlots(s: ScenarioConfig, sizing: Sizing, firstClientIndex: number): RunnerClientSlot[] {
  const base = Math.floor(s.virtualUsers / sizing.shards);
  const extra = s.virtualUsers % sizing.shards;
  return Array.from({ length: sizing.clients }, (_, shard) => {
    const threads = base + (shard < extra ? 1 : 0);
    return {
      index: firstClientIndex + shard,
      scenario: s.name,
      shard,
      tokens: sizing.tokensPerShard,
      threads,
      targetRequestsPerMinute: threads * s.requestsPerUserPerMinute,
    };
  });
}

/** fixedSizing asks more of each shard than the task size carries: the run falls short of its rate. */
function capacityFindings(s: ScenarioConfig, picked: Picked): Finding[] {
  if (!picked.overCapacity) return [];
  const { task, sizing } = picked;
  return [
    {
      severity: 'warning',
      code: 'shard-capacity',
      message: `fixedSizing gives each shard ${round1(sizing.perShardRequestsPerMinute)} requests/min and ${ceil(s.virtualUsers / sizing.shards)} threads, but a ${task.cpu}/${task.memoryMiB} task carries ${round1(task.capacity.requestsPerMinute)} requests/min and ${task.capacity.threads} threads (lib/ratelimits/capacity.ts); raise fixedSizing.shards or runners.cpu`,
    },
  ];
}

function planScenario(s: ScenarioConfig, index: number, ctx: Context, firstClientIndex: number): ScenarioPlan {
  const rate = s.virtualUsers * s.requestsPerUserPerMinute;
  const rampUpSec = s.rampUpSec ?? Math.floor(s.durationSec / 10);
  const picked = pickTaskSize(s, ctx, rampUpSec);
  const { sizing, recommended } = picked;
  const fixed = s.fixedSizing !== undefined;
  const naive = evaluate(s, ctx, rampUpSec, 1, 1);
  const resolved = resolveEndpoints(s);
  const findings: Finding[] = [
    ...resolved.findings.map((f) => ({ severity: f.severity, code: f.code, message: f.message, endpoint: f.index })),
    ...sizingFindings(s, ctx, { sizing, recommended, fixed }),
    ...capacityFindings(s, picked),
  ];
  const invalid = findings.some((f) => f.code === 'nonexistent-endpoint' || f.code === 'unknown-endpoint');
  const hasError = findings.some((f) => f.severity === 'error');
  const overAtAll = !sizing.withinBudget || sizing.clients > ctx.maxRunnerClients;
  const verdict: Verdict = invalid ? 'invalid' : hasError ? 'over-budget' : overAtAll ? 'throttling-expected' : 'ok';
  return {
    name: s.name,
    index,
    description: s.description,
    virtualUsers: s.virtualUsers,
    requestsPerMinute: rate,
    perThreadRequestsPerMinute: s.requestsPerUserPerMinute,
    endpointRates: endpointRates(s, rate),
    endpoints: resolved.endpoints,
    durationSec: s.durationSec,
    rampUpSec,
    sizing,
    recommended,
    naive,
    fixed,
    tokenCreation: tokenCreationCheck(sizing, ctx, rampUpSec),
    task: picked.task,
    threadsPerShard: Math.ceil(s.virtualUsers / sizing.shards),
    firstClientIndex,
    shards: shardSlots(s, sizing, firstClientIndex),
    expectThrottling: s.expectThrottling,
    findings,
    verdict,
  };
}

/** Environment-level findings: the metadata worker's budget and batch time, and the client pool. */
function environmentFindings(
  env: EnvironmentFile,
  ctx: Context,
  metadataWorker: WorkerPlan,
  scenarios: readonly ScenarioPlan[],
): Finding[] {
  const findings: Finding[] = [];
  const cfg = env.pipeline;
  if (!metadataWorker.withinBudget) {
    findings.push({
      severity: 'error',
      code: 'pipeline-over-budget',
      limit: CLIENT_LIMIT,
      message: `pipeline: ${metadataWorker.neededRequestsPerMinute} requests/min (pipeline.expectedEventsPerMinute x pipeline.callsPerEvent) exceeds the metadata worker's OAuth client allowance of ${round1(usable(ctx.client, ctx.headroom))}/min (${ctx.client.value} less ${ctx.headroomPercent} % headroom); lower pipeline.expectedEventsPerMinute or callsPerEvent, or raise ${CLIENT_LIMIT}`,
    });
  }
  // One batch must fit comfortably in one invocation at the paced rate.
  const metaRate = metadataWorker.requestsPerMinutePerInvocation;
  const batchSeconds = (cfg.batchSize * cfg.callsPerEvent * 60) / metaRate;
  if (batchSeconds > cfg.workerTimeoutSec * 0.8) {
    findings.push({
      severity: 'error',
      code: 'pipeline-batch-too-slow',
      message: `pipeline.batchSize ${cfg.batchSize} x callsPerEvent ${cfg.callsPerEvent} at ${round2(metaRate)} requests/min per invocation takes ${round2(batchSeconds)} s, over 80 % of pipeline.workerTimeoutSec ${cfg.workerTimeoutSec}; lower pipeline.batchSize to ${Math.max(1, Math.floor((cfg.workerTimeoutSec * 0.8 * metaRate) / 60 / cfg.callsPerEvent))} or raise pipeline.workerTimeoutSec`,
    });
  }
  const clients = scenarios.reduce((sum, s) => sum + s.sizing.clients, 0);
  if (clients > ctx.maxRunnerClients && scenarios.every((s) => s.sizing.clients <= ctx.maxRunnerClients)) {
    findings.push({
      severity: 'error',
      code: 'client-cap',
      message: `the scenarios need ${clients} runner OAuth clients in all (one per shard) but genesys.maxRunnerClients is ${ctx.maxRunnerClients}; raise genesys.maxRunnerClients or split the scenarios over environments`,
    });
  }
  return findings;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Plans the whole environment. Pure: the same file always gives the same plan. */
export function planBudget(env: EnvironmentFile, options: PlanOptions = {}): RateBudget {
  const catalogue = [...(options.catalogue ?? LIMIT_CATALOGUE), ...endpointLimitSpecs(env.genesys.endpointLimits ?? [])];
  const limits = resolveLimits(env.genesys.limits, catalogue);
  // Both token limits apply to a client-credentials token: the lower one binds.
  const clientCredentials = findLimit(limits, TOKEN_LIMIT);
  const generic = findLimit(limits, GENERIC_TOKEN_LIMIT);
  const headroomPercent = env.loadProfile.headroomPercent;
  const ctx: Context = {
    limits,
    headroom: headroomPercent / 100,
    headroomPercent,
    token: generic.value < clientCredentials.value ? generic : clientCredentials,
    client: findLimit(limits, CLIENT_LIMIT),
    creation: findLimit(limits, TOKEN_CREATION_LIMIT),
    channels: findLimit(limits, CHANNELS_LIMIT),
    recordingJobs: findLimit(limits, RECORDING_JOBS_LIMIT),
    analyticsJobs: findLimit(limits, ANALYTICS_JOBS_LIMIT),
    minShards: env.loadProfile.shards,
    // Set per task size by the picker (task-size.ts); these stand for "no cap" elsewhere.
    maxThreadsPerShard: Number.POSITIVE_INFINITY,
    maxRunnerClients: env.genesys.maxRunnerClients,
    capacity: {
      requestsPerSecondPerVcpu: env.runners.requestsPerSecondPerVcpu ?? DEFAULT_REQUESTS_PER_SEC_PER_VCPU,
      maxThreadsPerShard: env.loadProfile.maxThreadsPerShard,
    },
    fixedCpu: env.runners.cpu,
    fixedMemoryMiB: env.runners.memoryMiB,
  };
  const usablePerToken = usable(ctx.token, ctx.headroom);
  const usablePerClient = usable(ctx.client, ctx.headroom);

  let nextClient = 0;
  const rated = env.loadProfile.scenarios.map((s, index) => {
    const plan = planScenario(s, index, ctx, nextClient);
    nextClient += plan.sizing.clients;
    return plan;
  });
  const cost = estimateCost(env, rated, nextClient, priceTable(env.aws.region, env.cost.prices));
  const scenarios = guardScenarios(env, rated, cost);

  // Both workers are fed by SQS event source mappings, whose maximum concurrency is at least 2.
  const metadataWorker = planWorker(env.pipeline.expectedEventsPerMinute * env.pipeline.callsPerEvent, usablePerToken, usablePerClient, 2);
  // Report jobs: one submission, status polls and result pages; the minimum concurrency is plenty.
  const reportWorker = planWorker(Math.min(usablePerToken, 60), usablePerToken, usablePerClient, 2);
  const findings = [...environmentFindings(env, ctx, metadataWorker, scenarios), ...guardStanding(env, cost.standing)];
  const ok =
    findings.every((f) => f.severity !== 'error') && scenarios.every((s) => s.verdict === 'ok' || s.verdict === 'throttling-expected');
  return {
    environment: env.name,
    headroomPercent,
    limits,
    usablePerToken,
    usablePerClient,
    scenarios,
    runnerClients: nextClient,
    metadataWorker,
    reportWorker,
    totals: {
      requestsPerMinute: scenarios.reduce((sum, s) => sum + s.requestsPerMinute, 0),
      shards: scenarios.reduce((sum, s) => sum + s.sizing.shards, 0),
      tokens: scenarios.reduce((sum, s) => sum + s.sizing.tokens, 0),
    },
    cost,
    findings,
    ok,
  };
}

/**
 * The single place the Genesys stack (how many OAuth clients, and for whom) and the runners
 * (which secret each shard reads, its threads and target throughput) get their counts from.
 */
export function runnerClientSlots(plan: RateBudget): RunnerClientSlot[] {
  return plan.scenarios.flatMap((s) => s.shards);
}

/**
 * The plan of one scenario by name: how every consumer (generator, rehearsals, runners, commands)
 * finds its scenario. ConfigError naming `flag` and the known scenarios when there is none.
 */
export function scenarioPlan(plan: RateBudget, name: string, flag = '--scenario'): ScenarioPlan {
  const found = plan.scenarios.find((s) => s.name === name);
  if (!found) {
    throw new ConfigError([
      `${flag}: no scenario ${JSON.stringify(name)} in environment ${plan.environment}; choose one of ${plan.scenarios.map((s) => s.name).join(', ')}`,
    ]);
  }
  return found;
}
