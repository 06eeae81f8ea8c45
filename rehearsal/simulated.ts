/**
 * The TypeScript engine: replays a scenario's plan against the simulator the way the runners would
 * (planned) or the way our users' failing tests did (naive), with time compressed: one scenario
 * minute lasts `minuteMs` real ms, and the simulator's rate windows must be `minuteMs` long too.
 * Everything it replays comes from the scenario's plan, taken by name: endpoints and weights, users,
 * shards, tokens and pacing. The model and the pass rule are model.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ClientCredentialsTokenProvider, GenesysApiClient, GenesysApiError, TokenBucket, type ResponseInfo } from '../lib/genesys-client';
import { scenarioPlan, type RateBudget, type ResolvedEndpoint, type ScenarioPlan, type Sizing } from '../lib/ratelimits';
import { sleep } from '../lib/contracts/clock';
import type { EndpointLimit } from '../sim/admission';
import { MIN_WINDOWS, tooShort, type Compression, type RehearsalMode, type RehearsalOutcome } from './model';

export interface RehearsalTarget {
  readonly apiBase: string;
  readonly loginBase: string;
  /** Registers a simulated OAuth client (in-process `sim.addClient`, or `POST /__sim/clients`). */
  addClient(id: string, secret: string): Promise<void> | void;
}

export interface RehearsalOptions {
  readonly target: RehearsalTarget;
  /** The environment's rate budget; the scenario is taken from it by name. */
  readonly budget: RateBudget;
  readonly scenario: string;
  readonly mode: RehearsalMode;
  /** Scenario seconds to replay; a planned run spans at least two windows (120), or it is refused. */
  readonly scenarioSeconds: number;
  /** Real ms one scenario minute lasts (the simulator's window). */
  readonly minuteMs: number;
  /** Share of the load replayed (see Compression). Default 1. */
  readonly loadScale?: number;
  /** Called about ten times per run. */
  readonly onProgress?: (p: RehearsalProgress) => void;
}

export interface RehearsalProgress {
  readonly mode: RehearsalMode;
  readonly scenarioSecond: number;
  readonly ok: number;
  readonly throttled: number;
  readonly errors: number;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface RehearsalResult extends RehearsalOutcome {
  readonly virtualUsers: number;
  readonly shards: number;
  readonly clients: number;
  readonly tokens: number;
  readonly scenarioSeconds: number;
  readonly realMs: number;
  /** HTTP attempts (retries included). */
  readonly attempts: number;
  readonly ok: number;
  readonly throttled: number;
  /** Token requests the token-creation limit refused (HTTP 400 "rate limit exceeded", or 429); each was retried after a backoff. */
  readonly tokenThrottled: number;
  readonly serverErrors: number;
  /** 4xx other than 429 (e.g. job results asked for too early). */
  readonly clientErrors: number;
  /** Logical requests that never succeeded (naive: every 429; planned: retries exhausted). */
  readonly failed: number;
  /** Per attempt, real ms. */
  readonly latencyMs: LatencySummary;
  /** Per logical request including pacing and Retry-After waits, in scenario ms. */
  readonly endToEndScenarioMs: LatencySummary;
}

const pct = (sorted: readonly number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : 0;

function summarize(values: number[]): LatencySummary {
  const s = [...values].sort((a, b) => a - b);
  const r = (n: number): number => Math.round(n * 10) / 10;
  return { p50: r(pct(s, 50)), p95: r(pct(s, 95)), p99: r(pct(s, 99)), max: r(s[s.length - 1] ?? 0) };
}

interface Lane {
  readonly client: GenesysApiClient;
  /** Per-shard pacing (planned only). */
  readonly shardBucket?: TokenBucket;
}

/** Picks endpoints by weight with a deterministic rotation (no randomness: runs repeat). */
function endpointPicker(endpoints: readonly ResolvedEndpoint[]): (n: number) => ResolvedEndpoint {
  const total = endpoints.reduce((a, e) => a + e.weight, 0);
  return (n) => {
    // Golden-ratio sequence spreads picks evenly in proportion to the weights.
    let x = ((n * 0.6180339887498949) % 1) * total;
    for (const e of endpoints) {
      if (x < e.weight) return e;
      x -= e.weight;
    }
    return endpoints[endpoints.length - 1];
  };
}

/** One OAuth client per shard, one paced API client per token; tokens fetched before the clock starts. */
async function openLanes(
  o: RehearsalOptions,
  plan: ScenarioPlan,
  sizing: Sizing,
  scale: number,
  onResponse: (i: ResponseInfo) => void,
  onTokenThrottled: () => void,
): Promise<Lane[]> {
  const planned = o.mode === 'planned';
  const lanes: Lane[] = [];
  const runId = randomBytes(3).toString('hex');
  for (let s = 0; s < sizing.shards; s++) {
    const clientId = planned ? `runner-${plan.firstClientIndex + s}-${runId}` : `naive-${runId}`;
    const secret = randomBytes(12).toString('base64url');
    await o.target.addClient(clientId, secret);
    const shardBucket = planned ? new TokenBucket({ ratePerMinute: o.budget.usablePerClient * scale }) : undefined;
    for (let k = 0; k < sizing.tokensPerShard; k++) {
      const tokens = new ClientCredentialsTokenProvider({
        loginBase: o.target.loginBase,
        clientId,
        clientSecret: secret,
        // Refused token requests back off on the compressed clock, long enough in all to outlast one window.
        backoff: { baseMs: Math.max(5, o.minuteMs / 120), maxMs: o.minuteMs / 2 },
        maxAttempts: 12,
        onThrottled: onTokenThrottled,
      });
      const client = planned
        ? new GenesysApiClient({
            apiBase: o.target.apiBase,
            tokens,
            bucket: new TokenBucket({ ratePerMinute: o.budget.usablePerToken * scale }),
            onResponse,
            backoff: { baseMs: Math.max(5, o.minuteMs / 120), maxMs: o.minuteMs / 4 },
          })
        : // Naive: one shared token, no pacing, Retry-After ignored (a 429 is just an error sample).
          new GenesysApiClient({
            apiBase: o.target.apiBase,
            tokens,
            bucket: new IgnoringBucket({ ratePerMinute: 1e12 }),
            maxAttempts: 1,
            onResponse,
          });
      await tokens.getToken(); // tokens exist before the clock starts, as in a runner's setUp
      lanes.push({ client, shardBucket });
    }
  }
  return lanes;
}

/** A virtual user's n-th request: endpoint (jobs polled until FULFILLED before their results), path and body. */
function requestFor(
  endpoints: readonly ResolvedEndpoint[],
  pick: (n: number) => ResolvedEndpoint,
  user: number,
  n: number,
  job: { id?: string; state?: string },
): { ep: ResolvedEndpoint; path: string; body?: object } {
  const submit = endpoints.find((e) => e.method === 'POST' && /\/details\/jobs$/.test(e.path));
  const status = endpoints.find((e) => e.method === 'GET' && e.path.endsWith('/jobs/{jobId}'));
  let ep = pick(user * 7919 + n);
  if (ep.path.includes('{jobId}') && !job.id && submit) ep = submit;
  if (ep.path.endsWith('{jobId}/results') && job.state !== 'FULFILLED' && status) ep = status;
  const path = ep.path
    .replace('{conversationId}', `rehearsal-${user}-${n}`)
    .replace('{communicationId}', `comm-${user}`)
    .replace('{jobId}', job.id ?? randomUUID())
    .replace('{namespace}', 'platform.api')
    .replace(/\{[^/}]+\}/g, () => randomUUID());
  const body =
    ep.method !== 'POST'
      ? undefined
      : /analytics\/conversations\/details/.test(ep.path)
        ? { interval: `${new Date(Date.now() - 3600_000).toISOString()}/${new Date().toISOString()}` }
        : /messages$/.test(ep.path)
          ? { textBody: `rehearsal message ${n}` }
          : {};
  return { ep, path, body };
}

interface Tally {
  readonly successes: number[];
  readonly e2e: number[];
  ok: number;
  failed: number;
  throttled: number;
  errors: number;
}

/** Runs a scenario's plan against the simulator in one mode; refuses a run shorter than two windows. */
export async function runRehearsal(o: RehearsalOptions): Promise<RehearsalResult> {
  const plan = scenarioPlan(o.budget, o.scenario);
  const { mode, minuteMs } = o;
  const loadScale = o.loadScale ?? 1;
  if (!(loadScale > 0 && loadScale <= 1)) throw new RangeError(`loadScale must be in (0, 1] (got ${loadScale})`);
  const compression: Compression = { minuteMs, loadScale };
  const runMs = (o.scenarioSeconds * minuteMs) / 60;
  const short =
    o.mode === 'planned' && tooShort(plan.name, runMs, compression, `replay at least ${MIN_WINDOWS * 60} scenario seconds (--seconds)`);
  if (short) throw new RangeError(short);
  const scale = (60_000 / minuteMs) * loadScale; // real requests per minute per planned request per scenario minute
  const sizing = mode === 'planned' ? plan.sizing : plan.naive;
  const attempts: ResponseInfo[] = [];
  let tokenThrottled = 0;
  const lanes = await openLanes(
    o,
    plan,
    sizing,
    scale,
    (i) => attempts.push(i),
    () => tokenThrottled++,
  );

  const vus = plan.virtualUsers;
  const periodMs = minuteMs / (plan.perThreadRequestsPerMinute * loadScale);
  const rampMs = Math.min((plan.rampUpSec * minuteMs) / 60, runMs / 4);
  const spreadMs = Math.max(rampMs, periodMs);
  const pick = endpointPicker(plan.endpoints);
  const tally: Tally = { successes: [], e2e: [], ok: 0, failed: 0, throttled: 0, errors: 0 };
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  const progressEvery = runMs / 10;
  let nextProgress = progressEvery;
  const progress = setInterval(
    () => {
      if (elapsed() < nextProgress) return;
      nextProgress += progressEvery;
      const scenarioSecond = Math.round((elapsed() / minuteMs) * 60);
      o.onProgress?.({ mode, scenarioSecond, ok: tally.ok, throttled: tally.throttled, errors: tally.errors });
    },
    Math.max(20, progressEvery / 4),
  );

  async function virtualUser(index: number): Promise<void> {
    // VUs are spread across shards, then across the tokens of their shard.
    const shard = index % sizing.shards;
    const lane = lanes[shard * sizing.tokensPerShard + (Math.floor(index / sizing.shards) % sizing.tokensPerShard)];
    const job: { id?: string; state?: string } = {};
    let n = 0;
    let next = (index / vus) * spreadMs;
    while (next < runMs) {
      await sleep(next - elapsed());
      const { ep, path, body } = requestFor(plan.endpoints, pick, index, n++, job);
      const t0 = elapsed();
      try {
        if (lane.shardBucket) await lane.shardBucket.take();
        const res = await lane.client.request<{ jobId?: string; state?: string }>(ep.method, path, body);
        if (res.status < 300) {
          tally.ok++;
          tally.successes.push(elapsed());
          if (ep.method === 'POST' && res.body?.jobId) Object.assign(job, { id: res.body.jobId, state: undefined });
          else if (res.body?.state) job.state = res.body.state;
        } else tally.errors++;
        tally.e2e.push(elapsed() - t0);
      } catch (err) {
        tally.failed++;
        if (err instanceof GenesysApiError && err.status === 429) tally.throttled++;
        else tally.errors++;
      }
      // Constant throughput per user; a late request pushes the next one back instead of bursting.
      next = Math.max(next + periodMs, elapsed());
    }
  }

  await Promise.all(Array.from({ length: vus }, (_, i) => virtualUser(i)));
  clearInterval(progress);
  return resultOf(o, plan, sizing, compression, { attempts, tally, tokenThrottled, realMs: elapsed(), runMs, rampMs, scale });
}

function resultOf(
  o: RehearsalOptions,
  plan: ScenarioPlan,
  sizing: Sizing,
  compression: Compression,
  run: { attempts: ResponseInfo[]; tally: Tally; tokenThrottled: number; realMs: number; runMs: number; rampMs: number; scale: number },
): RehearsalResult {
  const { attempts, tally, realMs, runMs, rampMs } = run;
  const steady = tally.successes.filter((t) => t >= rampMs).length;
  const steadyMinutes = (Math.max(runMs, realMs) - rampMs) / compression.minuteMs;
  const throttled = attempts.filter((a) => a.status === 429).length;
  return {
    scenario: plan.name,
    mode: o.mode,
    compression,
    virtualUsers: plan.virtualUsers,
    shards: sizing.shards,
    clients: sizing.clients,
    tokens: sizing.tokens,
    scenarioSeconds: o.scenarioSeconds,
    realMs: Math.round(realMs),
    plannedPerMinute: plan.requestsPerMinute,
    achievedPerMinute: Math.round(steadyMinutes > 0 ? steady / steadyMinutes / compression.loadScale : 0),
    attempts: attempts.length,
    ok: attempts.filter((a) => a.status >= 200 && a.status < 300).length,
    throttled,
    tokenThrottled: run.tokenThrottled,
    throttledShare: attempts.length ? throttled / attempts.length : 0,
    serverErrors: attempts.filter((a) => a.status >= 500 || a.status === 0).length,
    clientErrors: attempts.filter((a) => a.status >= 400 && a.status < 500 && a.status !== 429 && a.status !== 401).length,
    failed: tally.failed,
    latencyMs: summarize(attempts.map((a) => a.latencyMs)),
    endToEndScenarioMs: summarize(tally.e2e.map((ms) => ms * run.scale)),
  };
}

/** The naive replay's bucket: no pacing, and a 429's pause is ignored, as the failing tests did. */
class IgnoringBucket extends TokenBucket {
  override deferUntil(): void {}
}

/**
 * Chooses how to compress a scenario so the machine sees about `targetRps` requests per second:
 * first a shorter minute (down to 1 s, at most 5 s), then, if that is not enough, a smaller
 * load scale, rounded so the scaled per-token limit stays a whole number (at least 10).
 */
export function autoCompression(requestsPerMinute: number, perTokenLimit: number, targetRps = 250): Compression {
  const minuteMs = Math.min(5000, Math.max(1000, Math.ceil((requestsPerMinute * 1000) / targetRps / 100) * 100));
  const wanted = Math.min(1, (targetRps * minuteMs) / 1000 / requestsPerMinute);
  const scaledLimit = Math.max(Math.min(10, perTokenLimit), Math.floor(perTokenLimit * wanted));
  return { minuteMs, loadScale: Math.min(1, scaledLimit / perTokenLimit) };
}

/** The simulator limits for a rehearsal at `loadScale`. */
export function scaledLimits(
  limits: { perToken: number; perClient: number; endpoints?: readonly EndpointLimit[] },
  loadScale: number,
): { perToken: number; perClient: number; endpoints: EndpointLimit[] } {
  const scale = (n: number): number => Math.max(1, Math.round(n * loadScale));
  return {
    perToken: scale(limits.perToken),
    perClient: scale(limits.perClient),
    endpoints: (limits.endpoints ?? []).map((e) => ({ ...e, perWindow: scale(e.perWindow) })),
  };
}
