import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nonexistentEndpoint } from '../lib/genesys-api/endpoints';
import { sleep } from '../lib/time';
import type { EndpointLimitConfig } from '../lib/config/schema';
import { CLIENT_LIMIT, limitValue, resolveLimits, sameTemplate, TOKEN_CREATION_LIMIT, TOKEN_LIMIT } from '../lib/ratelimits/catalogue';
import { endpointLimitName } from '../lib/ratelimits/endpoint-limits';
import { AuthorizationStore, type AuthorizationOptions } from './authorization';
import { sampleLatency, seededRandom, validateFaults, type Faults } from './faults';
import * as fx from './fixtures';
import { JobStore, type JobTimings } from './jobs';
import { FixedWindowLimiter, type LimitCheck } from './limiter';
import { RequestLog, type RequestLogEntry } from './request-log';
import { StatsCollector, type SimStats } from './stats';

/** A limit the simulator enforces on one endpoint on top of the per-token and per-client limits. */
export interface EndpointLimit {
  readonly method: string;
  /** Path template as in lib/genesys-api/endpoints.ts, e.g. `/api/v2/analytics/conversations/details/query`. */
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

export interface SimClient {
  readonly id: string;
  readonly secret: string;
}

export interface SimulatorOptions {
  /** Port on 127.0.0.1; default 0 (an ephemeral port). */
  readonly port?: number;
  /** Length of a rate-limit "minute" in real ms. Default 60000; 1000 makes a minute last a second. */
  readonly minuteMs?: number;
  /** Default: the catalogue's (300 per token, 3000 per client, token creation), no endpoint limits. */
  readonly limits?: Partial<SimLimits>;
  /** Registered OAuth clients. */
  readonly clients?: readonly SimClient[];
  /** Accept any client id and secret at the token endpoint (handy for pointing JMeter at it). Default false. */
  readonly openRegistration?: boolean;
  /** Lifetime of issued tokens, in seconds (`expires_in`). Default 86400. */
  readonly tokenTtlSec?: number;
  readonly faults?: Faults;
  /** Recordings answer 404 until this long after a conversation is first seen. Default 0 (faults may override). */
  readonly recordingsAvailableAfterMs?: number;
  readonly jobs?: JobTimings;
  readonly conversations?: {
    /** Conversations that exist; with `strict`, other ids are 404. */
    readonly ids?: readonly string[];
    readonly strict?: boolean;
    /** Recordings per conversation (first audio, then screen). Default 2. */
    readonly recordingsPerConversation?: number;
  };
  /** Seed for fault draws. Default random. */
  readonly seed?: number;
  /** Clock in ms (tests). Default `Date.now`. */
  readonly now?: () => number;
  /** Entries kept in the request log (oldest dropped first). Default 200000. */
  readonly requestLogMax?: number;
  /** Roles, home division and OAuth clients for the authorization routes (sim/authorization.ts). */
  readonly authorization?: AuthorizationOptions;
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly loginBase: string;
  readonly apiBase: string;
  readonly minuteMs: number;
  readonly limits: SimLimits;
  stop(): Promise<void>;
  stats(): SimStats;
  /** The request log (API requests in arrival order; `GET /__sim/requests?since=<seq>` serves it too). */
  requests(since?: number): RequestLogEntry[];
  /** Clears counters, rate windows, jobs and seen conversations (clients and tokens stay). */
  reset(): void;
  addClient(id: string, secret: string): void;
  setFaults(faults: Faults): void;
  faults(): Faults;
  /** Roles and OAuth clients behind the authorization routes. */
  readonly authorization: AuthorizationStore;
}

interface IssuedToken {
  readonly clientId: string;
  readonly label: string;
  readonly expiresAt: number;
}

interface Ctx {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  readonly body: unknown;
  readonly token: IssuedToken;
  readonly now: number;
}

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** 429: the wait announced in ms, or null when the headers were dropped (faults). */
  readonly retryAfterMs?: number | null;
}

type Handler = (ctx: Ctx) => Reply;

interface Route {
  readonly method: string;
  readonly template: string;
  readonly re: RegExp;
  readonly names: string[];
  readonly handler: Handler;
}

const MAX_BODY_BYTES = 512_000; // request.bytes.max

function compile(method: string, template: string, handler: Handler): Route {
  const names: string[] = [];
  const re = new RegExp(
    '^' +
      template.replace(/\{([^/}]+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      }) +
      '/?$',
  );
  return { method, template, re, names, handler };
}

/** A Genesys-style error body. */
function errorBody(status: number, code: string, message: string, contextId: string) {
  return { message, code, status, messageParams: {}, contextId, details: [], errors: [] };
}

/**
 * Starts the Genesys Cloud simulator on 127.0.0.1. Login (`/oauth/token`) and the API are
 * served by the same server, so `loginBase === apiBase === url`.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const minuteMs = options.minuteMs ?? 60_000;
  if (!(Number.isFinite(minuteMs) && minuteMs >= 10)) throw new RangeError(`minuteMs must be a number >= 10 (got ${minuteMs})`);
  const limits: SimLimits = { ...catalogueLimits(), ...options.limits };
  for (const [name, v] of [
    ['perToken', limits.perToken],
    ['perClient', limits.perClient],
    ['tokenCreationPerClient', limits.tokenCreationPerClient],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new RangeError(`limits.${name} must be an integer >= 1 (got ${v})`);
  }
  const tokenTtlSec = options.tokenTtlSec ?? 86_400;
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  let faults: Faults = validateFaults(options.faults ?? {});
  const clients = new Map<string, string>((options.clients ?? []).map((c) => [c.id, c.secret]));
  const tokens = new Map<string, IssuedToken>();
  const tokenSeq = new Map<string, number>();
  const limiter = new FixedWindowLimiter(minuteMs);
  const stats = new StatsCollector(minuteMs, now());
  const requestLog = new RequestLog(options.requestLogMax);
  const jobs = new JobStore(options.jobs);
  const conversationsSeen = new Map<string, number>();
  const knownConversations = new Set(options.conversations?.ids ?? []);
  const perConversation = options.conversations?.recordingsPerConversation ?? 2;
  let messageSeq = 0;
  let apiBase = '';

  const recordingsDelay = (): number => faults.recordingsAvailableAfterMs ?? options.recordingsAvailableAfterMs ?? 0;

  /** Null when the conversation may be served, else the 404 reply. */
  function conversationGate(ctx: Ctx, what: 'recordings' | 'conversation'): Reply | null {
    const id = ctx.params.conversationId;
    if (options.conversations?.strict && !knownConversations.has(id)) {
      return { status: 404, body: errorBody(404, 'not.found', `Conversation ${id} not found`, '') };
    }
    if (!conversationsSeen.has(id)) conversationsSeen.set(id, ctx.now);
    if (what === 'recordings' && ctx.now - conversationsSeen.get(id)! < recordingsDelay()) {
      return { status: 404, body: errorBody(404, 'not.found', `Recordings for conversation ${id} are not available yet`, '') };
    }
    return null;
  }

  const intParam = (q: URLSearchParams, name: string, dflt: number, max: number): number => {
    const v = Number(q.get(name) ?? dflt);
    return Number.isInteger(v) && v >= 1 ? Math.min(v, max) : dflt;
  };

  const authorization = new AuthorizationStore(options.authorization);
  const routes: Route[] = [
    ...authorization.routes().map((r) => compile(r.method, r.template, (ctx) => r.handle({ ...ctx, callerId: ctx.token.clientId }))),
    compile('GET', '/api/v2/conversations/{conversationId}/recordingmetadata', (ctx) => {
      return (
        conversationGate(ctx, 'recordings') ?? {
          status: 200,
          body: fx.recordingMetadata(ctx.params.conversationId, { apiBase, perConversation }),
        }
      );
    }),
    compile('GET', '/api/v2/conversations/{conversationId}/recordings', (ctx) => {
      return (
        conversationGate(ctx, 'recordings') ?? { status: 200, body: fx.recordings(ctx.params.conversationId, { apiBase, perConversation }) }
      );
    }),
    compile('GET', '/api/v2/recordings/screensessions/details', () => ({ status: 200, body: { count: 3 + Math.floor(random() * 20) } })),
    compile('GET', '/api/v2/scripts', (ctx) => {
      const pageSize = intParam(ctx.query, 'pageSize', 25, 100);
      return { status: 200, body: fx.scriptsPage(intParam(ctx.query, 'pageNumber', 1, 10_000), pageSize) };
    }),
    compile('POST', '/api/v2/analytics/conversations/details/query', (ctx) => {
      const b = ctx.body as { interval?: unknown; paging?: { pageSize?: number; pageNumber?: number } } | undefined;
      if (typeof b?.interval !== 'string') return { status: 400, body: errorBody(400, 'bad.request', 'interval is required', '') };
      const pageSize = Math.min(Math.max(1, b.paging?.pageSize ?? 25), 100);
      const pageNumber = Math.max(1, b.paging?.pageNumber ?? 1);
      const totalHits = 60;
      const first = (pageNumber - 1) * pageSize;
      const conversations = [];
      for (let i = first; i < Math.min(first + pageSize, totalHits); i++)
        conversations.push(fx.conversationDetail(`query:${b.interval}:${i}`, b.interval));
      return { status: 200, body: conversations.length ? { conversations, totalHits } : { totalHits } };
    }),
    compile('GET', '/api/v2/analytics/conversations/details/jobs/availability', (ctx) => ({
      status: 200,
      body: { dataAvailabilityDate: new Date(ctx.now - 3600_000).toISOString() },
    })),
    compile('POST', '/api/v2/analytics/conversations/details/jobs', (ctx) => {
      const b = ctx.body as { interval?: unknown } | undefined;
      if (typeof b?.interval !== 'string') return { status: 400, body: errorBody(400, 'bad.request', 'interval is required', '') };
      const willFail = random() < (faults.jobFailureRate ?? 0);
      return { status: 202, body: { jobId: jobs.submit(b.interval, ctx.now, willFail) } };
    }),
    compile('GET', '/api/v2/analytics/conversations/details/jobs/{jobId}', (ctx) => {
      const status = jobs.status(ctx.params.jobId, ctx.now);
      return status
        ? { status: 200, body: status }
        : { status: 404, body: errorBody(404, 'not.found', `Job ${ctx.params.jobId} not found`, '') };
    }),
    compile('DELETE', '/api/v2/analytics/conversations/details/jobs/{jobId}', (ctx) =>
      jobs.cancel(ctx.params.jobId, ctx.now)
        ? { status: 202 }
        : { status: 404, body: errorBody(404, 'not.found', `Job ${ctx.params.jobId} not found`, '') },
    ),
    compile('GET', '/api/v2/analytics/conversations/details/jobs/{jobId}/results', (ctx) => {
      const status = jobs.status(ctx.params.jobId, ctx.now);
      if (!status) return { status: 404, body: errorBody(404, 'not.found', `Job ${ctx.params.jobId} not found`, '') };
      if (status.state !== 'FULFILLED') {
        return {
          status: 400,
          body: errorBody(400, 'bad.request', `Job ${ctx.params.jobId} is ${status.state}; results are available once it is FULFILLED`, ''),
        };
      }
      const size = ctx.query.get('pageSize');
      const page = jobs.results(
        ctx.params.jobId,
        ctx.query.get('cursor') ?? undefined,
        size === null ? undefined : Number(size) || undefined,
      );
      return page
        ? { status: 200, body: page }
        : { status: 400, body: errorBody(400, 'bad.request', 'cursor is not valid for this job', '') };
    }),
    compile('POST', '/api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages', (ctx) => {
      const gate = conversationGate(ctx, 'conversation');
      if (gate) return gate;
      const b = ctx.body as { textBody?: unknown; content?: unknown } | undefined;
      if (typeof b?.textBody !== 'string' && !Array.isArray(b?.content)) {
        return { status: 400, body: errorBody(400, 'bad.request', 'textBody or content is required', '') };
      }
      const text = typeof b.textBody === 'string' ? b.textBody : '';
      return { status: 200, body: fx.messageData(ctx.params.conversationId, ctx.params.communicationId, text, ctx.now, ++messageSeq) };
    }),
    compile('GET', '/api/v2/organizations/limits/namespaces/{namespace}', (ctx) => {
      const ns = ctx.params.namespace;
      const resolved = resolveLimits().filter((l) => l.namespace === ns);
      if (!resolved.length) return { status: 404, body: errorBody(404, 'not.found', `Namespace ${ns} not found`, '') };
      // Only the limits the real API publishes (an apiKey in the catalogue), under that key; a
      // limit known by the end of its key only is published under a full key ending with it.
      const published = resolved.filter((l) => l.apiKey || l.apiKeySuffix);
      const effective: Record<string, number> = {
        [TOKEN_LIMIT]: limits.perToken,
        'token.rate.per.minute': limits.perToken,
        [CLIENT_LIMIT]: limits.perClient,
        [TOKEN_CREATION_LIMIT]: limits.tokenCreationPerClient,
      };
      return {
        status: 200,
        body: {
          entities: published.map((l) => ({
            key: l.apiKey ?? `conversations.${l.apiKeySuffix}`,
            namespace: ns,
            value: (effective[l.name] ?? l.value) / (l.apiScale ?? 1),
          })),
        },
      };
    }),
  ];

  function limitChecks(token: IssuedToken, route: Route | undefined, method: string): LimitCheck[] {
    const checks: LimitCheck[] = [
      { key: `token:${token.label}`, name: TOKEN_LIMIT, allowed: limits.perToken },
      { key: `client:${token.clientId}`, name: CLIENT_LIMIT, allowed: limits.perClient },
    ];
    for (const e of limits.endpoints) {
      if (!route || !sameTemplate(route.template, e.path) || e.method.toUpperCase() !== method) continue;
      const owner = e.scope === 'token' ? token.label : e.scope === 'client' ? token.clientId : 'org';
      checks.push({ key: `endpoint:${method} ${e.path}:${owner}`, name: e.name ?? `${e.path}.rate.per.minute`, allowed: e.perWindow });
    }
    return checks;
  }

  function send(res: ServerResponse, reply: Reply, contextId: string): void {
    let body = reply.body;
    if (body && typeof body === 'object' && 'contextId' in body && (body as { contextId: string }).contextId === '')
      body = { ...body, contextId };
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      'inin-correlation-id': contextId,
      ...(reply.headers ?? {}),
    });
    res.end(text);
  }

  function throttled(verdict: ReturnType<FixedWindowLimiter['admit']>, contextId: string): Reply {
    const waitMs = verdict.retryAfterMs!;
    const seconds = Math.ceil(waitMs / 1000);
    const omit = random() < (faults.missingRetryAfterRate ?? 0);
    return {
      status: 429,
      retryAfterMs: omit ? null : Math.ceil(waitMs),
      headers: omit ? {} : { 'retry-after': String(seconds), 'x-sim-retry-after-ms': String(Math.ceil(waitMs)) },
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

  const rateHeaders = (verdict: ReturnType<FixedWindowLimiter['admit']>): Record<string, string> => ({
    'inin-ratelimit-count': String(verdict.count),
    'inin-ratelimit-allowed': String(verdict.binding.allowed),
    'inin-ratelimit-reset': String(Math.ceil(verdict.resetMs / 1000)),
  });

  async function readBodyText(req: IncomingMessage): Promise<string | null> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) return null;
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse, contextId: string): Promise<void> {
    const t = now();
    const text = (await readBodyText(req)) ?? '';
    const form = new URLSearchParams(text);
    let id = form.get('client_id') ?? '';
    let secret = form.get('client_secret') ?? '';
    const auth = req.headers.authorization ?? '';
    if (auth.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      id = decoded.slice(0, i);
      secret = decoded.slice(i + 1);
    }
    // Token requests count under their endpoint only; byClient counts API calls (and tokensIssued).
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      stats.record({ status, endpoint: 'POST /oauth/token' }, t);
      send(res, { status, body, headers }, contextId);
    };
    if (form.get('grant_type') !== 'client_credentials') {
      return reply(400, { error: 'unsupported_grant_type', description: 'grant_type must be client_credentials' });
    }
    if (!clients.has(id) && options.openRegistration && id && secret) clients.set(id, secret);
    if (!id || clients.get(id) !== secret) return reply(401, { error: 'invalid_client', description: 'client id or secret is wrong' });
    const verdict = limiter.admit([{ key: `token-creation:${id}`, name: TOKEN_CREATION_LIMIT, allowed: limits.tokenCreationPerClient }], t);
    if (!verdict.ok) {
      const r = throttled(verdict, contextId);
      return reply(429, r.body, { ...r.headers, ...rateHeaders(verdict) });
    }
    const value = randomBytes(24).toString('base64url');
    const n = (tokenSeq.get(id) ?? 0) + 1;
    tokenSeq.set(id, n);
    tokens.set(value, { clientId: id, label: `${id}#${n}`, expiresAt: t + tokenTtlSec * 1000 });
    stats.tokenIssued(id);
    reply(200, { access_token: value, token_type: 'bearer', expires_in: tokenTtlSec }, rateHeaders(verdict));
  }

  async function handleControl(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    contextId: string,
  ): Promise<void> {
    const body = async (): Promise<unknown> => {
      const text = (await readBodyText(req)) ?? '';
      return text ? JSON.parse(text) : {};
    };
    try {
      if (req.method === 'GET' && path === '/__sim/stats') return send(res, { status: 200, body: handle.stats() }, contextId);
      if (req.method === 'GET' && path === '/__sim/requests') {
        const since = Number(query.get('since') ?? 0);
        if (!(Number.isInteger(since) && since >= 0)) throw new Error('since must be a whole number (a request seq)');
        return send(res, { status: 200, body: { dropped: requestLog.dropped, requests: requestLog.list(since) } }, contextId);
      }
      if (req.method === 'GET' && path === '/__sim/health')
        return send(res, { status: 200, body: { ok: true, minuteMs, limits } }, contextId);
      if (req.method === 'POST' && path === '/__sim/reset') {
        handle.reset();
        return send(res, { status: 204 }, contextId);
      }
      if (req.method === 'GET' && path === '/__sim/faults') return send(res, { status: 200, body: faults }, contextId);
      if ((req.method === 'POST' || req.method === 'PUT') && path === '/__sim/faults') {
        handle.setFaults((await body()) as Faults);
        return send(res, { status: 200, body: faults }, contextId);
      }
      if (req.method === 'POST' && path === '/__sim/clients') {
        const b = (await body()) as { id?: unknown; secret?: unknown };
        if (typeof b.id !== 'string' || typeof b.secret !== 'string' || !b.id || !b.secret) {
          return send(
            res,
            { status: 400, body: errorBody(400, 'bad.request', 'body must be {"id": "...", "secret": "..."}', contextId) },
            contextId,
          );
        }
        handle.addClient(b.id, b.secret);
        return send(res, { status: 201, body: { id: b.id } }, contextId);
      }
      if (req.method === 'GET' && path.startsWith('/__sim/media/'))
        return send(res, { status: 200, body: { media: path.slice(13) } }, contextId);
    } catch (err) {
      return send(res, { status: 400, body: errorBody(400, 'bad.request', (err as Error).message, contextId) }, contextId);
    }
    send(
      res,
      { status: 404, body: errorBody(404, 'not.found', `No simulator control endpoint ${req.method} ${path}`, contextId) },
      contextId,
    );
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, contextId: string): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const auth = req.headers.authorization ?? '';
    const t0 = now();
    const token = auth.startsWith('Bearer ') ? tokens.get(auth.slice(7).trim()) : undefined;
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    for (const r of routes) {
      if (r.method !== method) continue;
      match = r.re.exec(path);
      if (match) {
        route = r;
        break;
      }
    }
    const endpoint = route ? `${method} ${route.template}` : `${method} (unknown)`;
    const entry = requestLog.add({
      at: t0,
      method,
      endpoint,
      path,
      status: 0,
      clientId: token?.clientId,
      token: token?.label,
      correlationId: contextId,
    });
    if (!token || t0 >= token.expiresAt) {
      entry.status = 401;
      entry.respondedAt = t0;
      stats.record({ status: 401, endpoint, clientId: token?.clientId }, t0);
      const message = token ? 'Access token expired' : 'No authentication bearer token specified in authorization header.';
      return send(res, { status: 401, body: errorBody(401, 'bad.credentials', message, contextId) }, contextId);
    }
    const verdict = limiter.admit(limitChecks(token, route, method), t0);
    const faultable = !faults.onlyEndpoints || faults.onlyEndpoints.includes(endpoint);
    let reply: Reply;
    if (!verdict.ok) {
      reply = throttled(verdict, contextId);
    } else if ((faults.throttleRate ?? 0) > 0 && random() < (faults.throttleRate ?? 0)) {
      // Injected: a 429 with Retry-After although the limits had room (faults.throttleRate).
      const waitMs = faults.throttleRetryAfterMs ?? 1000;
      reply = {
        status: 429,
        headers: { 'retry-after': String(Math.ceil(waitMs / 1000)), 'x-sim-retry-after-ms': String(Math.ceil(waitMs)) },
        body: errorBody(
          429,
          'too.many.requests.retry.after',
          `Rate limit exceeded the maximum. Retry the request in [${Math.ceil(waitMs / 1000)}] seconds`,
          contextId,
        ),
      };
    } else if (faultable && random() < (faults.errorRate ?? 0)) {
      const status = faults.errorStatus ?? 503;
      reply = { status, body: errorBody(status, 'service.unavailable', 'Simulated server error (faults.errorRate)', contextId) };
    } else if (!route) {
      const missing = nonexistentEndpoint(path);
      reply = {
        status: 404,
        body: errorBody(404, 'not.found', `Resource not found: ${method} ${path}`, contextId),
        headers: missing ? { 'x-sim-hint': `not a Platform API path; use ${missing.useInstead.join(' or ')}` } : {},
      };
    } else {
      const text = await readBodyText(req);
      if (text === null) {
        reply = {
          status: 413,
          body: errorBody(413, 'request.entity.too.large', `Request body exceeds ${MAX_BODY_BYTES} bytes`, contextId),
        };
      } else {
        let body: unknown;
        let bad = false;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          bad = true;
        }
        const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match![i + 1])]));
        reply = bad
          ? { status: 400, body: errorBody(400, 'bad.request', 'Request body is not valid JSON', contextId) }
          : route.handler({ method, path, query: url.searchParams, params, body, token, now: t0 });
      }
    }
    stats.record({ status: reply.status, endpoint, clientId: token.clientId, tokenLabel: token.label }, t0);
    entry.status = reply.status;
    if (reply.status === 429) {
      entry.retryAfterMs = reply.retryAfterMs ?? null;
      entry.limit = verdict.binding.name;
    }
    // A stall answers (after doing the work) too late for the client's timeout: "applied, outcome unknown".
    const stalled = faultable && random() < (faults.stallRate ?? 0);
    const delay = sampleLatency(faults.latency, random) + (stalled ? (faults.stallMs ?? 35_000) : 0);
    if (delay > 0) await sleep(delay);
    entry.respondedAt = now();
    if (res.destroyed) return;
    send(res, { ...reply, headers: { ...rateHeaders(verdict), ...(reply.headers ?? {}) } }, contextId);
  }

  const server = createServer((req, res) => {
    const contextId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let work: Promise<void>;
    if (url.pathname.startsWith('/__sim/')) work = handleControl(req, res, url.pathname, url.searchParams, contextId);
    else if (url.pathname === '/oauth/token' && req.method === 'POST') work = handleToken(req, res, contextId);
    else work = handleApi(req, res, url, contextId);
    work.catch((err: Error) => {
      if (!res.headersSent) send(res, { status: 500, body: errorBody(500, 'internal.server.error', err.message, contextId) }, contextId);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  apiBase = url;

  const handle: Simulator = {
    url,
    port,
    loginBase: url,
    apiBase: url,
    minuteMs,
    limits,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
    stats: () => stats.snapshot(jobs.counts(now())),
    requests: (since) => requestLog.list(since),
    reset: () => {
      limiter.reset();
      requestLog.clear();
      stats.reset(now());
      jobs.clear();
      conversationsSeen.clear();
    },
    addClient: (id, secret) => {
      clients.set(id, secret);
    },
    setFaults: (f) => {
      faults = validateFaults(f);
    },
    faults: () => faults,
    authorization,
  };
  return handle;
}
