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
import type { EnvironmentFile, ScenarioConfig } from '../config/schema';
import { findEndpoint, nonexistentEndpoint } from '../genesys-api/endpoints';
import { endpointLimitSpecs } from './endpoint-limits';
import {
  ANALYTICS_JOBS_LIMIT,
  CHANNELS_LIMIT,
  CLIENT_LIMIT,
  findLimit,
  GENERIC_TOKEN_LIMIT,
  LIMIT_CATALOGUE,
  limitAppliesTo,
  RECORDING_JOBS_LIMIT,
  resolveLimits,
  sameTemplate,
  TOKEN_CREATION_LIMIT,
  TOKEN_LIMIT,
  type LimitScope,
  type LimitSpec,
  type LimitUnit,
  type ResolvedLimit,
} from './catalogue';

export type Verdict = 'ok' | 'over-budget' | 'throttling-expected' | 'invalid';

export type FindingCode =
  | 'over-budget'
  | 'client-cap'
  | 'nonexistent-endpoint'
  | 'unknown-endpoint'
  | 'sync-recording-metadata'
  | 'sync-analytics-query'
  | 'per-recording-fetch'
  | 'unconfirmed-limit'
  | 'pipeline-over-budget';

export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly code: FindingCode;
  readonly message: string;
  /** The limit concerned, when there is one. */
  readonly limit?: string;
}

export interface LimitUse {
  readonly limit: string;
  readonly scope: LimitScope;
  readonly unit: LimitUnit;
  /** One unit of the scope, as the messages say it: `token`, `OAuth client`, `org`, ... */
  readonly per: string;
  /**
   * Demand on one unit of the limit's scope, in the limit's `unit` (requests/min for rate limits,
   * channels per client, concurrent jobs per org, ...). The name is kept for the rate case.
   */
  readonly requestsPerMinute: number;
  /** The limit's value (after the environment's overrides). */
  readonly allowedPerMinute: number;
  /** What the plan may use: rate limits less headroom; counts and concurrency caps as published. */
  readonly usablePerMinute: number;
  /** requestsPerMinute / allowedPerMinute. */
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

export interface ScenarioPlan {
  readonly name: string;
  readonly virtualUsers: number;
  readonly requestsPerMinute: number;
  /** Each virtual user's pace (constant throughput per thread). */
  readonly perThreadRequestsPerMinute: number;
  readonly endpointRates: readonly EndpointRate[];
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
  /** Threads per shard (virtual users spread evenly; the last shard may run fewer). */
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
  /** Sums over all scenarios (as if they ran together). */
  readonly totals: { readonly requestsPerMinute: number; readonly shards: number; readonly tokens: number };
  /** Environment-level findings (pipeline, client pool). Scenario findings are on each scenario. */
  readonly findings: readonly Finding[];
  /** False when any scenario is over budget or invalid, or an environment-level finding is an error. */
  readonly ok: boolean;
}

export interface PlanOptions {
  /** Plan against another catalogue (tests; a catalogue extended with org-specific limits). */
  readonly catalogue?: readonly LimitSpec[];
}

const EPS = 1e-9;
const ceil = Math.ceil;
export const round1 = (n: number): number => Math.round(n * 10) / 10;

const CHANNELS_ENDPOINT = { method: 'POST', path: '/api/v2/notifications/channels' };
const RECORDING_JOBS_ENDPOINT = { method: 'POST', path: '/api/v2/recording/jobs' };
const ONE_RECORDING = '/api/v2/conversations/{conversationId}/recordings/{recordingId}';

/** Everything planScenario needs from the environment, resolved once. */
interface Context {
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
  readonly maxThreadsPerShard: number;
  readonly maxRunnerClients: number;
}

const usable = (limit: ResolvedLimit, headroom: number): number => (limit.kind === 'rate' ? limit.value * (1 - headroom) : limit.value);

function use(limit: ResolvedLimit, per: string, demand: number, headroom: number, adjustable: boolean): LimitUse {
  // Per-hour limits are compared with the per-minute demand sustained for an hour.
  const d = limit.unit.endsWith('/hour') ? demand * 60 : demand;
  const u = usable(limit, headroom);
  return {
    limit: limit.name,
    scope: limit.scope,
    unit: limit.unit,
    per,
    requestsPerMinute: d,
    allowedPerMinute: limit.value,
    usablePerMinute: u,
    utilisation: d / limit.value,
    withinBudget: d <= u + EPS,
    adjustable,
    assumed: limit.confidence === 'unconfirmed' && !limit.overridden,
  };
}

/** An assumed value no sizing can fix: reported as a warning until the environment confirms it. */
const onlyAssumed = (u: LimitUse): boolean => u.assumed && !u.adjustable;

const ANALYTICS_JOBS_ENDPOINT = { method: 'POST', path: '/api/v2/analytics/conversations/details/jobs' };

/** Endpoint-specific rate limits (declared or catalogue) a scenario's endpoints count against. */
function endpointScopedDemands(ctx: Context, rates: readonly EndpointRate[]): { limit: ResolvedLimit; demand: number }[] {
  const out: { limit: ResolvedLimit; demand: number }[] = [];
  for (const limit of ctx.limits) {
    if (limit.kind !== 'rate' || limit.appliesTo.includes('*')) continue;
    const demand = rates.filter((r) => limitAppliesTo(limit, r.method, r.path)).reduce((sum, r) => sum + r.requestsPerMinute, 0);
    if (demand > 0) out.push({ limit, demand });
  }
  return out;
}

const callsEndpoint = (s: ScenarioConfig, ep: { method: string; path: string }): boolean =>
  s.endpoints.some((e) => e.method === ep.method && sameTemplate(ep.path, e.path.split('?')[0]));

/** Requests/min per endpoint: weights are shares (default equal). */
function endpointRates(s: ScenarioConfig, rate: number): EndpointRate[] {
  const total = s.endpoints.reduce((sum, e) => sum + (e.weight ?? 1), 0);
  return s.endpoints.map((e) => ({ method: e.method, path: e.path, requestsPerMinute: (rate * (e.weight ?? 1)) / total }));
}

/** Minutes over which a shard fetches its tokens: the ramp-up, at least one minute. */
const tokenWindowMin = (rampUpSec: number): number => Math.max(1, rampUpSec / 60);

function evaluate(s: ScenarioConfig, ctx: Context, rampUpSec: number, shards: number, tokensPerShard: number): Sizing {
  const rate = s.virtualUsers * s.requestsPerUserPerMinute;
  const tokens = shards * tokensPerShard;
  const perShard = rate / shards;
  const perToken = rate / tokens;
  const h = ctx.headroom;
  const uses: LimitUse[] = [
    use(ctx.token, 'token', perToken, h, true),
    use(ctx.client, 'OAuth client', perShard, h, true),
    use(ctx.creation, 'OAuth client', tokensPerShard / tokenWindowMin(rampUpSec), h, true),
  ];
  if (callsEndpoint(s, CHANNELS_ENDPOINT)) {
    // Every virtual user holds one channel; a client-credentials client is one "user + app".
    uses.push(use(ctx.channels, 'OAuth client', ceil(s.virtualUsers / shards), h, true));
  }
  if (callsEndpoint(s, RECORDING_JOBS_ENDPOINT)) {
    // Each virtual user keeps a job pending or processing; the cap is org-wide.
    uses.push(use(ctx.recordingJobs, 'org', s.virtualUsers, h, false));
  }
  if (callsEndpoint(s, ANALYTICS_JOBS_ENDPOINT)) {
    // Likewise for analytics details jobs: a virtual user submits one, polls it, reads it.
    uses.push(use(ctx.analyticsJobs, 'org', s.virtualUsers, h, false));
  }
  // Rate limits tied to endpoints. Org-wide ones cannot be sharded away; per-client and per-token
  // ones (declared in genesys.endpointLimits) are spread like the general limits.
  for (const { limit, demand } of endpointScopedDemands(ctx, endpointRates(s, rate))) {
    if (limit.scope === 'endpoint' || limit.scope === 'org') {
      uses.push(use(limit, limit.scope === 'endpoint' ? 'org (this endpoint)' : 'org', demand, h, false));
    } else if (limit.scope === 'client') {
      uses.push(use(limit, 'OAuth client', demand / shards, h, true));
    } else if (limit.scope === 'token') {
      uses.push(use(limit, 'token', demand / tokens, h, true));
    }
  }
  const pressure = (u: LimitUse): number => u.requestsPerMinute / u.usablePerMinute;
  // Assumed values no sizing can fix are warnings, so they neither bind nor break the budget.
  const counted = uses.filter((u) => !onlyAssumed(u));
  const binding = counted.reduce((a, b) => (pressure(b) > pressure(a) ? b : a));
  return {
    shards,
    tokensPerShard,
    tokens,
    clients: shards,
    perShardRequestsPerMinute: perShard,
    perTokenRequestsPerMinute: perToken,
    binding,
    uses,
    withinBudget: counted.every((u) => u.withinBudget),
  };
}

/** The smallest sizing that keeps every adjustable limit within budget. */
function recommend(s: ScenarioConfig, ctx: Context, rampUpSec: number): Sizing {
  const rate = s.virtualUsers * s.requestsPerUserPerMinute;
  const perToken = usable(ctx.token, ctx.headroom);
  const perClient = usable(ctx.client, ctx.headroom);
  const tokensPerClientWindow = usable(ctx.creation, ctx.headroom) * tokenWindowMin(rampUpSec);
  let shards = Math.max(ctx.minShards, ceil(rate / perClient - EPS), ceil(s.virtualUsers / ctx.maxThreadsPerShard));
  if (callsEndpoint(s, CHANNELS_ENDPOINT)) shards = Math.max(shards, ceil(s.virtualUsers / ctx.channels.value));
  // Declared per-client and per-token endpoint limits: enough clients, then enough tokens.
  const scoped = endpointScopedDemands(ctx, endpointRates(s, rate));
  for (const { limit, demand } of scoped) {
    if (limit.scope === 'client') shards = Math.max(shards, ceil(demand / usable(limit, ctx.headroom) - EPS));
  }
  shards = Math.min(shards, s.virtualUsers);
  const tokensFor = (n: number): number => {
    let t = Math.max(1, ceil(rate / n / perToken - EPS));
    for (const { limit, demand } of scoped) {
      if (limit.scope === 'token') t = Math.max(t, ceil(demand / n / usable(limit, ctx.headroom) - EPS));
    }
    return t;
  };
  let tokensPerShard = tokensFor(shards);
  // Too many tokens per client to fetch during the ramp-up: spread them over more clients.
  if (tokensPerShard > tokensPerClientWindow && tokensPerClientWindow >= 1) {
    shards = Math.max(shards, ceil((shards * tokensPerShard) / Math.floor(tokensPerClientWindow)));
    tokensPerShard = tokensFor(shards);
  }
  return evaluate(s, ctx, rampUpSec, shards, tokensPerShard);
}

function endpointFindings(s: ScenarioConfig): Finding[] {
  const findings: Finding[] = [];
  for (const ep of s.endpoints) {
    const missing = nonexistentEndpoint(ep.path);
    if (missing) {
      findings.push({
        severity: 'error',
        code: 'nonexistent-endpoint',
        message: `${ep.method} ${ep.path} is not a Genesys Cloud Platform API endpoint; call ${missing.useInstead.join(' or ')} instead`,
      });
      continue;
    }
    const spec = findEndpoint(ep.method, ep.path);
    if (!spec) {
      findings.push({
        severity: 'error',
        code: 'unknown-endpoint',
        message: `${ep.method} ${ep.path} is not in genesys-loadlab's endpoint catalogue (lib/genesys-api/endpoints.ts); add it there with its permissions, or correct the path`,
      });
    } else if (spec.method === 'GET' && sameTemplate(spec.path, ONE_RECORDING)) {
      findings.push({
        severity: 'warning',
        code: 'per-recording-fetch',
        message: `${ep.method} ${ep.path} fetches recordings one at a time; archive them with a recording bulk job (POST /api/v2/recording/jobs, action EXPORT to the S3 integration, at most 2 per org) or POST /api/v2/recording/batchrequests (up to 100 per request)`,
      });
    } else if (spec.kind === 'recording-metadata') {
      findings.push({
        severity: 'warning',
        code: 'sync-recording-metadata',
        message: `${ep.method} ${ep.path} fetches recording metadata synchronously in the load; production gets it from events: let the metadata worker (event pipeline) do it`,
      });
    } else if (spec.kind === 'analytics-query') {
      findings.push({
        severity: 'warning',
        code: 'sync-analytics-query',
        message: `${ep.method} ${ep.path} is the synchronous analytics query, not meant for polling or bulk reads; use POST /api/v2/analytics/conversations/details/jobs (the report worker does)`,
      });
    }
  }
  return findings;
}

const fmt = (n: number): string => String(round1(n));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "<limit>: 15000 requests/min per token vs 240 allowed (300 less 20 % headroom)" */
export function describeUse(u: LimitUse, headroomPercent: number): string {
  const unit = u.unit === 'requests/min' ? 'requests/min' : u.unit;
  const allowed =
    u.usablePerMinute === u.allowedPerMinute
      ? `${fmt(u.allowedPerMinute)} allowed`
      : `${fmt(u.usablePerMinute)} allowed (${fmt(u.allowedPerMinute)} less ${headroomPercent} % headroom)`;
  return `${u.limit}: ${fmt(u.requestsPerMinute)} ${unit} per ${u.per} vs ${allowed}`;
}

function budgetFix(
  s: ScenarioConfig,
  plan: { sizing: Sizing; recommended: Sizing; fixed: boolean },
  limits: readonly ResolvedLimit[],
): string {
  const over = plan.sizing.uses.filter((u) => !u.withinBudget);
  const fixes: string[] = [];
  if (over.some((u) => u.adjustable) && plan.recommended.uses.filter((u) => u.adjustable).every((u) => u.withinBudget)) {
    const r = plan.recommended;
    fixes.push(
      plan.fixed
        ? `remove fixedSizing (or set it to ${plural(r.shards, 'shard')} x ${plural(r.tokensPerShard, 'token')} per shard = ${plural(r.clients, 'OAuth client')}, ${plural(r.tokens, 'token')}), as the planner recommends`
        : `use ${plural(r.shards, 'shard')} x ${plural(r.tokensPerShard, 'token')} per shard`,
    );
  }
  for (const u of over.filter((x) => !x.adjustable)) {
    const declared = limits.find((l) => l.name === u.limit)?.confidence === 'declared';
    if (declared) {
      const factor = u.usablePerMinute / u.requestsPerMinute;
      fixes.push(
        `${u.limit} is an org-wide endpoint limit (genesys.endpointLimits): no number of tokens or OAuth clients raises it; lower the scenario's rate to ${fmt(s.virtualUsers * s.requestsPerUserPerMinute * factor)} requests/min (e.g. virtualUsers <= ${Math.floor(s.virtualUsers * factor + EPS)}) or, once Genesys has raised the limit, update requestsPerMinute of that entry`,
      );
    } else if (u.limit === RECORDING_JOBS_LIMIT) {
      fixes.push(
        `at most ${fmt(u.usablePerMinute)} recording bulk jobs run at once per org: use ${fmt(u.usablePerMinute)} virtual users or fewer and widen each job's interval`,
      );
    } else {
      const factor = u.usablePerMinute / u.requestsPerMinute;
      const maxUsers = Math.floor(s.virtualUsers * factor + EPS);
      fixes.push(
        `sharding cannot help with ${u.limit} (${u.scope} scope): lower the rate to ${fmt(s.virtualUsers * s.requestsPerUserPerMinute * factor)} requests/min (e.g. virtualUsers <= ${maxUsers}), have Genesys raise the limit and set genesys.limits.${u.limit}, or move the calls to the async pipeline`,
      );
    }
  }
  if (fixes.length === 0) fixes.push('lower virtualUsers or requestsPerUserPerMinute, or move the calls to the async pipeline');
  if (!s.expectThrottling) fixes.push(`or set expectThrottling: true on scenario ${s.name} if throttling is the point of the test`);
  return fixes.join('; ');
}

function planScenario(s: ScenarioConfig, ctx: Context, firstClientIndex: number): ScenarioPlan {
  const rate = s.virtualUsers * s.requestsPerUserPerMinute;
  const rampUpSec = s.rampUpSec ?? Math.floor(s.durationSec / 10);
  const recommended = recommend(s, ctx, rampUpSec);
  const fixed = s.fixedSizing !== undefined;
  const sizing = s.fixedSizing ? evaluate(s, ctx, rampUpSec, s.fixedSizing.shards, s.fixedSizing.tokensPerShard) : recommended;
  const naive = evaluate(s, ctx, rampUpSec, 1, 1);
  const findings = endpointFindings(s);
  const overMinutes = tokenWindowMin(rampUpSec);
  const tokenCreation: TokenCreationCheck = {
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
  const throttled = s.expectThrottling;
  if (!sizing.withinBudget) {
    const over = sizing.uses.filter((u) => !u.withinBudget);
    const b = sizing.binding;
    const also = over.filter((u) => u !== b).map((u) => describeUse(u, ctx.headroomPercent));
    findings.push({
      severity: throttled ? 'warning' : 'error',
      code: 'over-budget',
      limit: b.limit,
      message: `${describeUse(b, ctx.headroomPercent)} with ${plural(sizing.shards, 'shard')} x ${plural(sizing.tokensPerShard, 'token')}${also.length ? `; also over: ${also.join('; ')}` : ''}. Fix: ${budgetFix(s, { sizing, recommended, fixed }, ctx.limits)}`,
    });
  }
  for (const u of sizing.uses.filter((x) => onlyAssumed(x) && !x.withinBudget)) {
    findings.push({
      severity: 'warning',
      code: 'unconfirmed-limit',
      limit: u.limit,
      message: `${describeUse(u, ctx.headroomPercent)}, but ${u.limit} = ${fmt(u.allowedPerMinute)} is an UNCONFIRMED assumption: read the org's value (npm run limits:fetch -- --namespace ${ctx.limits.find((l) => l.name === u.limit)?.namespace}) or set genesys.limits.${u.limit}; once set, going over it is a budget error`,
    });
  }
  if (sizing.clients > ctx.maxRunnerClients) {
    findings.push({
      severity: throttled ? 'warning' : 'error',
      code: 'client-cap',
      message: `needs ${sizing.clients} OAuth clients (one per shard) but genesys.maxRunnerClients is ${ctx.maxRunnerClients}; raise genesys.maxRunnerClients or lower the rate`,
    });
  }
  const invalid = findings.some((f) => f.code === 'nonexistent-endpoint' || f.code === 'unknown-endpoint');
  const hasError = findings.some((f) => f.severity === 'error');
  const overAtAll = !sizing.withinBudget || sizing.clients > ctx.maxRunnerClients;
  const verdict: Verdict = invalid ? 'invalid' : hasError ? 'over-budget' : overAtAll ? 'throttling-expected' : 'ok';
  return {
    name: s.name,
    virtualUsers: s.virtualUsers,
    requestsPerMinute: rate,
    perThreadRequestsPerMinute: s.requestsPerUserPerMinute,
    endpointRates: endpointRates(s, rate),
    durationSec: s.durationSec,
    rampUpSec,
    sizing,
    recommended,
    naive,
    fixed,
    tokenCreation,
    threadsPerShard: ceil(s.virtualUsers / sizing.shards),
    firstClientIndex,
    expectThrottling: throttled,
    findings,
    verdict,
  };
}

function planWorker(needed: number, usableToken: number, usableClient: number, minConcurrency: number): WorkerPlan {
  // Each concurrent invocation holds its own token, so concurrency buys per-token headroom;
  // the one worker OAuth client caps the fleet.
  const concurrency = Math.max(minConcurrency, ceil(needed / usableToken - EPS));
  const requestsPerMinute = Math.min(concurrency * usableToken, usableClient);
  return {
    concurrency,
    requestsPerMinute,
    requestsPerMinutePerInvocation: requestsPerMinute / concurrency,
    neededRequestsPerMinute: needed,
    withinBudget: needed <= usableClient + EPS,
  };
}

/** Plans the whole environment. Pure: the same file always gives the same plan. */
export function planBudget(env: EnvironmentFile, options: PlanOptions = {}): BudgetPlan {
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
    maxThreadsPerShard: env.loadProfile.maxThreadsPerShard,
    maxRunnerClients: env.genesys.maxRunnerClients,
  };
  const usablePerToken = usable(ctx.token, ctx.headroom);
  const usablePerClient = usable(ctx.client, ctx.headroom);

  let nextClient = 0;
  const scenarios = env.loadProfile.scenarios.map((s) => {
    const plan = planScenario(s, ctx, nextClient);
    nextClient += plan.sizing.clients;
    return plan;
  });

  // Both workers are fed by SQS event source mappings, whose maximum concurrency is at least 2.
  const metadataWorker = planWorker(env.pipeline.expectedEventsPerMinute * env.pipeline.callsPerEvent, usablePerToken, usablePerClient, 2);
  // Report jobs: one submission, status polls and result pages; the minimum concurrency is plenty.
  const reportWorker = planWorker(Math.min(usablePerToken, 60), usablePerToken, usablePerClient, 2);

  const findings: Finding[] = [];
  if (!metadataWorker.withinBudget) {
    findings.push({
      severity: 'error',
      code: 'pipeline-over-budget',
      limit: CLIENT_LIMIT,
      message: `pipeline: ${metadataWorker.neededRequestsPerMinute} requests/min (pipeline.expectedEventsPerMinute x pipeline.callsPerEvent) exceeds the metadata worker's OAuth client allowance of ${round1(usablePerClient)}/min (${ctx.client.value} less ${headroomPercent} % headroom); lower pipeline.expectedEventsPerMinute or callsPerEvent, or raise ${CLIENT_LIMIT}`,
    });
  }
  if (nextClient > ctx.maxRunnerClients && scenarios.every((s) => s.sizing.clients <= ctx.maxRunnerClients)) {
    findings.push({
      severity: 'error',
      code: 'client-cap',
      message: `the scenarios need ${nextClient} runner OAuth clients in all (one per shard) but genesys.maxRunnerClients is ${ctx.maxRunnerClients}; raise genesys.maxRunnerClients or split the scenarios over environments`,
    });
  }
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
    findings,
    ok,
  };
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

/**
 * The single place the Genesys stack (how many OAuth clients, and for whom) and the runners
 * (which secret each shard reads, its threads and target throughput) get their counts from.
 */
export function runnerClientSlots(plan: BudgetPlan): RunnerClientSlot[] {
  return plan.scenarios.flatMap((s) =>
    Array.from({ length: s.sizing.clients }, (_, shard) => {
      // Spread threads evenly; the first `extra` shards take one more.
      const base = Math.floor(s.virtualUsers / s.sizing.shards);
      const extra = s.virtualUsers % s.sizing.shards;
      const threads = base + (shard < extra ? 1 : 0);
      return {
        index: s.firstClientIndex + shard,
        scenario: s.name,
        shard,
        tokens: s.sizing.tokensPerShard,
        threads,
        targetRequestsPerMinute: threads * s.perThreadRequestsPerMinute,
      };
    }),
  );
}

/** The plan of one scenario by name; throws naming the known scenarios. */
export function scenarioPlan(plan: BudgetPlan, name: string): ScenarioPlan {
  const found = plan.scenarios.find((s) => s.name === name);
  if (!found) throw new Error(`no scenario ${name} in ${plan.environment}; scenarios: ${plan.scenarios.map((s) => s.name).join(', ')}`);
  return found;
}
