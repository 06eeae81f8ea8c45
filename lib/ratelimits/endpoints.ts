/**
 * The one endpoint resolver: a scenario's configured endpoints looked up in the catalogue
 * (lib/genesys-facts/endpoints.ts) and judged by one rule table. The planner, the Genesys roles
 * (lib/genesys-tenant/permissions.ts) and the JMeter generator all read its answer, so an endpoint is an
 * error or a warning in the same words everywhere:
 *
 *   error    the path is not a Platform API path, or the catalogue does not know it (so no
 *            permission and no request shape is known): the scenario is invalid and nothing is
 *            generated or granted for it.
 *   warning  a call that works but belongs elsewhere (one recording at a time, recording metadata
 *            in the load, the synchronous analytics query): the plan, the role and the JMeter
 *            plan include it, and say what to use instead.
 */
import type { ScenarioConfig } from '../config/schema';
import { findEndpoint, nonexistentEndpoint, type EndpointKind, type EndpointSpec, type HttpMethod } from '../genesys-facts/endpoints';
import { sameTemplate } from './catalogue';

export type EndpointFindingCode =
  'nonexistent-endpoint' | 'unknown-endpoint' | 'per-recording-fetch' | 'sync-recording-metadata' | 'sync-analytics-query';

/** A scenario endpoint found in the catalogue, with its share of the scenario's requests. */
export interface ResolvedEndpoint {
  readonly method: HttpMethod;
  /** The catalogue's path template (`{param}` placeholders), whatever form the scenario wrote. */
  readonly path: string;
  /** What kind of call it is (lib/genesys-facts/endpoints.ts). */
  readonly kind: EndpointKind;
  readonly weight: number;
  /** weight / the scenario's total weight, 0..1. */
  readonly share: number;
  /** The catalogue entry (permissions, summary). */
  readonly spec: EndpointSpec;
  /** Position in the scenario's `endpoints` (for field names in messages). */
  readonly index: number;
}

export interface EndpointFinding {
  readonly severity: 'error' | 'warning';
  readonly code: EndpointFindingCode;
  /** Starts with `METHOD path`, so callers can prefix the field. */
  readonly message: string;
  /** Position in the scenario's `endpoints`. */
  readonly index: number;
}

interface Lookup {
  readonly method: string;
  readonly path: string;
  readonly spec?: EndpointSpec;
}

interface EndpointRule {
  readonly code: EndpointFindingCode;
  readonly severity: 'error' | 'warning';
  /** The message after `METHOD path`, or undefined when the rule does not apply. */
  readonly check: (e: Lookup) => string | undefined;
}

const ONE_RECORDING = '/api/v2/conversations/{conversationId}/recordings/{recordingId}';

/** The rule table, first match wins; an endpoint no rule matches is fine. Errors come first. */
export const ENDPOINT_RULES: readonly EndpointRule[] = [
  {
    code: 'nonexistent-endpoint',
    severity: 'error',
    check: (e) => {
      const missing = nonexistentEndpoint(e.path);
      return missing && `is not a Genesys Cloud Platform API endpoint; call ${missing.useInstead.join(' or ')} instead`;
    },
  },
  {
    code: 'unknown-endpoint',
    severity: 'error',
    check: (e) =>
      e.spec
        ? undefined
        : 'has no known permissions; add it to lib/genesys-facts/endpoints.ts (with its "Requires ANY permissions" from the API reference) or correct the path',
  },
  {
    code: 'per-recording-fetch',
    severity: 'warning',
    check: (e) =>
      e.spec?.method === 'GET' && sameTemplate(e.spec.path, ONE_RECORDING)
        ? 'fetches recordings one at a time; archive them with a recording bulk job (POST /api/v2/recording/jobs, action EXPORT to the S3 integration, at most 2 per org) or POST /api/v2/recording/batchrequests (up to 100 per request)'
        : undefined,
  },
  {
    code: 'sync-recording-metadata',
    severity: 'warning',
    check: (e) =>
      e.spec?.kind === 'recording-metadata'
        ? 'fetches recording metadata synchronously in the load; production gets it from events: let the metadata worker (event pipeline) do it'
        : undefined,
  },
  {
    code: 'sync-analytics-query',
    severity: 'warning',
    check: (e) =>
      e.spec?.kind === 'analytics-query'
        ? 'is the synchronous analytics query, not meant for polling or bulk reads; use POST /api/v2/analytics/conversations/details/jobs (the report worker does)'
        : undefined,
  },
];

/** The first rule an endpoint breaks, as a finding. */
export function judgeEndpoint(method: string, path: string, index = 0): EndpointFinding | undefined {
  const lookup: Lookup = { method, path, spec: findEndpoint(method, path) };
  for (const rule of ENDPOINT_RULES) {
    const why = rule.check(lookup);
    if (why) return { severity: rule.severity, code: rule.code, message: `${method} ${path} ${why}`, index };
  }
  return undefined;
}

/** Resolves every endpoint of a scenario: the catalogue entries it calls (errors left out) and every finding. */
export function resolveEndpoints(s: Pick<ScenarioConfig, 'endpoints'>): { endpoints: ResolvedEndpoint[]; findings: EndpointFinding[] } {
  const total = s.endpoints.reduce((sum, e) => sum + (e.weight ?? 1), 0);
  const endpoints: ResolvedEndpoint[] = [];
  const findings: EndpointFinding[] = [];
  s.endpoints.forEach((ep, index) => {
    const finding = judgeEndpoint(ep.method, ep.path, index);
    if (finding) findings.push(finding);
    const spec = findEndpoint(ep.method, ep.path);
    if (!spec || finding?.severity === 'error') return;
    const weight = ep.weight ?? 1;
    endpoints.push({ method: spec.method, path: spec.path, kind: spec.kind, weight, share: weight / total, spec, index });
  });
  return { endpoints, findings };
}

/** `loadProfile.scenarios[i].endpoints[j]`: the field a finding is about. */
export const endpointField = (scenarioIndex: number, endpointIndex: number): string =>
  `loadProfile.scenarios[${scenarioIndex}].endpoints[${endpointIndex}]`;
