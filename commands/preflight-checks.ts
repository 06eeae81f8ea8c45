/**
 * The checks behind `npm run preflight`: each unconfirmed fact (docs/unconfirmed-facts.md) read
 * from the org through the Platform API. Endpoints, their permissions and models, from the
 * Genesys SDKs' docs (build/docs/IntegrationsApi.md, NotificationsApi.md, OrganizationApi.md,
 * OAuthApi.md, AuthorizationApi.md; models IntegrationType, CredentialSpecification,
 * JsonSchemaDocument, CredentialType, AvailableTopic, OAuthClient):
 * - GET /api/v2/integrations/types/{typeId} and /api/v2/integrations/types (integrations:integration:view)
 * - GET /api/v2/integrations/types/{typeId}/configschemas/properties (integrations:integration:view)
 * - GET /api/v2/integrations/credentials/types (integrations:integration:view)
 * - GET /api/v2/notifications/availabletopics?expand=transports (no permission)
 * - GET /api/v2/organizations/limits/namespaces/{namespace} (no permission; commands/limits-fetch.ts)
 * - GET /api/v2/authorization/roles?name=, /api/v2/authorization/divisions/home, /api/v2/oauth/clients/{clientId}
 *   (authorization:role:view, authorization:division:view, oauth:client:view)
 */
import type { EnvironmentFile } from '../lib/config/schema';
import { GenesysApiError, type GenesysApiClient } from '../lib/genesys-client';
import { planRoles, roleName, type Caller } from '../lib/genesys-tenant/permissions';
import { resolveLimits } from '../lib/ratelimits/catalogue';
import { LIMIT_CATALOGUE, TOKEN_CREATION_LIMIT, type LimitSpec } from '../lib/genesys-facts/limits';
import { ANALYTICS_AVAILABILITY_TOPIC } from '../lib/contracts/topics';
import { fetchNamespaceLimits, LimitsApiError, matchCatalogue, tokenCreationEntry, type LimitEntry } from './limits-fetch';

/** One line of the preflight: ✓ confirmed, ✗ to fix (field and value), ? the API refused or could not say. */
export interface FactLine {
  readonly mark: '✓' | '✗' | '?';
  readonly fact: string;
  readonly text: string;
  /** The environment-file field this fact lives in and the org's value (written by --write, confirmed or corrected). */
  readonly set?: { readonly path: readonly string[]; readonly value: unknown };
}

type Read<T> = { readonly ok: T } | { readonly status: number; readonly refused?: string };

/** A GET whose 403 and 404 are answers, not failures; other failures throw (the client already retried them). */
async function read<T>(api: GenesysApiClient, path: string, permission: string): Promise<Read<T>> {
  const res = await api.get<T>(path);
  if (res.status === 200) return { ok: res.body };
  if (res.status === 403 || res.status === 401) {
    const need = permission ? `the admin client needs ${permission}` : 'the admin client was refused';
    return { status: res.status, refused: `GET ${path.split('?')[0]} refused (HTTP ${res.status}); ${need}` };
  }
  if (res.status === 404) return { status: 404 };
  throw new GenesysApiError(`GET ${path}: HTTP ${res.status}`, { method: 'GET', path, status: res.status, attempts: 1, body: res.body });
}

const VIEW = 'integrations:integration:view';
const field = (name: string): string[] => ['genesys', 'recordingExport', name];
const q = (v: unknown): string => JSON.stringify(v);

interface IntegrationTypeBody {
  readonly id: string;
  readonly name?: string;
  readonly credentials?: Record<string, { credentialTypes?: string[] }>;
}
interface CredentialTypeBody {
  readonly name: string;
  readonly properties?: Record<string, unknown>;
}

/** A ✗ line that names the field and the value to set. */
function fix(fact: string, what: string, path: string[], value: unknown): FactLine {
  return { mark: '✗', fact, text: `${what}; set ${path.join('.')} to ${q(value)}`, set: { path, value } };
}

/** Facts 1-4: the S3 recording export integration type, its bucket property, credentials key, credential type and field. */
export async function checkRecordingExport(api: GenesysApiClient, cfg: EnvironmentFile['genesys']['recordingExport']): Promise<FactLine[]> {
  const facts = ['integration type id', 'bucket name property', 'credentials key', 'credential type', 'credential field'];
  if (!cfg.enabled)
    return [{ mark: '✓', fact: 'recording export', text: 'genesys.recordingExport.enabled is false: facts 1-4 do not apply' }];
  const unanswered = (from: number, why: string): FactLine[] => facts.slice(from).map((fact) => ({ mark: '?', fact, text: why }));
  const lines: FactLine[] = [];
  let typeId = cfg.integrationType;
  let type = await read<IntegrationTypeBody>(api, `/api/v2/integrations/types/${encodeURIComponent(typeId)}`, VIEW);
  if ('refused' in type) return unanswered(0, type.refused!);
  if (!('ok' in type)) {
    const list = await read<{ entities?: IntegrationTypeBody[] }>(api, '/api/v2/integrations/types?pageSize=100', VIEW);
    const found =
      'ok' in list ? (list.ok.entities ?? []).find((t) => /s3/i.test(t.id) && /record/i.test(`${t.id} ${t.name ?? ''}`)) : undefined;
    if (!found) {
      lines.push({
        mark: '✗',
        fact: facts[0],
        text: `${q(typeId)} does not exist in this org and no S3 recording integration type is listed; ask Genesys to enable it, or set genesys.recordingExport.enabled to false`,
      });
      return [...lines, ...unanswered(1, 'needs the integration type')];
    }
    lines.push(
      fix(
        facts[0],
        `${q(typeId)} does not exist in this org; it lists ${q(found.id)} (${found.name ?? 'no name'})`,
        field('integrationType'),
        found.id,
      ),
    );
    typeId = found.id;
    type = { ok: found };
  } else lines.push({ mark: '✓', fact: facts[0], text: typeId, set: { path: field('integrationType'), value: typeId } });

  const schema = await read<{ properties?: Record<string, unknown> }>(
    api,
    `/api/v2/integrations/types/${encodeURIComponent(typeId)}/configschemas/properties`,
    VIEW,
  );
  if ('ok' in schema) {
    const props = Object.keys(schema.ok.properties ?? {});
    const bucket = props.find((p) => /bucket/i.test(p));
    if (props.includes(cfg.bucketNameProperty))
      lines.push({
        mark: '✓',
        fact: facts[1],
        text: cfg.bucketNameProperty,
        set: { path: field('bucketNameProperty'), value: cfg.bucketNameProperty },
      });
    else if (bucket)
      lines.push(
        fix(
          facts[1],
          `${typeId} has no property ${q(cfg.bucketNameProperty)}; its bucket property is ${q(bucket)}`,
          field('bucketNameProperty'),
          bucket,
        ),
      );
    else
      lines.push({
        mark: '✗',
        fact: facts[1],
        text: `no property of ${typeId} names a bucket (it has ${props.join(', ') || 'none'}); set genesys.recordingExport.bucketNameProperty to the one that holds it`,
      });
  } else lines.push({ mark: '?', fact: facts[1], text: schema.refused ?? `the properties schema of ${typeId} was not found (HTTP 404)` });

  const credentials = type.ok.credentials ?? {};
  const keys = Object.keys(credentials);
  let key = cfg.credentialsKey;
  if (keys.includes(key)) lines.push({ mark: '✓', fact: facts[2], text: key, set: { path: field('credentialsKey'), value: key } });
  else if (keys.length > 0) {
    key = keys.find((k) => credentials[k].credentialTypes?.includes(cfg.credentialType)) ?? keys[0];
    lines.push(
      fix(
        facts[2],
        `${typeId} expects no credential ${q(cfg.credentialsKey)}; it expects ${keys.map(q).join(', ')}`,
        field('credentialsKey'),
        key,
      ),
    );
  } else {
    lines.push({
      mark: '✗',
      fact: facts[2],
      text: `${typeId} lists no credentials at all; the export role cannot be attached (ask Genesys how this integration authenticates)`,
    });
    return [...lines, ...unanswered(3, 'needs a credentials key')];
  }
  return [...lines, ...(await checkCredential(api, cfg, credentials[key]?.credentialTypes ?? []))];
}

/** Fact 4: the credential type the key accepts, and its field holding the role ARN. */
async function checkCredential(
  api: GenesysApiClient,
  cfg: EnvironmentFile['genesys']['recordingExport'],
  accepted: readonly string[],
): Promise<FactLine[]> {
  const types = await read<{ entities?: CredentialTypeBody[] }>(api, '/api/v2/integrations/credentials/types', VIEW);
  if (!('ok' in types)) {
    const why = types.refused ?? 'GET /api/v2/integrations/credentials/types answered HTTP 404';
    return [
      { mark: '?', fact: 'credential type', text: why },
      { mark: '?', fact: 'credential field', text: why },
    ];
  }
  const lines: FactLine[] = [];
  const all = types.ok.entities ?? [];
  let name = cfg.credentialType;
  if ((accepted.length === 0 || accepted.includes(name)) && all.some((t) => t.name === name)) {
    lines.push({ mark: '✓', fact: 'credential type', text: name, set: { path: field('credentialType'), value: name } });
  } else {
    const other = accepted.find((a) => all.some((t) => t.name === a)) ?? accepted[0];
    if (!other)
      return [
        {
          mark: '✗',
          fact: 'credential type',
          text: `the org has no credential type ${q(name)}; set genesys.recordingExport.credentialType to one of ${all.map((t) => q(t.name)).join(', ')}`,
        },
      ];
    lines.push(
      fix('credential type', `the integration accepts ${accepted.map(q).join(', ')}, not ${q(name)}`, field('credentialType'), other),
    );
    name = other;
  }
  const props = Object.keys(all.find((t) => t.name === name)?.properties ?? {});
  const arn = props.find((p) => /arn/i.test(p)) ?? (props.length === 1 ? props[0] : undefined);
  if (props.includes(cfg.credentialField))
    lines.push({
      mark: '✓',
      fact: 'credential field',
      text: `${name}.${cfg.credentialField}`,
      set: { path: field('credentialField'), value: cfg.credentialField },
    });
  else if (arn)
    lines.push(
      fix(
        'credential field',
        `${name} has no field ${q(cfg.credentialField)}; its role ARN field is ${q(arn)}`,
        field('credentialField'),
        arn,
      ),
    );
  else
    lines.push({
      mark: '✗',
      fact: 'credential field',
      text: `${name} has fields ${props.map(q).join(', ') || 'none'}, none of them an ARN; set genesys.recordingExport.credentialField to the one that holds the role ARN`,
    });
  return lines;
}

/** Facts 5 and 6: each configured topic is offered over EventBridge. */
export async function checkTopics(api: GenesysApiClient, topics: readonly string[]): Promise<FactLine[]> {
  const res = await read<{ entities?: { id: string; transports?: string[] }[] }>(
    api,
    '/api/v2/notifications/availabletopics?expand=transports',
    '',
  );
  if (!('ok' in res))
    return topics.map((t) => ({
      mark: '?',
      fact: `topic ${t}`,
      text: res.refused ?? 'GET /api/v2/notifications/availabletopics answered HTTP 404',
    }));
  const offered = new Map((res.ok.entities ?? []).map((e) => [e.id, e.transports]));
  if ([...offered.values()].every((t) => t === undefined)) {
    return topics.map((t) => ({
      mark: '?',
      fact: `topic ${t}`,
      text: 'the org listed no transports (expand=transports was ignored); check the topic in the EventBridge integration UI',
    }));
  }
  // "All" is read as every transport, EventBridge included.
  const overEventBridge = (t: string): boolean => (offered.get(t) ?? []).some((x) => /^(eventbridge|all)$/i.test(x));
  const kept = topics.filter(overEventBridge);
  const path = ['genesys', 'eventBridge', 'topics'];
  return topics.map((t) => {
    if (overEventBridge(t)) return { mark: '✓', fact: `topic ${t}`, text: 'offered over EventBridge', set: { path, value: kept } };
    const how = offered.has(t) ? `offered over ${(offered.get(t) ?? []).join(', ') || 'no transport'} only` : 'not offered by this org';
    const after = t === ANALYTICS_AVAILABILITY_TOPIC ? ' (the report-jobs worker then takes each test window from the state machine)' : '';
    return fix(`topic ${t}`, `${how}; remove it${after}`, path, kept);
  });
}

/** The catalogue limits preflight confirms: every one the limits API publishes a key for, and token creation. */
export function checkedLimits(catalogue: readonly LimitSpec[] = LIMIT_CATALOGUE): LimitSpec[] {
  return catalogue.filter((s) => s.apiKey || s.apiKeySuffix || s.name === TOKEN_CREATION_LIMIT);
}

/** Fact 7 and the other live limits the planner uses: the org's value against the environment's. */
export async function checkLimits(api: GenesysApiClient, overrides: Readonly<Record<string, number>>): Promise<FactLine[]> {
  const specs = checkedLimits();
  const entries: LimitEntry[] = [];
  const refused = new Map<string, string>();
  for (const ns of [...new Set(specs.map((s) => s.namespace))]) {
    try {
      entries.push(...(await fetchNamespaceLimits(api, ns)).entries);
    } catch (err) {
      if (!(err instanceof LimitsApiError)) throw err;
      refused.set(ns, err.message);
    }
  }
  const live: Record<string, number> = { ...matchCatalogue(entries).overrides };
  const creation = tokenCreationEntry(entries);
  if (creation) live[TOKEN_CREATION_LIMIT] = creation.value;
  const resolved = new Map(resolveLimits(overrides).map((l) => [l.name, l]));
  const effective = new Map([...resolved].map(([name, l]) => [name, l.value]));
  return specs.map((s): FactLine => {
    const fact = `limit ${s.name}`;
    const path = ['genesys', 'limits', s.name];
    if (refused.has(s.namespace)) return { mark: '?', fact, text: refused.get(s.namespace)! };
    const value = live[s.name];
    // Not reported: only the environment can confirm it, by setting the value Genesys support gave.
    if (value === undefined && resolved.get(s.name)?.overridden) {
      return {
        mark: '✓',
        fact,
        text: `${effective.get(s.name)}, set in genesys.limits (the org's ${s.namespace} namespace does not report it)`,
      };
    }
    if (value === undefined) {
      return {
        mark: '?',
        fact,
        text: `the org's ${s.namespace} namespace does not report it; ask Genesys support for the value and set genesys.limits.${s.name} (default ${effective.get(s.name)})`,
      };
    }
    if (value === effective.get(s.name)) return { mark: '✓', fact, text: String(value), set: { path, value } };
    return fix(fact, `the org allows ${value}, the environment plans with ${effective.get(s.name)}`, path, value);
  });
}

interface OAuthClientBody {
  readonly name?: string;
  readonly roleDivisions?: { roleId: string; divisionId: string }[];
}

/** The Terraform OAuth client holds every role the stack assigns, in every division it assigns it. */
export async function checkRoles(
  api: GenesysApiClient,
  config: EnvironmentFile,
  resourcePrefix: string,
  terraformClientId: string,
): Promise<FactLine[]> {
  const callers = Object.keys(planRoles(config)) as Caller[];
  const names = callers.map((c) => roleName(resourcePrefix, c));
  const facts = names.map((n) => `role ${n}`);
  const bootstrap = `run npm run bootstrap -- --env ${config.name} (it creates the roles and grants them to the Terraform client)`;
  const client = await read<OAuthClientBody>(api, `/api/v2/oauth/clients/${encodeURIComponent(terraformClientId)}`, 'oauth:client:view');
  if (!('ok' in client)) {
    const why =
      client.refused ?? `the Terraform OAuth client ${terraformClientId} (GENESYSCLOUD_OAUTHCLIENT_ID) does not exist in this org`;
    return facts.map((fact) => ({ mark: client.refused ? '?' : '✗', fact, text: why }));
  }
  let divisions = [...config.genesys.divisionIds];
  if (divisions.length === 0) {
    const home = await read<{ id: string }>(api, '/api/v2/authorization/divisions/home', 'authorization:division:view');
    if (!('ok' in home)) return facts.map((fact) => ({ mark: '?', fact, text: home.refused ?? 'the home division was not found' }));
    divisions = [home.ok.id];
  }
  const held = client.ok.roleDivisions ?? [];
  const lines: FactLine[] = [];
  for (const [i, name] of names.entries()) {
    const found = await read<{ entities?: { id: string; name: string }[] }>(
      api,
      `/api/v2/authorization/roles?name=${encodeURIComponent(name)}&pageSize=25`,
      'authorization:role:view',
    );
    if (!('ok' in found)) {
      lines.push({ mark: '?', fact: facts[i], text: found.refused ?? 'GET /api/v2/authorization/roles answered HTTP 404' });
      continue;
    }
    const role = (found.ok.entities ?? []).find((r) => r.name === name);
    const missing = role ? divisions.filter((d) => !held.some((h) => h.roleId === role.id && h.divisionId === d)) : divisions;
    if (!role) lines.push({ mark: '✗', fact: facts[i], text: `does not exist yet; ${bootstrap}` });
    else if (missing.length)
      lines.push({
        mark: '✗',
        fact: facts[i],
        text: `the Terraform client ${client.ok.name ?? terraformClientId} lacks it in division(s) ${missing.join(', ')}; ${bootstrap}`,
      });
    else lines.push({ mark: '✓', fact: facts[i], text: `held by the Terraform client in ${divisions.length} division(s)` });
  }
  return lines;
}
