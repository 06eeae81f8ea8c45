/**
 * Rate-limit admission: which limits a request counts against (the catalogue's per-token and
 * per-client limits from lib/ratelimits, an environment's endpoint limits), the
 * `inin-ratelimit-*` headers, and the 429 the simulator answers when one of them is full.
 */
import type { EndpointLimitConfig } from '../lib/config/schema';
import { limitValue, resolveLimits, sameTemplate } from '../lib/ratelimits/catalogue';
import { CLIENT_LIMIT, TOKEN_CREATION_LIMIT, TOKEN_LIMIT } from '../lib/genesys-facts/limits';
import { endpointLimitName } from '../lib/ratelimits/endpoint-limits';
import { errorBody, type Reply } from './http';
import type { LimitCheck, LimitVerdict } from './limiter';

/** A limit the simulator enforces on one endpoint on top of the per-token and per-client limits. */
export interface EndpointLimit {
  readonly method: string;
  /** Path template as in lib/genesys-facts/endpoints.ts, e.g. `/api/v2/analytics/conversations/details/query`. */
  readonly path: string;
  /** Requests per window. */
  readonly perWindow: number;
  /** Counted per token, per OAuth client, or once for the whole org. */
  readonly scope: 'token' | 'client' | 'org';
  /** Limit name reported in 429 bodies. Default `<path>.rate.per.minute`. */
  readonly name?: string;
}

export interface SimLimits {
  /** Requests per window per access token. */
  readonly perToken: number;
  /** Requests per window per OAuth client (org + client). */
  readonly perClient: number;
  /** Tokens one OAuth client may create per window. */
  readonly tokenCreationPerClient: number;
  readonly endpoints: readonly EndpointLimit[];
}

/** An environment's `genesys.endpointLimits` as the simulator enforces them (a window is a minute). */
export function simEndpointLimits(declared: readonly EndpointLimitConfig[]): EndpointLimit[] {
  return declared.map((l) => ({
    method: l.method,
    path: l.path,
    perWindow: l.requestsPerMinute,
    scope: l.scope,
    name: endpointLimitName(l),
  }));
}

/** The catalogue's values (lib/ratelimits), with an environment's `genesys.limits` overrides and endpoint limits. */
export function catalogueLimits(
  overrides: Readonly<Record<string, number>> = {},
  endpointLimits: readonly EndpointLimitConfig[] = [],
): SimLimits {
  const limits = resolveLimits(overrides);
  return {
    perToken: Math.min(limitValue(limits, TOKEN_LIMIT), limitValue(limits, 'token.rate.per.minute')),
    perClient: limitValue(limits, CLIENT_LIMIT),
    tokenCreationPerClient: limitValue(limits, TOKEN_CREATION_LIMIT),
    endpoints: simEndpointLimits(endpointLimits),
  };
}

/** The catalogue's limits with the given ones on top; throws a RangeError naming a limit that is not a whole number >= 1. */
export function simLimits(given: Partial<SimLimits> = {}): SimLimits {
  const limits: SimLimits = { ...catalogueLimits(), ...given };
  for (const [name, v] of [
    ['perToken', limits.perToken],
    ['perClient', limits.perClient],
    ['tokenCreationPerClient', limits.tokenCreationPerClient],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`limits.${name} must be an integer >= 1 (got ${v})`);
  }
  return limits;
}

/** The limits an API call counts against: its token, its client, and every endpoint limit of its route. */
export function apiLimitChecks(
  limits: SimLimits,
  token: { readonly label: string; readonly clientId: string },
  template: string | undefined,
  method: string,
): LimitCheck[] {
  const checks: LimitCheck[] = [
    { key: `token:${token.label}`, name: TOKEN_LIMIT, allowed: limits.perToken },
    { key: `client:${token.clientId}`, name: CLIENT_LIMIT, allowed: limits.perClient },
  ];
  for (const e of limits.endpoints) {
    if (template === undefined || !sameTemplate(template, e.path) || e.method.toUpperCase() !== method) continue;
    const owner = e.scope === 'token' ? token.label : e.scope === 'client' ? token.clientId : 'org';
    checks.push({ key: `endpoint:${method} ${e.path}:${owner}`, name: e.name ?? `${e.path}.rate.per.minute`, allowed: e.perWindow });
  }
  return checks;
}

/** The limit a token request counts against: tokens created by its client. */
export const tokenCreationCheck = (limits: SimLimits, clientId: string): LimitCheck => ({
  key: `token-creation:${clientId}`,
  name: TOKEN_CREATION_LIMIT,
  allowed: limits.tokenCreationPerClient,
});

/** `inin-ratelimit-*` of the verdict's binding limit. */
export const rateHeaders = (verdict: LimitVerdict): Record<string, string> => ({
  'inin-ratelimit-count': String(verdict.count),
  'inin-ratelimit-allowed': String(verdict.binding.allowed),
  'inin-ratelimit-reset': String(Math.ceil(verdict.resetMs / 1000)),
});

/**
 * The 429 of a refused request: `Retry-After` in whole seconds (as HTTP requires) and the exact
 * wait in `x-sim-retry-after-ms`, both left out when `dropRetryAfter` (the no-retry-after fault).
 */
export function throttledReply(verdict: LimitVerdict, contextId: string, dropRetryAfter: boolean): Reply {
  const waitMs = verdict.retryAfterMs!;
  const seconds = Math.ceil(waitMs / 1000);
  return {
    status: 429,
    retryAfterMs: dropRetryAfter ? null : Math.ceil(waitMs),
    headers: dropRetryAfter ? {} : { 'retry-after': String(seconds), 'x-sim-retry-after-ms': String(Math.ceil(waitMs)) },
    body: {
      ...errorBody(
        429,
        'too.many.requests.retry.after',
        `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`,
        contextId,
      ),
      messageParams: { limit: verdict.binding.name },
    },
  };
}
