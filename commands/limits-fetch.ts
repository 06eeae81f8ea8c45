/**
 * Reads an org's live limits from Genesys Cloud and turns them into `genesys.limits` overrides.
 *
 * Response shape of `GET /api/v2/organizations/limits/namespaces/{namespace}` (SDK model
 * `LimitsEntityListing`): `{ "entities": [ { "key": string, "namespace": string, "value": integer } ] }`
 * (model `Limit`; every field optional in the SDK, so each entry is checked).
 */
import { createGenesysClient, GenesysApiError, TokenRequestError, type GenesysApiClient } from '../lib/genesys-client';
import { LIMIT_CATALOGUE, type LimitSpec } from '../lib/genesys-facts/limits';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, environmentsDir, loadEnvironment, parseEnvironmentFile, selectedEnvironmentName } from '../lib/config';
import { genesysUrlsFromFlags, parseArgs } from '../lib/cli';

export interface LimitEntry {
  readonly namespace: string;
  readonly key: string;
  readonly value: number;
}

export class LimitsApiError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LimitsApiError';
  }
}

/** Validates a LimitsEntityListing body; entries without a numeric value or a key are skipped and reported. */
export function parseLimitsListing(body: unknown, namespace: string): { entries: LimitEntry[]; skipped: string[] } {
  if (body === null || typeof body !== 'object' || !Array.isArray((body as { entities?: unknown }).entities)) {
    throw new LimitsApiError(`namespace ${namespace}: expected a LimitsEntityListing ({ "entities": [...] }), got ${preview(body)}`);
  }
  const entries: LimitEntry[] = [];
  const skipped: string[] = [];
  for (const raw of (body as { entities: unknown[] }).entities) {
    const e = (raw ?? {}) as Record<string, unknown>;
    if (typeof e.key !== 'string' || e.key === '' || typeof e.value !== 'number' || !Number.isFinite(e.value)) {
      skipped.push(preview(raw));
      continue;
    }
    entries.push({ namespace: typeof e.namespace === 'string' && e.namespace ? e.namespace : namespace, key: e.key, value: e.value });
  }
  return { entries, skipped };
}

const preview = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
};

/**
 * Whether a live entry is this catalogue limit (keys may or may not repeat the namespace). A limit
 * known only by the end of its key (`apiKeySuffix`, unconfirmed) matches a key ending with it.
 */
export function entryMatches(spec: LimitSpec, entry: LimitEntry): boolean {
  if (spec.namespace !== entry.namespace) return false;
  if (spec.apiKey) return spec.apiKey === entry.key || spec.apiKey === `${entry.namespace}.${entry.key}`;
  if (spec.apiKeySuffix) return entry.key === spec.apiKeySuffix || entry.key.endsWith(`.${spec.apiKeySuffix}`);
  return false;
}

/**
 * The per-client token-creation limit among an `auth.api` listing. Its key is published nowhere
 * (the catalogue entry has none), so it is the one entry whose key speaks of creating tokens.
 * Undefined when none or several do: then the org must be asked, and the default stays.
 */
export function tokenCreationEntry(entries: readonly LimitEntry[]): LimitEntry | undefined {
  const found = entries.filter((e) => e.namespace === 'auth.api' && /token/i.test(e.key) && /creat/i.test(e.key));
  return found.length === 1 ? found[0] : undefined;
}

export interface LimitsMatch {
  /** catalogue name -> live value, for `genesys.limits`. */
  readonly overrides: Record<string, number>;
  /** Live entries no catalogue limit uses (listed for the user, not written). */
  readonly unused: LimitEntry[];
  /** Catalogue limits with a published key that the fetched namespaces did not return. */
  readonly notReturned: LimitSpec[];
}

export function matchCatalogue(entries: readonly LimitEntry[], catalogue: readonly LimitSpec[] = LIMIT_CATALOGUE): LimitsMatch {
  const overrides: Record<string, number> = {};
  const unused: LimitEntry[] = [];
  for (const entry of entries) {
    const spec = catalogue.find((s) => entryMatches(s, entry));
    if (!spec) {
      unused.push(entry);
      continue;
    }
    // Limits are whole numbers; the schema only accepts positive integers.
    const value = entry.value * (spec.apiScale ?? 1);
    if (Number.isInteger(value) && value > 0) overrides[spec.name] = value;
    else unused.push(entry);
  }
  const namespaces = new Set(entries.map((e) => e.namespace));
  const notReturned = catalogue.filter((s) => (s.apiKey || s.apiKeySuffix) && namespaces.has(s.namespace) && !(s.name in overrides));
  return { overrides, unused, notReturned };
}

/** The namespaces holding catalogue limits with a published key (what limits:fetch reads by default). */
export function defaultNamespaces(catalogue: readonly LimitSpec[] = LIMIT_CATALOGUE): string[] {
  // Limits known only by a key suffix (unconfirmed) are read with --namespace, not by default.
  return [...new Set(catalogue.filter((s) => s.apiKey).map((s) => s.namespace))];
}

/** A declared endpoint limit (`genesys.endpointLimits[index]`) whose value the org reported. */
export interface EndpointLimitUpdate {
  readonly index: number;
  readonly requestsPerMinute: number;
  readonly entry: LimitEntry;
}

/**
 * Values for the declared endpoint limits that name a limits API key (`namespace` + `apiKey`).
 * Keys ending in `.per.second` are converted to per minute; other units are left alone.
 */
export function matchEndpointLimits(
  entries: readonly LimitEntry[],
  declared: readonly { namespace?: string; apiKey?: string; requestsPerMinute: number }[],
): { updates: EndpointLimitUpdate[]; notReturned: number[] } {
  const updates: EndpointLimitUpdate[] = [];
  const notReturned: number[] = [];
  declared.forEach((d, index) => {
    if (!d.namespace || !d.apiKey) return;
    const entry = entries.find((e) => e.namespace === d.namespace && (e.key === d.apiKey || `${e.namespace}.${e.key}` === d.apiKey));
    if (!entry) return void notReturned.push(index);
    const perMinute = entry.key.endsWith('.per.second') ? entry.value * 60 : entry.value;
    if (Number.isInteger(perMinute) && perMinute > 0) updates.push({ index, requestsPerMinute: perMinute, entry });
    else notReturned.push(index);
  });
  return { updates, notReturned };
}

/**
 * Writes overrides into an environment file's JSON text: only `genesys.limits` changes (merged:
 * fetched values win, limits set by hand stay), every other field keeps its value and order.
 */
export function withLimitOverrides(
  fileText: string,
  overrides: Readonly<Record<string, number>>,
  label: string,
  endpointUpdates: readonly EndpointLimitUpdate[] = [],
): string {
  let doc: unknown;
  try {
    doc = JSON.parse(fileText);
  } catch (err) {
    throw new LimitsApiError(`${label}: not valid JSON (${(err as Error).message}); fix it before fetching limits`);
  }
  const genesys = (doc as { genesys?: unknown })?.genesys;
  if (!genesys || typeof genesys !== 'object' || Array.isArray(genesys)) {
    throw new LimitsApiError(`${label}: has no genesys object; it is not an environment file`);
  }
  const g = genesys as Record<string, unknown>;
  const current = g.limits && typeof g.limits === 'object' ? (g.limits as Record<string, number>) : {};
  const merged = { ...current, ...overrides };
  g.limits = Object.fromEntries(
    Object.keys(merged)
      .sort()
      .map((k) => [k, merged[k]]),
  );
  if (endpointUpdates.length) {
    const list = Array.isArray(g.endpointLimits) ? (g.endpointLimits as Record<string, unknown>[]) : [];
    for (const u of endpointUpdates) if (list[u.index]) list[u.index].requestsPerMinute = u.requestsPerMinute;
  }
  return JSON.stringify(doc, null, 2) + '\n';
}

export interface LimitsClientOptions {
  readonly apiBase: string;
  readonly loginBase: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Attempts per request when throttled (429) or failing (5xx). Default 4. */
  readonly maxAttempts?: number;
  /** Progress lines (each retry is reported). */
  readonly log?: (line: string) => void;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The paced Platform API client limits:fetch uses: lib/genesys-client's token provider, token
 * bucket (240 requests/min, the default usable rate of one token) and retry core, so 429s wait
 * Retry-After like every other caller of the API.
 */
export function createLimitsClient(opts: LimitsClientOptions): GenesysApiClient {
  return createGenesysClient({
    apiBase: opts.apiBase,
    loginBase: opts.loginBase,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    ratePerMinute: 240,
    maxAttempts: opts.maxAttempts ?? 4,
    fetch: opts.fetch,
    now: opts.now,
    sleep: opts.sleep,
    onResponse: (info) => {
      if (info.waitedMs === undefined) return;
      const what = info.status === 0 ? `no response (${info.error ?? 'network error'})` : `HTTP ${info.status}`;
      opts.log?.(
        `  ${info.method} ${info.path}: ${what}, retrying in ${Math.round(info.waitedMs / 100) / 10} s (attempt ${info.attempt + 1})`,
      );
    },
  });
}

/** Gets the client's token now, so a wrong id or secret is reported before anything else. The secret never appears. */
export async function authenticate(api: GenesysApiClient, loginBase: string): Promise<void> {
  try {
    await api.tokens.getToken();
  } catch (err) {
    if (!(err instanceof TokenRequestError)) throw err;
    const hint =
      err.status === 400 || err.status === 401
        ? '; check GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET and that the client has the Client Credentials grant in this region'
        : '';
    const what = err.status !== undefined ? `answered HTTP ${err.status}` : `failed (${err.message})`;
    throw new LimitsApiError(`token: ${loginBase.replace(/\/+$/, '')}/oauth/token ${what}${hint}`, err.status);
  }
}

/** The effective limits of one namespace. */
export async function fetchNamespaceLimits(
  api: GenesysApiClient,
  namespace: string,
): Promise<{ entries: LimitEntry[]; skipped: string[] }> {
  const path = `/api/v2/organizations/limits/namespaces/${encodeURIComponent(namespace)}`;
  let res;
  try {
    res = await api.get(path);
  } catch (err) {
    if (err instanceof GenesysApiError || err instanceof TokenRequestError) {
      throw new LimitsApiError(`namespace ${namespace}: ${err.message}`, err instanceof GenesysApiError ? err.status : err.status);
    }
    throw err;
  }
  if (res.status !== 200) {
    const hint =
      res.status === 403
        ? '; give the OAuth client limits:organization:view (newer SDK docs list it for this endpoint)'
        : res.status === 404
          ? '; the namespace does not exist in this org (GET /api/v2/organizations/limits/namespaces lists them)'
          : '';
    throw new LimitsApiError(`namespace ${namespace}: GET ${path} answered HTTP ${res.status}${hint}`, res.status);
  }
  if (typeof res.body === 'string' || res.body === undefined) {
    throw new LimitsApiError(`namespace ${namespace}: GET ${path} did not return JSON`);
  }
  return parseLimitsListing(res.body, namespace);
}

export const LIMITS_FETCH_USAGE = `usage: npm run limits:fetch -- --env <name> [--api-base <url>] [--login-base <url>] [--namespace <ns>]... [--dry-run]
  --env <name>         environment file to update (environments/<name>.json, or LOADLAB_ENV_DIR/<name>.json)
  --api-base <url>     default https://api.<region domain> (point it at the simulator, e.g. http://127.0.0.1:8080)
  --login-base <url>   default https://login.<region domain>
  --namespace <ns>     also read this namespace (repeatable; its limits are listed, catalogue ones written)
  --dry-run            print what would be written, change nothing
credentials: GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET (a client-credentials client of the org)`;

export async function runLimitsFetch(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs(argv, {
    env: { type: 'string' },
    'api-base': { type: 'string' },
    'login-base': { type: 'string' },
    namespace: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    console.log(LIMITS_FETCH_USAGE);
    return 0;
  }
  const name = values.env ?? selectedEnvironmentName();
  const file = path.join(environmentsDir(), `${name}.json`);
  const label = path.relative(process.cwd(), file) || file;
  if (!existsSync(file)) {
    throw new ConfigError([
      `--env: ${label} does not exist; limits are written into an environment's own file (for pr-* environments, fetch into their base environment)`,
    ]);
  }
  const env = loadEnvironment(name, { nameFrom: values.env !== undefined ? '--env' : 'LOADLAB_ENV' });
  const clientId = process.env.GENESYSCLOUD_OAUTHCLIENT_ID?.trim();
  const clientSecret = process.env.GENESYSCLOUD_OAUTHCLIENT_SECRET?.trim();
  if (!clientId || !clientSecret) {
    console.error(
      'error: set GENESYSCLOUD_OAUTHCLIENT_ID and GENESYSCLOUD_OAUTHCLIENT_SECRET to a client-credentials OAuth client of the org',
    );
    return 2;
  }
  const { apiBase, loginBase } = genesysUrlsFromFlags(values, env.genesys);
  const declared = env.config.genesys.endpointLimits;
  const declaredNamespaces = declared.flatMap((l) => (l.namespace ? [l.namespace] : []));
  const namespaces = [...new Set([...defaultNamespaces(), ...declaredNamespaces, ...(values.namespace ?? [])])];
  const log = (line: string): void => console.log(line);

  log(`Requesting a client-credentials token from ${loginBase}/oauth/token ...`);
  const api = createLimitsClient({ apiBase, loginBase, clientId, clientSecret, log });
  await authenticate(api, loginBase);
  const entries: LimitEntry[] = [];
  for (const [i, ns] of namespaces.entries()) {
    const { entries: found, skipped } = await fetchNamespaceLimits(api, ns);
    log(
      `[${i + 1}/${namespaces.length}] ${ns}: ${found.length} limits${skipped.length ? ` (${skipped.length} malformed entries skipped)` : ''}`,
    );
    entries.push(...found);
  }
  const match = matchCatalogue(entries);
  const endpointMatch = matchEndpointLimits(entries, declared);
  const names = Object.keys(match.overrides);
  log('');
  log(names.length ? 'Limits the planner uses (written to genesys.limits):' : 'No limit the planner uses was returned.');
  for (const n of names) {
    const before = env.config.genesys.limits[n];
    log(`  ${n} = ${match.overrides[n]}${before !== undefined && before !== match.overrides[n] ? ` (was ${before})` : ''}`);
  }
  if (match.notReturned.length) {
    log(`Not returned (catalogue defaults stay): ${match.notReturned.map((s) => s.name).join(', ')}`);
  }
  if (match.unused.length) {
    log(`Other limits in these namespaces (not used by the planner; add them to lib/genesys-facts/limits.ts to plan against them):`);
    for (const e of match.unused) log(`  ${e.namespace} ${e.key} = ${e.value}`);
  }
  if (endpointMatch.updates.length) log('Declared endpoint limits the org reports (written to genesys.endpointLimits):');
  for (const u of endpointMatch.updates) {
    const d = declared[u.index];
    log(
      `  ${d.method} ${d.path} (${d.scope}) = ${u.requestsPerMinute} requests/min from ${u.entry.namespace} ${u.entry.key}${d.requestsPerMinute !== u.requestsPerMinute ? ` (was ${d.requestsPerMinute})` : ''}`,
    );
  }
  for (const i of endpointMatch.notReturned) {
    log(`  genesys.endpointLimits[${i}]: ${declared[i].namespace} ${declared[i].apiKey} not returned; its declared value stays`);
  }
  if (names.length === 0 && endpointMatch.updates.length === 0) return 0;
  const text = withLimitOverrides(readFileSync(file, 'utf8'), match.overrides, label, endpointMatch.updates);
  // Never write a file the app would then refuse.
  parseEnvironmentFile(JSON.parse(text), label);
  if (values['dry-run']) {
    log(`\n--dry-run: ${label} not changed.`);
    return 0;
  }
  writeFileSync(file, text);
  log(
    `\nWrote ${names.length} limit(s) to ${label} (genesys.limits)${endpointMatch.updates.length ? ` and ${endpointMatch.updates.length} to genesys.endpointLimits` : ''}. Run npm run budget -- --env ${name} to see the new plan.`,
  );
  return 0;
}
