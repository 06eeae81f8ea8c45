/**
 * Replays a scenario's request pattern against the simulator the way the runners would (planned)
 * or the way our users' failing tests did (naive), with time compressed: one scenario minute
 * lasts `minuteMs` real ms, and the simulator's rate windows must be `minuteMs` long too.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ScenarioConfig } from '../lib/config/schema';
import { ClientCredentialsTokenProvider, GenesysApiClient, GenesysApiError, TokenBucket, type ResponseInfo } from '../lib/genesys-client';
import type { ScenarioPlan } from '../lib/ratelimits/planner';
import { sleep } from '../lib/contracts/clock';
import type { EndpointLimit } from './server';

export type RehearsalMode = 'planned' | 'naive';

export interface RehearsalTarget {
  readonly apiBase: string;
  readonly loginBase: string;
  /** Registers a simulated OAuth client (in-process `sim.addClient`, or `POST /__sim/clients`). */
  addClient(id: string, secret: string): Promise<void> | void;
}

export interface RehearsalOptions {
  readonly target: RehearsalTarget;
  readonly plan: ScenarioPlan;
  readonly endpoints: ScenarioConfig['endpoints'];
  readonly requestsPerUserPerMinute: number;
  /** The planner's allowances after headroom, per scenario minute. */
  readonly usablePerToken: number;
  readonly usablePerClient: number;
  readonly mode: RehearsalMode;
  /** Scenario seconds to replay. */
  readonly scenarioSeconds: number;
  /** Real ms one scenario minute lasts (the simulator's window). */
  readonly minuteMs: number;
  /**
   * Share of the load replayed (0 < loadScale <= 1): every user's rate and every limit of the
   * simulator are multiplied by it, so each token's and client's utilisation is unchanged while
   * the machine sees fewer requests. Results are reported back at full scale. Default 1.
   */
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

export interface RehearsalResult {
  readonly scenario: string;
  readonly mode: RehearsalMode;
  readonly virtualUsers: number;
  readonly shards: number;
  readonly clients: number;
  readonly tokens: number;
  readonly scenarioSeconds: number;
  readonly minuteMs: number;
  readonly loadScale: number;
  readonly realMs: number;
  /** Demand of the scenario, per scenario minute. */
  readonly targetPerMinute: number;
  /** 2xx responses per scenario minute after ramp-up. */
  readonly achievedPerMinute: number;
  /** HTTP attempts (retries included). */
  readonly attempts: number;
  readonly ok: number;
  readonly throttled: number;
  /** throttled / attempts. */
  readonly throttledShare: number;
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
function endpointPicker(endpoints: ScenarioConfig['endpoints']): (n: number) => ScenarioConfig['endpoints'][number] {
  const weights = endpoints.map((e) => e.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  return (n) => {
    // Golden-ratio sequence spreads picks evenly in proportion to the weights.
    let x = ((n * 0.6180339887498949) % 1) * total;
    for (let i = 0; i < endpoints.length; i++) {
      if (x < weights[i]) return endpoints[i];
      x -= weights[i];
    }
    return endpoints[endpoints.length - 1];
  };
}

export async function runRehearsal(opts: RehearsalOptions): Promise<RehearsalResult> {
  const { plan, mode, minuteMs } = opts;
  const loadScale = opts.loadScale ?? 1;
  if (!(loadScale > 0 && loadScale <= 1)) throw new RangeError(`loadScale must be in (0, 1] (got ${loadScale})`);
  const scale = (60_000 / minuteMs) * loadScale; // real requests per minute per planned request per scenario minute
  const sizing = mode === 'planned' ? plan.sizing : plan.naive;
  const lanes: Lane[] = [];
  const attempts: ResponseInfo[] = [];
  const onResponse = (i: ResponseInfo): void => {
    attempts.push(i);
  };
  const runId = randomBytes(3).toString('hex');

  for (let s = 0; s < sizing.shards; s++) {
    const clientId = mode === 'planned' ? `runner-${plan.firstClientIndex + s}-${runId}` : `naive-${runId}`;
    const secret = randomBytes(12).toString('base64url');
    await opts.target.addClient(clientId, secret);
    const shardBucket = mode === 'planned' ? new TokenBucket({ ratePerMinute: opts.usablePerClient * scale }) : undefined;
    for (let k = 0; k < sizing.tokensPerShard; k++) {
      const tokens = new ClientCredentialsTokenProvider({ loginBase: opts.target.loginBase, clientId, clientSecret: secret });
      const client =
        mode === 'planned'
          ? new GenesysApiClient({
              apiBase: opts.target.apiBase,
              tokens,
              bucket: new TokenBucket({ ratePerMinute: opts.usablePerToken * scale }),
              onResponse,
              backoff: { baseMs: Math.max(5, minuteMs / 120), maxMs: minuteMs / 4 },
            })
          : // Naive: one shared token, no pacing, Retry-After ignored (a 429 is just an error sample).
            new GenesysApiClient({
              apiBase: opts.target.apiBase,
              tokens,
              bucket: new IgnoringBucket({ ratePerMinute: 1e12 }),
              maxAttempts: 1,
              onResponse,
            });
      await tokens.getToken(); // tokens exist before the clock starts, as in a runner's setUp
      lanes.push({ client, shardBucket });
    }
  }

  const vus = plan.virtualUsers;
  const periodMs = minuteMs / (opts.requestsPerUserPerMinute * loadScale);
  const runMs = (opts.scenarioSeconds * minuteMs) / 60;
  const rampMs = Math.min((plan.rampUpSec * minuteMs) / 60, runMs / 4);
  const spreadMs = Math.max(rampMs, periodMs);
  const pick = endpointPicker(opts.endpoints);
  const hasJobSubmit = opts.endpoints.find((e) => e.method === 'POST' && /\/details\/jobs$/.test(e.path));
  const statusEndpoint = opts.endpoints.find((e) => e.method === 'GET' && e.path.endsWith('/jobs/{jobId}'));
  const successes: number[] = [];
  const e2e: number[] = [];
  let failed = 0;
  let ok = 0;
  let throttledSoFar = 0;
  let errorsSoFar = 0;
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;

  const progressEvery = runMs / 10;
  let nextProgress = progressEvery;
  const progress = setInterval(
    () => {
      if (elapsed() < nextProgress) return;
      nextProgress += progressEvery;
      opts.onProgress?.({
        mode,
        scenarioSecond: Math.round((elapsed() / minuteMs) * 60),
        ok,
        throttled: throttledSoFar,
        errors: errorsSoFar,
      });
    },
    Math.max(20, progressEvery / 4),
  );

  async function virtualUser(index: number): Promise<void> {
    // VUs are spread across shards, then across the tokens of their shard.
    const shard = index % sizing.shards;
    const lane = lanes[shard * sizing.tokensPerShard + (Math.floor(index / sizing.shards) % sizing.tokensPerShard)];
    let jobId: string | undefined;
    let jobState: string | undefined;
    let n = 0;
    let next = (index / vus) * spreadMs;
    while (next < runMs) {
      await sleep(next - elapsed());
      let ep = pick(index * 7919 + n++);
      if (ep.path.includes('{jobId}') && !jobId && hasJobSubmit) ep = hasJobSubmit;
      // Like a runner: poll the job's status until it is FULFILLED before asking for results.
      if (ep.path.endsWith('{jobId}/results') && jobState !== 'FULFILLED' && statusEndpoint) ep = statusEndpoint;
      const path = ep.path
        .replace('{conversationId}', `rehearsal-${index}-${n}`)
        .replace('{communicationId}', `comm-${index}`)
        .replace('{jobId}', jobId ?? randomUUID())
        .replace('{namespace}', 'platform.api')
        .replace(/\{[^/}]+\}/g, () => randomUUID());
      const body =
        ep.method === 'POST'
          ? /analytics\/conversations\/details/.test(ep.path)
            ? { interval: `${new Date(Date.now() - 3600_000).toISOString()}/${new Date().toISOString()}` }
            : /messages$/.test(ep.path)
              ? { textBody: `rehearsal message ${n}` }
              : {}
          : undefined;
      const t0 = elapsed();
      try {
        if (lane.shardBucket) await lane.shardBucket.take();
        const res = await lane.client.request<{ jobId?: string; state?: string }>(ep.method, path, body);
        if (res.status < 300) {
          ok++;
          successes.push(elapsed());
          if (ep.method === 'POST' && res.body?.jobId) {
            jobId = res.body.jobId;
            jobState = undefined;
          } else if (res.body?.state) jobState = res.body.state;
        } else {
          errorsSoFar++;
        }
        e2e.push(elapsed() - t0);
      } catch (err) {
        failed++;
        if (err instanceof GenesysApiError && err.status === 429) throttledSoFar++;
        else errorsSoFar++;
      }
      // Constant throughput per user; a late request pushes the next one back instead of bursting.
      next = Math.max(next + periodMs, elapsed());
    }
  }

  await Promise.all(Array.from({ length: vus }, (_, i) => virtualUser(i)));
  clearInterval(progress);
  const realMs = elapsed();

  const steady = successes.filter((t) => t >= rampMs).length;
  const steadyMinutes = (Math.max(runMs, realMs) - rampMs) / minuteMs;
  const throttled = attempts.filter((a) => a.status === 429).length;
  return {
    scenario: plan.name,
    mode,
    virtualUsers: vus,
    shards: sizing.shards,
    clients: sizing.clients,
    tokens: sizing.tokens,
    scenarioSeconds: opts.scenarioSeconds,
    minuteMs,
    loadScale,
    realMs: Math.round(realMs),
    targetPerMinute: plan.requestsPerMinute,
    achievedPerMinute: Math.round(steadyMinutes > 0 ? steady / steadyMinutes / loadScale : 0),
    attempts: attempts.length,
    ok: attempts.filter((a) => a.status >= 200 && a.status < 300).length,
    throttled,
    throttledShare: attempts.length ? throttled / attempts.length : 0,
    serverErrors: attempts.filter((a) => a.status >= 500 || a.status === 0).length,
    clientErrors: attempts.filter((a) => a.status >= 400 && a.status < 500 && a.status !== 429 && a.status !== 401).length,
    failed,
    latencyMs: summarize(attempts.map((a) => a.latencyMs)),
    endToEndScenarioMs: summarize(e2e.map((ms) => ms * scale)),
  };
}

/** The naive replay's bucket: no pacing, and a 429's pause is ignored, as the failing tests did. */
class IgnoringBucket extends TokenBucket {
  override deferUntil(): void {}
}

/** A fixed-width text table of results (planned and naive side by side). */
export function formatResults(results: readonly RehearsalResult[]): string {
  const header = [
    'scenario',
    'mode',
    'VUs',
    'shards',
    'clients',
    'tokens',
    'target/min',
    'achieved/min',
    'attempts',
    '2xx',
    '429',
    '429 %',
    '5xx',
    'other 4xx',
    'failed',
    'p50 ms',
    'p95 ms',
    'p99 ms',
  ];
  const rows = results.map((r) => [
    r.scenario,
    r.mode,
    String(r.virtualUsers),
    String(r.shards),
    String(r.clients),
    String(r.tokens),
    String(r.targetPerMinute),
    String(r.achievedPerMinute),
    String(r.attempts),
    String(r.ok),
    String(r.throttled),
    (r.throttledShare * 100).toFixed(2),
    String(r.serverErrors),
    String(r.clientErrors),
    String(r.failed),
    r.latencyMs.p50.toFixed(1),
    r.latencyMs.p95.toFixed(1),
    r.latencyMs.p99.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export interface Compression {
  /** Real ms per scenario minute. */
  readonly minuteMs: number;
  /** Share of the load replayed; `perToken * loadScale` is an integer. */
  readonly loadScale: number;
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

/** A replay counts only when it reached its rate; below this share of the target it fails. */
export const MIN_ACHIEVED_SHARE = 0.9;

/**
 * Why a planned replay of a scenario within budget proves nothing: it achieved less than 90 %
 * of the target, so the simulator's window or the machine could not keep up. Undefined when it
 * reached its rate (naive replays and scenarios over budget on purpose are expected to fall short).
 */
export function underTarget(r: RehearsalResult, verdict: string): string | undefined {
  if (r.mode !== 'planned' || verdict !== 'ok' || r.targetPerMinute <= 0) return undefined;
  const share = r.achievedPerMinute / r.targetPerMinute;
  if (share >= MIN_ACHIEVED_SHARE) return undefined;
  return (
    `${r.scenario}: the planned replay achieved ${r.achievedPerMinute}/min, ${(share * 100).toFixed(1)} % of the target ${r.targetPerMinute}/min ` +
    `(below ${MIN_ACHIEVED_SHARE * 100} %): the simulator window (${r.minuteMs} ms per scenario minute, load scale ${r.loadScale.toFixed(3)}) or this machine could not keep up, ` +
    'so this run says nothing about the plan; rerun with a longer --minute-ms or a smaller --load-scale, on a less busy machine'
  );
}
