import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  authenticate,
  createLimitsClient,
  defaultNamespaces,
  fetchNamespaceLimits,
  LimitsApiError,
  matchCatalogue,
  parseLimitsListing,
  withLimitOverrides,
} from '../../commands/limits-fetch';
import { parseEnvironmentFile } from '../../lib/config';
import { exampleInput } from '../helpers/env';

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8'));

describe('limits API response parsing (recorded LimitsEntityListing shape)', () => {
  it('reads key/namespace/value entries and skips malformed ones', () => {
    const { entries, skipped } = parseLimitsListing(fixture('limits-platform-api.json'), 'platform.api');
    expect(entries).toHaveLength(5);
    expect(entries[0]).toEqual({ namespace: 'platform.api', key: 'client.credentials.token.rate.per.minute', value: 600 });
    expect(skipped).toEqual(['{"key":"malformed.without.value","namespace":"platform.api"}']);
  });

  it('refuses bodies that are not a listing', () => {
    expect(() => parseLimitsListing({ limits: [] }, 'platform.api')).toThrow('namespace platform.api: expected a LimitsEntityListing');
    expect(() => parseLimitsListing('<html>', 'platform.api')).toThrow(LimitsApiError);
  });

  it('uses the requested namespace when an entry has none', () => {
    expect(parseLimitsListing({ entities: [{ key: 'a', value: 1 }] }, 'recording').entries[0].namespace).toBe('recording');
  });

  it('maps live keys to catalogue names, with or without the namespace prefix', () => {
    const entries = [
      ...parseLimitsListing(fixture('limits-platform-api.json'), 'platform.api').entries,
      ...parseLimitsListing(fixture('limits-event-orchestration.json'), 'event.orchestration').entries,
    ];
    const match = matchCatalogue(entries);
    expect(match.overrides).toEqual({
      'client.credentials.token.rate.per.minute': 600,
      'token.rate.per.minute': 600,
      'org.app.user.rate.per.minute': 3000,
      'request.bytes.max': 512000,
      'event.orchestration.workflow.invocations.per.minute': 9000,
      'event.orchestration.workflow.invocations.per.hour': 54000,
    });
    expect(match.unused.map((e) => e.key)).toEqual(['some.future.limit.per.minute']);
    expect(match.notReturned).toEqual([]);
    // The result is a valid environment override.
    const raw: any = exampleInput();
    raw.genesys.limits = match.overrides;
    expect(parseEnvironmentFile(raw, 'x').genesys.limits['token.rate.per.minute']).toBe(600);
  });

  it('fills the unconfirmed analytics jobs limits from keys ending as third-party code names them', () => {
    const match = matchCatalogue([
      { namespace: 'analytics', key: 'conversations.details.jobs.concurrent.access.max', value: 25 },
      { namespace: 'analytics', key: 'conversations.details.jobs.rate.per.second', value: 2 },
      { namespace: 'platform.api', key: 'conversations.details.jobs.rate.per.second', value: 9 },
    ]);
    expect(match.overrides).toEqual({
      'analytics.conversations.details.jobs.concurrent.max': 25,
      'analytics.conversations.details.jobs.submissions.per.minute': 120,
    });
    expect(match.unused.map((e) => e.namespace)).toEqual(['platform.api']);
  });

  it('reads the namespaces of catalogue limits with a published key', () => {
    expect(defaultNamespaces()).toEqual(['platform.api', 'event.orchestration']);
  });

  it('writes only genesys.limits, keeping hand-set limits and every other field', () => {
    const raw: any = exampleInput();
    raw.genesys.limits = { 'auth.token.creation.rate.per.minute': 60 };
    const text = withLimitOverrides(JSON.stringify(raw), { 'token.rate.per.minute': 600 }, 'example.json');
    const out = JSON.parse(text);
    expect(out.genesys.limits).toEqual({ 'auth.token.creation.rate.per.minute': 60, 'token.rate.per.minute': 600 });
    delete out.genesys.limits;
    delete raw.genesys.limits;
    expect(out).toEqual(raw);
    expect(Object.keys(out)).toEqual(Object.keys(raw));
    expect(() => withLimitOverrides('{', {}, 'x.json')).toThrow('x.json: not valid JSON');
  });
});

describe('limits API client (local server)', () => {
  let server: Server;
  let base: string;
  const seen: { method: string; url: string; auth?: string; body: string }[] = [];
  let throttleOnce = true;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
        if (req.url === '/oauth/token') {
          const ok =
            req.headers.authorization === `Basic ${Buffer.from('id:s3cret').toString('base64')}` &&
            body === 'grant_type=client_credentials';
          res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
          res.end(JSON.stringify(ok ? { access_token: 'tok', token_type: 'bearer', expires_in: 86399 } : { error: 'invalid_client' }));
          return;
        }
        if (req.headers.authorization !== 'Bearer tok') {
          res.writeHead(401).end();
          return;
        }
        if (req.url === '/api/v2/organizations/limits/namespaces/platform.api') {
          if (throttleOnce) {
            throttleOnce = false;
            res.writeHead(429, { 'retry-after': '2', 'content-type': 'application/json' });
            res.end(JSON.stringify({ status: 429, code: 'too.many.requests.retry.after' }));
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(readFileSync(path.join(__dirname, 'fixtures', 'limits-platform-api.json')));
          return;
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = (secret = 's3cret', extra: Partial<Parameters<typeof createLimitsClient>[0]> = {}) =>
    createLimitsClient({ apiBase: base, loginBase: `${base}/`, clientId: 'id', clientSecret: secret, ...extra });

  it('gets a client-credentials token with basic auth', async () => {
    const api = client();
    await authenticate(api, base);
    await expect(api.tokens.getToken()).resolves.toBe('tok');
  });

  it('reports a refused token without the secret', async () => {
    const err = await authenticate(client('wrong-secret'), base).catch((e: Error) => e);
    expect(err).toBeInstanceOf(LimitsApiError);
    expect((err as Error).message).toContain('answered HTTP 401');
    expect((err as Error).message).toContain('GENESYSCLOUD_OAUTHCLIENT_SECRET');
    expect((err as Error).message).not.toContain('wrong-secret');
  });

  it('honours Retry-After on 429 through the shared paced client, then parses the namespace', async () => {
    let t = 1_000_000;
    const waits: number[] = [];
    const lines: string[] = [];
    const api = client('s3cret', {
      now: () => t,
      sleep: async (ms) => {
        waits.push(ms);
        t += ms;
      },
      log: (l) => lines.push(l),
    });
    const result = await fetchNamespaceLimits(api, 'platform.api');
    expect(waits).toEqual([2000]);
    expect(lines.join('\n')).toMatch(/HTTP 429, retrying in 2 s/);
    expect(result.entries.map((e) => e.key)).toContain('org.app.user.rate.per.minute');
    expect(seen.filter((s) => s.url.endsWith('/platform.api')).every((s) => s.method === 'GET' && s.auth === 'Bearer tok')).toBe(true);
  });

  it('explains a missing namespace', async () => {
    await expect(fetchNamespaceLimits(client(), 'no.such')).rejects.toThrow(/HTTP 404; the namespace does not exist/);
  });
});
