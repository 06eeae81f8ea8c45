/**
 * Faults the simulator can inject, set at start, by `--faults` or through `POST /__sim/faults`.
 * Every rate is a share in [0, 1]; draws come from a seeded generator so runs repeat.
 */
export type LatencySpec =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  /** `minMs` plus an exponential tail with mean `meanMs` (a long-tailed service). */
  | { readonly kind: 'exponential'; readonly minMs: number; readonly meanMs: number };

export interface Faults {
  /** Share of API calls (after auth and limits) answered with `errorStatus`. */
  readonly errorRate?: number;
  /** 500, 502, 503 or 504. Default 503. */
  readonly errorStatus?: number;
  /** Added before every API response. */
  readonly latency?: LatencySpec;
  /** Share of 429 responses sent without `Retry-After` (and without `x-sim-retry-after-ms`). */
  readonly missingRetryAfterRate?: number;
  /** Recordings of a conversation answer 404 until this many ms after the conversation was first seen. */
  readonly recordingsAvailableAfterMs?: number;
  /** Share of analytics jobs that end FAILED instead of FULFILLED. */
  readonly jobFailureRate?: number;
  /** Share of API calls answered only after `stallMs` (the request is processed; the answer comes too late for a client timeout). */
  readonly stallRate?: number;
  /** How long a stalled call waits before answering. Default 35000 (past the client's default 30 s timeout). */
  readonly stallMs?: number;
  /** Limit `errorRate` and `stallRate` to these endpoints (`METHOD /path/template`, as in the stats). Default: all. */
  readonly onlyEndpoints?: readonly string[];
  /** Share of admitted API calls answered 429 anyway, with Retry-After (a throttle the client cannot foresee). */
  readonly throttleRate?: number;
  /** The wait those injected 429s ask for, in real ms (`x-sim-retry-after-ms`; `Retry-After` rounded up). Default 1000. */
  readonly throttleRetryAfterMs?: number;
  /** The first this many admitted API calls are answered 429 like `throttleRate`'s (a throttle from the very first request). */
  readonly throttleFirst?: number;
  /** The first this many token requests are answered 400 invalid_request "rate limit exceeded" (Genesys's token-creation form). */
  readonly tokenLimitFirst?: number;
  /** The first this many token requests get their connection closed without an answer (a network blip at start). */
  readonly tokenDropFirst?: number;
}

/** Validates faults (from JSON or flags); throws a message naming the field and the fix. */
export function validateFaults(raw: unknown): Faults {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('faults must be a JSON object');
  const f = raw as Record<string, unknown>;
  const known = [
    'errorRate',
    'errorStatus',
    'latency',
    'missingRetryAfterRate',
    'recordingsAvailableAfterMs',
    'jobFailureRate',
    'stallRate',
    'stallMs',
    'onlyEndpoints',
    'throttleRate',
    'throttleRetryAfterMs',
    'throttleFirst',
    'tokenLimitFirst',
    'tokenDropFirst',
  ];
  const unknown = Object.keys(f).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`faults: unknown field ${unknown.join(', ')}; allowed: ${known.join(', ')}`);
  const share = (name: string): void => {
    const v = f[name];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1))
      throw new Error(`faults.${name} must be a number from 0 to 1 (got ${JSON.stringify(v)})`);
  };
  share('errorRate');
  share('missingRetryAfterRate');
  share('jobFailureRate');
  share('stallRate');
  if (f.stallMs !== undefined && !(typeof f.stallMs === 'number' && f.stallMs >= 0))
    throw new Error(`faults.stallMs must be a number >= 0 (got ${JSON.stringify(f.stallMs)})`);
  share('throttleRate');
  const wait = f.throttleRetryAfterMs;
  if (wait !== undefined && !(typeof wait === 'number' && wait >= 1))
    throw new Error(`faults.throttleRetryAfterMs must be a number >= 1 (got ${JSON.stringify(wait)})`);
  for (const name of ['throttleFirst', 'tokenLimitFirst', 'tokenDropFirst']) {
    const v = f[name];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0))
      throw new Error(`faults.${name} must be a whole number >= 0 (got ${JSON.stringify(v)})`);
  }
  if (f.errorStatus !== undefined && ![500, 502, 503, 504].includes(f.errorStatus as number)) {
    throw new Error(`faults.errorStatus must be 500, 502, 503 or 504 (got ${JSON.stringify(f.errorStatus)})`);
  }
  const ms = f.recordingsAvailableAfterMs;
  if (ms !== undefined && !(typeof ms === 'number' && ms >= 0))
    throw new Error(`faults.recordingsAvailableAfterMs must be a number >= 0 (got ${JSON.stringify(ms)})`);
  if (f.latency !== undefined) validateLatency(f.latency);
  const only = f.onlyEndpoints;
  if (only !== undefined && !(Array.isArray(only) && only.every((e) => typeof e === 'string' && /^[A-Z]+ \//.test(e)))) {
    throw new Error(
      `faults.onlyEndpoints must be a list like ["POST /api/v2/analytics/conversations/details/jobs"] (got ${JSON.stringify(only)})`,
    );
  }
  return f as Faults;
}

function validateLatency(raw: unknown): void {
  const l = raw as Record<string, unknown>;
  const nonNeg = (name: string): boolean => typeof l[name] === 'number' && (l[name] as number) >= 0;
  const ok =
    (l?.kind === 'fixed' && nonNeg('ms')) ||
    (l?.kind === 'uniform' && nonNeg('minMs') && nonNeg('maxMs') && (l.maxMs as number) >= (l.minMs as number)) ||
    (l?.kind === 'exponential' && nonNeg('minMs') && nonNeg('meanMs'));
  if (!ok) {
    throw new Error(
      `faults.latency must be {"kind":"fixed","ms"}, {"kind":"uniform","minMs","maxMs"} or {"kind":"exponential","minMs","meanMs"} (got ${JSON.stringify(raw)})`,
    );
  }
}

/**
 * Parses the `--faults` flag: comma-separated `name=value`, e.g.
 * `error-rate=0.05,error-status=502,latency=uniform:20:80,no-retry-after=0.5,recordings-after-ms=2000,job-failure=0.2,stall=0.01:5000,throttle=0.02,throttle-retry-after-ms=1500,throttle-first=5,token-limit-first=3,token-drop-first=3`
 * (`stall=RATE[:MS]`).
 * Latency forms: `fixed:MS`, `uniform:MIN:MAX`, `exp:MIN:MEAN`.
 */
export function parseFaultsFlag(text: string): Faults {
  const out: Record<string, unknown> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=');
    if (value === undefined) throw new Error(`--faults: "${part}" must be name=value`);
    const num = Number(value);
    switch (name) {
      case 'error-rate':
        out.errorRate = num;
        break;
      case 'error-status':
        out.errorStatus = num;
        break;
      case 'no-retry-after':
        out.missingRetryAfterRate = num;
        break;
      case 'recordings-after-ms':
        out.recordingsAvailableAfterMs = num;
        break;
      case 'job-failure':
        out.jobFailureRate = num;
        break;
      case 'stall': {
        // stall=RATE or stall=RATE:MS
        const [rate, ms] = value.split(':');
        out.stallRate = Number(rate);
        if (ms !== undefined) out.stallMs = Number(ms);
        break;
      }
      case 'throttle':
        out.throttleRate = num;
        break;
      case 'throttle-retry-after-ms':
        out.throttleRetryAfterMs = num;
        break;
      case 'throttle-first':
        out.throttleFirst = num;
        break;
      case 'token-limit-first':
        out.tokenLimitFirst = num;
        break;
      case 'token-drop-first':
        out.tokenDropFirst = num;
        break;
      case 'latency': {
        const [kind, a, b] = value.split(':');
        if (kind === 'fixed') out.latency = { kind, ms: Number(a) };
        else if (kind === 'uniform') out.latency = { kind, minMs: Number(a), maxMs: Number(b) };
        else if (kind === 'exp') out.latency = { kind: 'exponential', minMs: Number(a), meanMs: Number(b) };
        else throw new Error(`--faults: latency must be fixed:MS, uniform:MIN:MAX or exp:MIN:MEAN (got ${value})`);
        break;
      }
      default:
        throw new Error(
          `--faults: unknown fault "${name}"; use error-rate, error-status, latency, no-retry-after, recordings-after-ms, job-failure, stall, throttle, throttle-retry-after-ms, throttle-first, token-limit-first, token-drop-first`,
        );
    }
  }
  return validateFaults(out);
}

/** Repeatable fault draws for a given seed. */

export function sampleLatency(spec: LatencySpec | undefined, random: () => number): number {
  if (!spec) return 0;
  switch (spec.kind) {
    case 'fixed':
      return spec.ms;
    case 'uniform':
      return spec.minMs + (spec.maxMs - spec.minMs) * random();
    case 'exponential':
      return spec.minMs - spec.meanMs * Math.log(1 - random());
  }
}
