/**
 * The rate-budget planner: turns an environment's load profile into the counts every stack
 * reads (OAuth clients, shards, tokens per shard, worker concurrency) and a verdict per
 * scenario. Pure TypeScript with no cdktf imports, so CLIs, the simulator and tests share it.
 */
import type { EnvironmentFile, ScenarioConfig } from '../config/schema';
import { findEndpoint, nonexistentEndpoint } from '../genesys-api/endpoints';
import { CLIENT_LIMIT, limitValue, resolveLimits, TOKEN_LIMIT, type ResolvedLimit } from './catalogue';

export type Verdict = 'ok' | 'over-budget' | 'throttling-expected' | 'invalid';

export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface LimitUse {
  readonly limit: string;
  /** Requests per minute that land on one unit of the limit's scope (one token, one client). */
  readonly requestsPerMinute: number;
  readonly allowedPerMinute: number;
  /** requestsPerMinute / allowedPerMinute. */
  readonly utilisation: number;
}

export interface Sizing {
  readonly shards: number;
  readonly tokensPerShard: number;
  /** shards x tokensPerShard. */
  readonly tokens: number;
  /** One OAuth client per shard. */
  readonly clients: number;
  readonly perShardRequestsPerMinute: number;
  readonly perTokenRequestsPerMinute: number;
  /** The limit with the highest utilisation. */
  readonly binding: LimitUse;
  readonly uses: readonly LimitUse[];
  readonly withinBudget: boolean;
}

export interface ScenarioPlan {
  readonly name: string;
  readonly virtualUsers: number;
  readonly requestsPerMinute: number;
  readonly durationSec: number;
  readonly rampUpSec: number;
  /** What the planner recommends (or the scenario's fixedSizing). */
  readonly sizing: Sizing;
  /** The same load through one token and one client, as failing tests run it. */
  readonly naive: Sizing;
  /** Threads per shard (virtual users spread evenly). */
  readonly threadsPerShard: number;
  /** Index of this scenario's first runner OAuth client in the environment's pool. */
  readonly firstClientIndex: number;
  readonly expectThrottling: boolean;
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
}

export interface WorkerPlan {
  /** Reserved concurrency, and the event source mapping's maximum concurrency. */
  readonly concurrency: number;
  /** Requests/min the whole worker fleet may make (under one OAuth client). */
  readonly requestsPerMinute: number;
  /** The share of each concurrent invocation (its token bucket rate). */
  readonly requestsPerMinutePerInvocation: number;
  readonly neededRequestsPerMinute: number;
  readonly withinBudget: boolean;
}

export interface BudgetPlan {
  readonly environment: string;
  readonly headroomPercent: number;
  readonly limits: readonly ResolvedLimit[];
  /** Per-token and per-client allowances after headroom. */
  readonly usablePerToken: number;
  readonly usablePerClient: number;
  readonly scenarios: readonly ScenarioPlan[];
  /** Load-runner OAuth clients to create: one per shard across all scenarios (they may run together). */
  readonly runnerClients: number;
  readonly metadataWorker: WorkerPlan;
  readonly reportWorker: WorkerPlan;
  readonly findings: readonly Finding[];
  readonly ok: boolean;
}

const ceil = Math.ceil;

function size(rate: number, shards: number, tokensPerShard: number, tokenLimit: number, clientLimit: number, headroom: number): Sizing {
  const tokens = shards * tokensPerShard;
  const perShard = rate / shards;
  const perToken = rate / tokens;
  const uses: LimitUse[] = [
    { limit: TOKEN_LIMIT, requestsPerMinute: perToken, allowedPerMinute: tokenLimit, utilisation: perToken / tokenLimit },
    { limit: CLIENT_LIMIT, requestsPerMinute: perShard, allowedPerMinute: clientLimit, utilisation: perShard / clientLimit },
  ];
  const binding = uses.reduce((a, b) => (b.utilisation > a.utilisation ? b : a));
  return {
    shards,
    tokensPerShard,
    tokens,
    clients: shards,
    perShardRequestsPerMinute: perShard,
    perTokenRequestsPerMinute: perToken,
    binding,
    uses,
    // A tiny epsilon keeps exact fits (e.g. 240/min on a 240/min allowance) inside the budget.
    withinBudget: binding.utilisation <= 1 - headroom + 1e-9,
  };
}

function endpointFindings(scenario: ScenarioConfig): Finding[] {
  const findings: Finding[] = [];
  for (const ep of scenario.endpoints) {
    const missing = nonexistentEndpoint(ep.path);
    if (missing) {
      findings.push({
        severity: 'error',
        message: `${ep.method} ${ep.path} is not a Genesys Cloud Platform API endpoint; call ${missing.useInstead.join(' or ')} instead`,
      });
      continue;
    }
    const spec = findEndpoint(ep.method, ep.path);
    if (!spec) {
      findings.push({
        severity: 'error',
        message: `${ep.method} ${ep.path} is not in genesys-loadlab's endpoint catalogue (lib/genesys-api/endpoints.ts); add it there with its permissions, or correct the path`,
      });
    } else if (spec.kind === 'recording-metadata') {
      findings.push({
        severity: 'warning',
        message: `${ep.method} ${ep.path} fetches recording metadata synchronously in the load; production gets it from events: let the metadata worker (event pipeline) do it`,
      });
    } else if (spec.kind === 'analytics-query') {
      findings.push({
        severity: 'warning',
        message: `${ep.method} ${ep.path} is the synchronous analytics query, not meant for polling or bulk reads; use POST /api/v2/analytics/conversations/details/jobs (the report worker does)`,
      });
    }
  }
  return findings;
}

function planScenario(
  s: ScenarioConfig,
  env: EnvironmentFile,
  tokenLimit: number,
  clientLimit: number,
  firstClientIndex: number,
): ScenarioPlan {
  const headroom = env.loadProfile.headroomPercent / 100;
  const rate = s.virtualUsers * s.requestsPerUserPerMinute;
  const usableToken = tokenLimit * (1 - headroom);
  const usableClient = clientLimit * (1 - headroom);
  let shards: number;
  let tokensPerShard: number;
  if (s.fixedSizing) {
    ({ shards, tokensPerShard } = s.fixedSizing);
  } else {
    shards = Math.max(env.loadProfile.shards, ceil(rate / usableClient), ceil(s.virtualUsers / env.loadProfile.maxThreadsPerShard));
    tokensPerShard = Math.max(1, ceil(rate / shards / usableToken));
  }
  const sizing = size(rate, shards, tokensPerShard, tokenLimit, clientLimit, headroom);
  const naive = size(rate, 1, 1, tokenLimit, clientLimit, headroom);
  const findings = endpointFindings(s);
  if (!sizing.withinBudget) {
    const b = sizing.binding;
    const fix = s.fixedSizing
      ? `remove fixedSizing to let the planner size it (${ceil(rate / usableClient)}+ shards, ${ceil(rate / usableToken)}+ tokens)`
      : 'lower virtualUsers or requestsPerUserPerMinute, raise the limit, or move the calls to the async pipeline';
    findings.push({
      severity: s.expectThrottling ? 'warning' : 'error',
      message: `${b.limit}: ${round(b.requestsPerMinute)} requests/min per ${b.limit === TOKEN_LIMIT ? 'token' : 'client'} vs ${round(b.allowedPerMinute * (1 - headroom))} allowed (${b.allowedPerMinute} less ${env.loadProfile.headroomPercent} % headroom); ${fix}`,
    });
  }
  if (sizing.clients > env.genesys.maxRunnerClients) {
    findings.push({
      severity: s.expectThrottling ? 'warning' : 'error',
      message: `needs ${sizing.clients} OAuth clients (one per shard) but genesys.maxRunnerClients is ${env.genesys.maxRunnerClients}; raise it or lower the rate`,
    });
  }
  const hasError = findings.some((f) => f.severity === 'error');
  const invalid = findings.some((f) => f.severity === 'error' && /endpoint/.test(f.message) && !f.message.includes('requests/min'));
  const verdict: Verdict = invalid ? 'invalid' : hasError ? 'over-budget' : !sizing.withinBudget ? 'throttling-expected' : 'ok';
  return {
    name: s.name,
    virtualUsers: s.virtualUsers,
    requestsPerMinute: rate,
    durationSec: s.durationSec,
    rampUpSec: s.rampUpSec ?? Math.floor(s.durationSec / 10),
    sizing,
    naive,
    threadsPerShard: ceil(s.virtualUsers / sizing.shards),
    firstClientIndex,
    expectThrottling: s.expectThrottling,
    findings,
    verdict,
  };
}

function planWorker(needed: number, usableToken: number, usableClient: number, minConcurrency: number): WorkerPlan {
  // Each concurrent invocation holds its own token, so concurrency buys per-token headroom;
  // the one worker OAuth client caps the fleet.
  const concurrency = Math.max(minConcurrency, ceil(needed / usableToken));
  const requestsPerMinute = Math.min(concurrency * usableToken, usableClient);
  return {
    concurrency,
    requestsPerMinute,
    requestsPerMinutePerInvocation: requestsPerMinute / concurrency,
    neededRequestsPerMinute: needed,
    withinBudget: needed <= usableClient + 1e-9,
  };
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** Plans the whole environment. Pure: the same file always gives the same plan. */
export function planBudget(env: EnvironmentFile): BudgetPlan {
  const limits = resolveLimits(env.genesys.limits);
  const tokenLimit = Math.min(limitValue(limits, TOKEN_LIMIT), limitValue(limits, 'token.rate.per.minute'));
  const clientLimit = limitValue(limits, CLIENT_LIMIT);
  const headroom = env.loadProfile.headroomPercent / 100;
  const usablePerToken = tokenLimit * (1 - headroom);
  const usablePerClient = clientLimit * (1 - headroom);

  let nextClient = 0;
  const scenarios = env.loadProfile.scenarios.map((s) => {
    const plan = planScenario(s, env, tokenLimit, clientLimit, nextClient);
    nextClient += plan.sizing.clients;
    return plan;
  });

  // The event source mapping needs a maximum concurrency of at least 2.
  const metadataWorker = planWorker(env.pipeline.expectedEventsPerMinute * env.pipeline.callsPerEvent, usablePerToken, usablePerClient, 2);
  // Report jobs: one submission, status polls and result pages; one invocation at a time is plenty.
  const reportWorker = planWorker(Math.min(usablePerToken, 60), usablePerToken, usablePerClient, 1);

  const findings: Finding[] = [];
  if (!metadataWorker.withinBudget) {
    findings.push({
      severity: 'error',
      message: `pipeline: ${metadataWorker.neededRequestsPerMinute} requests/min (expectedEventsPerMinute x callsPerEvent) exceeds the metadata worker's OAuth client allowance of ${round(usablePerClient)}/min; lower pipeline.expectedEventsPerMinute or raise ${CLIENT_LIMIT}`,
    });
  }
  const ok =
    findings.every((f) => f.severity !== 'error') && scenarios.every((s) => s.verdict === 'ok' || s.verdict === 'throttling-expected');
  return {
    environment: env.name,
    headroomPercent: env.loadProfile.headroomPercent,
    limits,
    usablePerToken,
    usablePerClient,
    scenarios,
    runnerClients: nextClient,
    metadataWorker,
    reportWorker,
    findings,
    ok,
  };
}
