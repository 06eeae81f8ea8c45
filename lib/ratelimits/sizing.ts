/**
 * The sizing search: how many shards (one OAuth client each) and tokens per shard keep a
 * scenario's demand within every limit the planner can spread it over, and the worker fleets'
 * concurrency. Measured with the model's `use`.
 */
import type { ScenarioConfig } from '../config/schema';
import {
  callsEndpoint,
  ceil,
  CHANNELS_ENDPOINT,
  ANALYTICS_JOBS_ENDPOINT,
  endpointRates,
  endpointScopedDemands,
  EPS,
  onlyAssumed,
  RECORDING_JOBS_ENDPOINT,
  tokenWindowMin,
  usable,
  use,
  type Context,
  type LimitUse,
  type Sizing,
  type WorkerPlan,
} from './model';

export function evaluate(s: ScenarioConfig, ctx: Context, rampUpSec: number, shards: number, tokensPerShard: number): Sizing {
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
  const pressure = (u: LimitUse): number => u.demand / u.usable;
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
export function recommend(s: ScenarioConfig, ctx: Context, rampUpSec: number): Sizing {
  const rate = s.virtualUsers * s.requestsPerUserPerMinute;
  const perToken = usable(ctx.token, ctx.headroom);
  const perClient = usable(ctx.client, ctx.headroom);
  const tokensPerClientWindow = usable(ctx.creation, ctx.headroom) * tokenWindowMin(rampUpSec);
  let shards = Math.max(ctx.minShards, ceil(rate / perClient - EPS), ceil(s.virtualUsers / ctx.maxThreadsPerShard));
  // An unmeasured capacity per shard, when the environment states one (runners.requestsPerSecondPerVcpu).
  if (ctx.requestsPerMinutePerShard !== undefined) shards = Math.max(shards, ceil(rate / ctx.requestsPerMinutePerShard - EPS));
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

export function planWorker(needed: number, usableToken: number, usableClient: number, minConcurrency: number): WorkerPlan {
  // Each concurrent invocation holds its own token, so concurrency buys per-token headroom;
  // the one worker OAuth client caps the fleet.
  const concurrency = Math.max(minConcurrency, ceil(needed / usableToken - EPS));
  const requestsPerMinute = Math.min(concurrency * usableToken, usableClient);
  return {
    concurrency,
    requestsPerMinute,
    // Rounded down: the fleet (concurrency x this) must never exceed the plan.
    requestsPerMinutePerInvocation: Math.floor((requestsPerMinute / concurrency) * 100) / 100,
    neededRequestsPerMinute: needed,
    withinBudget: needed <= usableClient + EPS,
  };
}
