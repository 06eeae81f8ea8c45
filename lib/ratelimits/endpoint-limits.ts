/**
 * Endpoint limits an environment declares (`genesys.endpointLimits`): limits Genesys Cloud
 * publishes per endpoint or namespace, or that users learn the hard way. They become limits the
 * planner, the simulator and the rehearsal treat like the catalogue's.
 */
import type { EndpointLimitConfig } from '../config/schema';
import type { LimitScope, LimitSpec } from '../genesys-facts/limits';

/** The name a declared limit goes by in findings, 429 bodies and the simulator. */
export function endpointLimitName(l: Pick<EndpointLimitConfig, 'method' | 'path' | 'scope' | 'name'>): string {
  return l.name ?? `${l.method} ${l.path} (${l.scope})`;
}

/** The catalogue scope of a declared limit: an org-wide endpoint budget is the catalogue's `endpoint` scope. */
const SCOPE: Record<EndpointLimitConfig['scope'], LimitScope> = { org: 'endpoint', client: 'client', token: 'token' };

/** Declared limits as catalogue entries (kind `rate`, confidence `declared`). */
export function endpointLimitSpecs(limits: readonly EndpointLimitConfig[]): LimitSpec[] {
  return limits.map((l) => ({
    name: endpointLimitName(l),
    namespace: l.namespace ?? 'declared',
    apiKey: l.apiKey,
    value: l.requestsPerMinute,
    unit: 'requests/min',
    kind: 'rate',
    scope: SCOPE[l.scope],
    appliesTo: [`${l.method} ${l.path}`],
    confidence: 'declared',
    source: l.source ?? 'genesys.endpointLimits of the environment',
  }));
}

/**
 * Parses the simulator's `--endpoint-limit "POST /api/v2/...=6000/min/org"` flag: METHOD PATH =
 * N / min or s / org, client or token. Throws a message naming the expected form.
 */
export function parseEndpointLimitFlag(text: string): EndpointLimitConfig {
  const m = /^\s*(GET|POST|PUT|PATCH|DELETE)\s+(\/api\/v2\/\S*)\s*=\s*(\d+)\s*\/\s*(min|s)\s*\/\s*(org|client|token)\s*$/i.exec(text);
  if (!m) {
    throw new Error(
      `--endpoint-limit must look like "POST /api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages=6000/min/org" (METHOD PATH=N/min|s/org|client|token; got ${JSON.stringify(text)})`,
    );
  }
  const n = Number(m[3]);
  if (n < 1) throw new Error(`--endpoint-limit: the limit must be at least 1 (got ${JSON.stringify(text)})`);
  return {
    method: m[1].toUpperCase() as EndpointLimitConfig['method'],
    path: m[2],
    requestsPerMinute: m[4].toLowerCase() === 's' ? n * 60 : n,
    scope: m[5].toLowerCase() as EndpointLimitConfig['scope'],
  };
}
