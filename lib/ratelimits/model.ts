/**
 * The planner's model: what a plan is made of (sizing, the use of each limit, findings, the
 * verdicts) and how demand on one limit is measured. The sizing search is sizing.ts, the words
 * messages.ts, the assembly planner.ts.
 */
import type { ScenarioConfig } from '../config/schema';
import type { CostEstimate } from '../cost/estimate';
import { limitAppliesTo, sameTemplate, type ResolvedLimit } from './catalogue';
import type { LimitScope, LimitSpec, LimitUnit } from '../genesys-facts/limits';
import type { EndpointFindingCode, ResolvedEndpoint } from './endpoints';
import type { CapacitySettings, ShardCapacity, TaskSize } from './capacity';

export type Verdict = 'ok' | 'over-budget' | 'throttling-expected' | 'invalid';

export type FindingCode =
  | EndpointFindingCode
  | 'over-budget'
  | 'client-cap'
  | 'unconfirmed-limit'
  | 'pipeline-over-budget'
  | 'pipeline-batch-too-slow'
  | 'over-cost'
  | 'shard-capacity';

export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly code: FindingCode;
  readonly message: string;
  /** The limit concerned, when there is one. */
  readonly limit?: string;
  /** The scenario endpoint concerned (its position in `endpoints`), for endpoint findings. */
  readonly endpoint?: number;
}

export interface LimitUse {
  readonly limit: string;
  readonly scope: LimitScope;
  readonly unit: LimitUnit;
  /** One unit of the scope, as the messages say it: `token`, `OAuth client`, `org`, ... */
  readonly per: string;
  /**
   * Demand on one unit of the limit's scope, in the limit's `unit`: requests/min for rate limits,
   * channels per client, concurrent jobs per org, ...
   */
  readonly demand: number;
  /** The limit's value (after the environment's overrides), in its `unit`. */
  readonly allowed: number;
  /** What the plan may use: rate limits less headroom; counts and concurrency caps as published. */
  readonly usable: number;
  /** demand / allowed. */
  readonly utilisation: number;
  readonly withinBudget: boolean;
  /** True when more shards or tokens lower the demand per unit (per-token and per-client limits). */
  readonly adjustable: boolean;
  /**
   * The limit's value is an unconfirmed assumption the environment has not overridden. Such a
   * use, when no sizing can fix it, is a warning (confirm the value), not a budget error.
   */
  readonly assumed: boolean;
}

export interface Sizing {
  readonly shards: number;
  readonly tokensPerShard: number;
  /** shards x tokensPerShard. */
  readonly tokens: number;
  /** One OAuth client per shard. */
  readonly clients: number;
  /** Target throughput of one shard (all its threads), requests/min. */
  readonly perShardRequestsPerMinute: number;
  readonly perTokenRequestsPerMinute: number;
  /** The use closest to (or furthest over) its usable value. */
  readonly binding: LimitUse;
  readonly uses: readonly LimitUse[];
  readonly withinBudget: boolean;
}

/** How the planner checked `auth.token.creation.rate.per.minute`, in words and figures. */
export interface TokenCreationCheck {
  /** Tokens each OAuth client (shard) creates. */
  readonly tokensPerClient: number;
  /** Minutes over which they are assumed to be created: the ramp-up, at least one. */
  readonly overMinutes: number;
  readonly tokensPerMinute: number;
  readonly allowedPerMinute: number;
  readonly usablePerMinute: number;
  /** The assumption, spelled out for the budget output. */
  readonly assumption: string;
}

export interface EndpointRate {
  readonly method: string;
  readonly path: string;
  readonly requestsPerMinute: number;
}

/**
 * Everything downstream needs to run one scenario, computed once by `planBudget`: the generator,
 * the rehearsals, the runners and `npm run loadtest` take it by name (`scenarioPlan`) and
 * recompute nothing.
 */
export interface ScenarioPlan {
  readonly name: string;
  /** Position in `loadProfile.scenarios`, only to name fields in messages (never to match lists). */
  readonly index: number;
  readonly description?: string;
  readonly virtualUsers: number;
  readonly requestsPerMinute: number;
  /** Each virtual user's pace (constant throughput per thread). */
  readonly perThreadRequestsPerMinute: number;
  readonly endpointRates: readonly EndpointRate[];
  /** The endpoints found in the catalogue (those with an error finding are left out; the verdict is then invalid). */
  readonly endpoints: readonly ResolvedEndpoint[];
  readonly durationSec: number;
  readonly rampUpSec: number;
  /** What the planner recommends (or the scenario's fixedSizing). */
  readonly sizing: Sizing;
  /** What the planner would recommend, also when fixedSizing pins `sizing`. */
  readonly recommended: Sizing;
  /** The same load through one token and one client, as the failing tests ran it. */
  readonly naive: Sizing;
  /** True when `sizing` comes from the scenario's fixedSizing. */
  readonly fixed: boolean;
  readonly tokenCreation: TokenCreationCheck;
  /** The Fargate task each shard runs on, and what one shard of it may be given. */
  readonly task: TaskPlan;
  /** Threads per shard (virtual users spread evenly; the last shard may run fewer). */
  readonly threadsPerShard: number;
  /** Index of this scenario's first runner OAuth client in the environment's pool. */
  readonly firstClientIndex: number;
  /** One entry per shard: its OAuth client, tokens, threads and target rate. */
  readonly shards: readonly RunnerClientSlot[];
  readonly expectThrottling: boolean;
  readonly findings: readonly Finding[];
  readonly verdict: Verdict;
}

/** The task size of a scenario's shards: picked by the planner, or the environment's runners.cpu / memoryMiB. */
export interface TaskPlan extends TaskSize {
  /** `picked`: fewest vCPU-hours (lib/ratelimits/capacity.ts); `runners.cpu`: the environment fixed the CPU (and memory when it says `runners.cpu/memoryMiB`). */
  readonly chosenBy: 'picked' | 'runners.cpu' | 'runners.cpu/memoryMiB';
  readonly capacity: ShardCapacity;
}

/** A retrieval worker fleet's pacing: the event pipeline sets exactly these, it derives nothing. */
export interface WorkerPlan {
  /** Reserved concurrency, and the event source mapping's maximum concurrency (at least 2, the mapping's minimum). */
  readonly concurrency: number;
  /** Requests/min the whole worker fleet may make (under one OAuth client). */
  readonly requestsPerMinute: number;
  /**
   * The share of each concurrent invocation (its token bucket rate, the worker's RATE_PER_MINUTE),
   * rounded down to 0.01 so concurrency x this never exceeds `requestsPerMinute`.
   */
  readonly requestsPerMinutePerInvocation: number;
  readonly neededRequestsPerMinute: number;
  readonly withinBudget: boolean;
}

export interface RateBudget {
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
  /** Sums over all scenarios (as if they ran together). */
  readonly totals: { readonly requestsPerMinute: number; readonly shards: number; readonly tokens: number };
  /** Environment-level findings (pipeline, client pool). Scenario findings are on each scenario. */
  readonly findings: readonly Finding[];
  /** What a run of each scenario and a day of the idle environment cost (lib/cost). */
  readonly cost: CostEstimate;
  /** False when any scenario is over budget or invalid, or an environment-level finding is an error. */
  readonly ok: boolean;
}

export interface PlanOptions {
  /** Plan against another catalogue (tests; a catalogue extended with org-specific limits). */
  readonly catalogue?: readonly LimitSpec[];
}

/** One runner OAuth client: which scenario and shard it serves. */
export interface RunnerClientSlot {
  /** Position in the environment's pool (0-based); stable while scenarios keep their order and sizing. */
  readonly index: number;
  readonly scenario: string;
  /** Shard of that scenario (0-based). */
  readonly shard: number;
  readonly tokens: number;
  readonly threads: number;
  readonly targetRequestsPerMinute: number;
}

export const EPS = 1e-9;
export const ceil = Math.ceil;
export const round1 = (n: number): number => Math.round(n * 10) / 10;

export const CHANNELS_ENDPOINT = { method: 'POST', path: '/api/v2/notifications/channels' };
export const RECORDING_JOBS_ENDPOINT = { method: 'POST', path: '/api/v2/recording/jobs' };

export const ANALYTICS_JOBS_ENDPOINT = { method: 'POST', path: '/api/v2/analytics/conversations/details/jobs' };

/** Everything the sizing search and planScenario need from the environment, resolved once. */
export interface Context {
  readonly limits: readonly ResolvedLimit[];
  readonly headroom: number;
  readonly headroomPercent: number;
  readonly token: ResolvedLimit;
  readonly client: ResolvedLimit;
  readonly creation: ResolvedLimit;
  readonly channels: ResolvedLimit;
  readonly recordingJobs: ResolvedLimit;
  readonly analyticsJobs: ResolvedLimit;
  readonly minShards: number;
  /** Most threads one shard runs: set per task size by the picker (capacity.ts). */
  readonly maxThreadsPerShard: number;
  /** Most requests/min one shard can send: set per task size by the picker. */
  readonly requestsPerMinutePerShard?: number;
  readonly maxRunnerClients: number;
  /** Measured shard capacity with the environment's overrides. */
  readonly capacity: CapacitySettings;
  /** runners.cpu / runners.memoryMiB when the environment sets them. */
  readonly fixedCpu?: number;
  readonly fixedMemoryMiB?: number;
}

export const usable = (limit: ResolvedLimit, headroom: number): number =>
  limit.kind === 'rate' ? limit.value * (1 - headroom) : limit.value;

export function use(limit: ResolvedLimit, per: string, demand: number, headroom: number, adjustable: boolean): LimitUse {
  // Per-hour limits are compared with the per-minute demand sustained for an hour.
  const d = limit.unit.endsWith('/hour') ? demand * 60 : demand;
  const u = usable(limit, headroom);
  return {
    limit: limit.name,
    scope: limit.scope,
    unit: limit.unit,
    per,
    demand: d,
    allowed: limit.value,
    usable: u,
    utilisation: d / limit.value,
    withinBudget: d <= u + EPS,
    adjustable,
    assumed: limit.confidence === 'unconfirmed' && !limit.overridden,
  };
}

/** An assumed value no sizing can fix: reported as a warning until the environment confirms it. */
export const onlyAssumed = (u: LimitUse): boolean => u.assumed && !u.adjustable;

/** Endpoint-specific rate limits (declared or catalogue) a scenario's endpoints count against. */
export function endpointScopedDemands(ctx: Context, rates: readonly EndpointRate[]): { limit: ResolvedLimit; demand: number }[] {
  const out: { limit: ResolvedLimit; demand: number }[] = [];
  for (const limit of ctx.limits) {
    if (limit.kind !== 'rate' || limit.appliesTo.includes('*')) continue;
    const demand = rates.filter((r) => limitAppliesTo(limit, r.method, r.path)).reduce((sum, r) => sum + r.requestsPerMinute, 0);
    if (demand > 0) out.push({ limit, demand });
  }
  return out;
}

export const callsEndpoint = (s: ScenarioConfig, ep: { method: string; path: string }): boolean =>
  s.endpoints.some((e) => e.method === ep.method && sameTemplate(ep.path, e.path.split('?')[0]));

/** Requests/min per endpoint: weights are shares (default equal). */
export function endpointRates(s: ScenarioConfig, rate: number): EndpointRate[] {
  const total = s.endpoints.reduce((sum, e) => sum + (e.weight ?? 1), 0);
  return s.endpoints.map((e) => ({ method: e.method, path: e.path, requestsPerMinute: (rate * (e.weight ?? 1)) / total }));
}

/** Minutes over which a shard fetches its tokens: the ramp-up, at least one minute. */
export const tokenWindowMin = (rampUpSec: number): number => Math.max(1, rampUpSec / 60);
