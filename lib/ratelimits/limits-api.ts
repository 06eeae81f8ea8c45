/**
 * Reads an org's live limits from Genesys Cloud and turns them into `genesys.limits` overrides.
 *
 * Response shape of `GET /api/v2/organizations/limits/namespaces/{namespace}` (SDK model
 * `LimitsEntityListing`): `{ "entities": [ { "key": string, "namespace": string, "value": integer } ] }`
 * (model `Limit`; every field optional in the SDK, so each entry is checked).
 */
import { LIMIT_CATALOGUE, type LimitSpec } from './catalogue';

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

/** Whether a live entry is this catalogue limit (keys may or may not repeat the namespace). */
export function entryMatches(spec: LimitSpec, entry: LimitEntry): boolean {
  if (!spec.apiKey || spec.namespace !== entry.namespace) return false;
  return spec.apiKey === entry.key || spec.apiKey === `${entry.namespace}.${entry.key}`;
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
    if (Number.isInteger(entry.value) && entry.value > 0) overrides[spec.name] = entry.value;
    else unused.push(entry);
  }
  const namespaces = new Set(entries.map((e) => e.namespace));
  const notReturned = catalogue.filter((s) => s.apiKey && namespaces.has(s.namespace) && !(s.name in overrides));
  return { overrides, unused, notReturned };
}

/** The namespaces holding catalogue limits with a published key (what limits:fetch reads by default). */
export function defaultNamespaces(catalogue: readonly LimitSpec[] = LIMIT_CATALOGUE): string[] {
  return [...new Set(catalogue.filter((s) => s.apiKey).map((s) => s.namespace))];
}

/**
 * Writes overrides into an environment file's JSON text: only `genesys.limits` changes (merged:
 * fetched values win, limits set by hand stay), every other field keeps its value and order.
 */
export function withLimitOverrides(fileText: string, overrides: Readonly<Record<string, number>>, label: string): string {
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
  return JSON.stringify(doc, null, 2) + '\n';
}

export interface FetchOptions {
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts per request when throttled (429) or failing (5xx). Default 4. */
  readonly maxAttempts?: number;
  readonly log?: (line: string) => void;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const trimBase = (base: string): string => base.replace(/\/+$/, '');

/** GET/POST with the retry the limiter asks for: 429 waits Retry-After (default 3 s), 5xx backs off. */
async function send(url: string, init: RequestInit, what: string, options: FetchOptions): Promise<Response> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? realSleep;
  const attempts = options.maxAttempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    let res: Response;
    try {
      res = await doFetch(url, init);
    } catch (err) {
      if (attempt >= attempts) throw new LimitsApiError(`${what}: no response from ${url} (${(err as Error).message})`);
      await sleep(500 * 2 ** attempt);
      continue;
    }
    if ((res.status === 429 || res.status >= 500) && attempt < attempts) {
      const retryAfter = Number(res.headers.get('retry-after'));
      const waitMs = res.status === 429 ? (Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : 3000) : 500 * 2 ** attempt;
      options.log?.(
        `  ${what}: HTTP ${res.status}, retrying in ${Math.round(waitMs / 100) / 10} s (attempt ${attempt + 1} of ${attempts})`,
      );
      await res.body?.cancel();
      await sleep(waitMs);
      continue;
    }
    return res;
  }
}

/** A client-credentials token from `<loginBase>/oauth/token`. The secret never appears in errors. */
export async function fetchClientCredentialsToken(
  loginBase: string,
  clientId: string,
  clientSecret: string,
  options: FetchOptions = {},
): Promise<string> {
  const url = `${trimBase(loginBase)}/oauth/token`;
  const res = await send(
    url,
    {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
    },
    'token',
    options,
  );
  const text = await res.text();
  if (!res.ok) {
    const hint =
      res.status === 400 || res.status === 401
        ? '; check GENESYSCLOUD_OAUTHCLIENT_ID / GENESYSCLOUD_OAUTHCLIENT_SECRET and that the client has the Client Credentials grant in this region'
        : '';
    throw new LimitsApiError(`token: ${url} answered HTTP ${res.status}${hint}`, res.status);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LimitsApiError(`token: ${url} did not return JSON`);
  }
  const token = (body as { access_token?: unknown }).access_token;
  if (typeof token !== 'string' || token === '') throw new LimitsApiError(`token: ${url} returned no access_token`);
  return token;
}

/** The effective limits of one namespace. */
export async function fetchNamespaceLimits(
  apiBase: string,
  token: string,
  namespace: string,
  options: FetchOptions = {},
): Promise<{ entries: LimitEntry[]; skipped: string[] }> {
  const url = `${trimBase(apiBase)}/api/v2/organizations/limits/namespaces/${encodeURIComponent(namespace)}`;
  const res = await send(
    url,
    { method: 'GET', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } },
    namespace,
    options,
  );
  const text = await res.text();
  if (!res.ok) {
    const hint =
      res.status === 403
        ? '; give the OAuth client limits:organization:view (newer SDK docs list it for this endpoint)'
        : res.status === 404
          ? '; the namespace does not exist in this org (GET /api/v2/organizations/limits/namespaces lists them)'
          : '';
    throw new LimitsApiError(`namespace ${namespace}: GET ${url} answered HTTP ${res.status}${hint}`, res.status);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new LimitsApiError(`namespace ${namespace}: GET ${url} did not return JSON`);
  }
  return parseLimitsListing(body, namespace);
}
