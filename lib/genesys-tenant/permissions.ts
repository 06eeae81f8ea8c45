/**
 * Least-privilege Genesys Cloud roles as data: which permissions each caller gets, derived from
 * the endpoint catalogue (lib/genesys-facts/endpoints.ts), and how a permission string becomes a
 * `genesyscloud_auth_role` permission policy. Pure TypeScript, no cdktf, so CLIs and tests share it.
 */
import { ConfigError } from '../config/errors';
import type { EnvironmentFile } from '../config/schema';
import { ENDPOINTS, type EndpointKind, type EndpointSpec } from '../genesys-facts/endpoints';
import { endpointField, resolveEndpoints } from '../ratelimits/endpoints';

/** `domain:entity:action`, each part letters and digits only (so never `*`). */
const PERMISSION = /^([A-Za-z][A-Za-z0-9]*):([A-Za-z][A-Za-z0-9]*):([A-Za-z][A-Za-z0-9]*)$/;

export interface Permission {
  readonly domain: string;
  readonly entity: string;
  readonly action: string;
}

/** One `permission_policies` block: every action the role has on one domain + entity. */
export interface PermissionPolicy {
  readonly domain: string;
  readonly entityName: string;
  readonly actionSet: readonly string[];
}

/** Parses `recording:recording:view`; rejects wildcards and anything not of the form domain:entity:action. */
export function parsePermission(permission: string, where = 'permission'): Permission {
  if (permission.includes('*')) {
    throw new Error(
      `${where}: ${JSON.stringify(permission)} contains a wildcard; least-privilege roles name each domain, entity and action`,
    );
  }
  const m = PERMISSION.exec(permission);
  if (!m) throw new Error(`${where}: ${JSON.stringify(permission)} is not a Genesys permission of the form domain:entity:action`);
  return { domain: m[1], entity: m[2], action: m[3] };
}

/**
 * Groups permissions into one policy per domain + entity (actions sorted, duplicates dropped),
 * in a stable order so the synthesized role never shows a spurious diff.
 */
export function permissionPolicies(permissions: Iterable<string>): PermissionPolicy[] {
  const byEntity = new Map<string, { domain: string; entityName: string; actions: Set<string> }>();
  for (const p of permissions) {
    const { domain, entity, action } = parsePermission(p);
    const key = `${domain}:${entity}`;
    const entry = byEntity.get(key) ?? { domain, entityName: entity, actions: new Set<string>() };
    entry.actions.add(action);
    byEntity.set(key, entry);
  }
  return [...byEntity.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, e]) => ({ domain: e.domain, entityName: e.entityName, actionSet: [...e.actions].sort() }));
}

/** Back to strings (`domain:entity:action`), sorted: what a role's policies grant. */
export function permissionsOf(policies: readonly PermissionPolicy[]): string[] {
  return policies.flatMap((p) => p.actionSet.map((a) => `${p.domain}:${p.entityName}:${a}`)).sort();
}

/** Who calls the Platform API with its own OAuth client and role. */
export type Caller = 'runner' | 'metadataWorker' | 'reportWorker';

/** The suffix of each caller's role name: the stack names the role `<resourcePrefix>-<suffix>`. */
export const ROLE_SUFFIX: Readonly<Record<Caller, string>> = {
  runner: 'runner',
  metadataWorker: 'metadata-worker',
  reportWorker: 'report-worker',
};

/** The name of a caller's role in the org (what `<env>-genesys` creates and preflight looks up). */
export const roleName = (resourcePrefix: string, caller: Caller): string => `${resourcePrefix}-${ROLE_SUFFIX[caller]}`;

/** A permission and why the role holds it (shown in plan summaries and docs/genesys-stack.md). */
export interface Grant {
  readonly permission: string;
  /** The endpoints (`METHOD path`) that need it, or the reason it is added on top of them. */
  readonly because: readonly string[];
}

/**
 * Endpoint kinds each worker calls. The metadata worker fetches what the load must not fetch
 * synchronously; the report worker runs async details jobs and reads rate-limit and usage telemetry.
 */
export const WORKER_ENDPOINT_KINDS: Readonly<Record<Exclude<Caller, 'runner'>, readonly EndpointKind[]>> = {
  metadataWorker: ['recording-metadata'],
  reportWorker: ['analytics-job', 'telemetry'],
};

/**
 * Permissions a caller needs beyond "the first permission of each endpoint". Each one is a
 * deliberate, reviewed exception with its reason.
 */
export const EXTRA_GRANTS: Readonly<Record<Caller, readonly Grant[]>> = {
  runner: [],
  metadataWorker: [
    {
      permission: 'recording:screenRecording:view',
      // GET .../recordings accepts any of four permissions; the first (recording:recording:view) is
      // about conversation media, and the worker must also see the screen recordings of the session.
      because: ['screen recordings of a conversation (the worker archives their metadata with the other recordings)'],
    },
  ],
  reportWorker: [],
};

/** The endpoints a worker calls: every catalogue entry of its kinds. */
export function workerEndpoints(caller: Exclude<Caller, 'runner'>, catalogue: readonly EndpointSpec[] = ENDPOINTS): EndpointSpec[] {
  const kinds = WORKER_ENDPOINT_KINDS[caller];
  return catalogue.filter((e) => kinds.includes(e.kind));
}

/**
 * The endpoints the environment's scenarios call, resolved by the planner's one resolver
 * (lib/ratelimits/endpoints.ts). An endpoint it rejects (not a Platform API path, or unknown to
 * the catalogue, so no permission is known) gets no role: ConfigError naming the field and the
 * fix. Endpoints it only warns about are granted like any other.
 */
export function runnerEndpoints(config: EnvironmentFile, label = 'environment'): EndpointSpec[] {
  const problems: string[] = [];
  const found: EndpointSpec[] = [];
  config.loadProfile.scenarios.forEach((s, i) => {
    const { endpoints, findings } = resolveEndpoints(s);
    for (const f of findings) if (f.severity === 'error') problems.push(`${label}: ${endpointField(i, f.index)} ${f.message}`);
    for (const e of endpoints) if (!found.includes(e.spec)) found.push(e.spec);
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return found;
}

/** The first permission of each endpoint (the table's choice), plus the caller's extra grants. */
export function grantsFor(endpoints: readonly EndpointSpec[], extra: readonly Grant[] = []): Grant[] {
  const because = new Map<string, string[]>();
  const add = (permission: string, reason: string) => {
    parsePermission(permission, reason);
    const list = because.get(permission) ?? [];
    if (!list.includes(reason)) list.push(reason);
    because.set(permission, list);
  };
  for (const e of endpoints) {
    if (e.anyOf.length > 0) add(e.anyOf[0], `${e.method} ${e.path}`);
  }
  for (const g of extra) for (const reason of g.because) add(g.permission, reason);
  return [...because.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([permission, reasons]) => ({ permission, because: reasons }));
}

export interface RolePlan {
  readonly caller: Caller;
  readonly endpoints: readonly EndpointSpec[];
  readonly grants: readonly Grant[];
  readonly policies: readonly PermissionPolicy[];
}

/** The three roles of an environment: runner (its scenarios' endpoints), metadata worker, report worker. */
export function planRoles(config: EnvironmentFile, label?: string): Record<Caller, RolePlan> {
  const plan = (caller: Caller, endpoints: EndpointSpec[]): RolePlan => {
    const grants = grantsFor(endpoints, EXTRA_GRANTS[caller]);
    return { caller, endpoints, grants, policies: permissionPolicies(grants.map((g) => g.permission)) };
  };
  return {
    runner: plan('runner', runnerEndpoints(config, label)),
    metadataWorker: plan('metadataWorker', workerEndpoints('metadataWorker')),
    reportWorker: plan('reportWorker', workerEndpoints('reportWorker')),
  };
}
