/**
 * The Genesys Cloud simulator: `startSimulator` composes the pieces, each in its own module:
 * HTTP plumbing (http.ts), tokens and authentication (oauth.ts), rate-limit admission
 * (admission.ts on limiter.ts), fault injection (fault-injection.ts on faults.ts), the API route
 * table (api-routes.ts, analytics-routes.ts, authorization.ts, conversations.ts, jobs.ts), one API
 * call start to finish (api-handler.ts), and the `/__sim/*` control routes (control-routes.ts).
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simLimits, type SimLimits } from './admission';
import { apiHandler } from './api-handler';
import { apiRoutes } from './api-routes';
import { AuthorizationStore, type AuthorizationOptions } from './authorization';
import { controlHandler } from './control-routes';
import { Conversations, type ConversationOptions } from './conversations';
import { FaultInjector } from './fault-injection';
import type { Faults } from './faults';
import { seededRandom } from '../lib/random';
import { errorBody, send } from './http';
import { JobStore, type JobTimings } from './jobs';
import { FixedWindowLimiter } from './limiter';
import { TokenIssuer, type TokenThrottleStatus } from './oauth';
import { OrgFacts, type OrgFactsOverrides } from './org-facts';
import { RequestLog, type RequestLogEntry } from './request-log';
import { StatsCollector, type SimStats } from './stats';

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
  /**
   * The answer to a token request over the token-creation limit: 400 `invalid_request` "rate limit
   * exceeded" (default, as Genesys Cloud answers) or 429 with Retry-After (older behaviour).
   */
  readonly tokenThrottleStatus?: TokenThrottleStatus;
  readonly faults?: Faults;
  /** Recordings answer 404 until this long after a conversation is first seen. Default 0 (faults may override). */
  readonly recordingsAvailableAfterMs?: number;
  readonly jobs?: JobTimings;
  readonly conversations?: ConversationOptions;
  /** Seed for fault draws. Default random. */
  readonly seed?: number;
  /** Clock in ms (tests). Default `Date.now`. */
  readonly now?: () => number;
  /** Entries kept in the request log (oldest dropped first). Default 200000. */
  readonly requestLogMax?: number;
  /** Roles, home division and OAuth clients for the authorization routes (sim/authorization.ts). */
  readonly authorization?: AuthorizationOptions;
  /** How the org answers preflight's reads (integration types, credential types, topics); default the project's defaults. */
  readonly orgFacts?: OrgFactsOverrides;
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
  /** The org facts preflight reads (`PUT /__sim/org-facts` changes them too). */
  readonly orgFacts: OrgFacts;
}

/**
 * Starts the Genesys Cloud simulator on 127.0.0.1. Login (`/oauth/token`) and the API are
 * served by the same server, so `loginBase === apiBase === url`.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const now = options.now ?? Date.now;
  const minuteMs = options.minuteMs ?? 60_000;
  if (!(Number.isFinite(minuteMs) && minuteMs >= 10)) throw new RangeError(`minuteMs must be a number >= 10 (got ${minuteMs})`);
  const limits = simLimits(options.limits);
  const random = seededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 32));
  const faults = new FaultInjector(options.faults, random);
  const limiter = new FixedWindowLimiter(minuteMs);
  const stats = new StatsCollector(minuteMs, now());
  const requestLog = new RequestLog(options.requestLogMax);
  const jobs = new JobStore(options.jobs);
  const conversations = new Conversations(
    options.conversations,
    () => faults.recordingsAvailableAfterMs ?? options.recordingsAvailableAfterMs ?? 0,
  );
  const authorization = new AuthorizationStore(options.authorization);
  const orgFacts = new OrgFacts(options.orgFacts);
  const tokens = new TokenIssuer({
    clients: new Map((options.clients ?? []).map((c) => [c.id, c.secret])),
    openRegistration: options.openRegistration ?? false,
    tokenTtlSec: options.tokenTtlSec ?? 86_400,
    limits,
    limiter,
    stats,
    now,
    dropRetryAfter: () => faults.dropRetryAfter(),
    tokenThrottleStatus: options.tokenThrottleStatus ?? 400,
    tokenFault: () => faults.tokenFault(),
  });
  let apiBase = '';
  const routes = apiRoutes({ limits, authorization, orgFacts, conversations, jobs, faults, random, apiBase: () => apiBase });
  const handleApi = apiHandler({ routes, tokens, limits, limiter, faults, stats, requestLog, now });

  const server = createServer((req, res) => {
    const contextId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let work: Promise<void>;
    if (url.pathname.startsWith('/__sim/')) work = handleControl(req, res, url.pathname, url.searchParams, contextId);
    else if (url.pathname === '/oauth/token' && req.method === 'POST') work = tokens.handle(req, res, contextId);
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
      conversations.clear();
    },
    addClient: (id, secret) => tokens.addClient(id, secret),
    setFaults: (f) => faults.set(f),
    faults: () => faults.faults,
    authorization,
    orgFacts,
  };
  const handleControl = controlHandler(handle, requestLog);
  return handle;
}
