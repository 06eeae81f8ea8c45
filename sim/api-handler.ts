/**
 * One Platform API call, start to finish: find its route, log it, authenticate its bearer token,
 * admit it against the rate limits, let the faults preempt it, run the route (or answer 404 /
 * 413 / 400), count it, hold the reply for any injected latency or stall, and send it with the
 * `inin-ratelimit-*` headers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { nonexistentEndpoint } from '../lib/genesys-facts/endpoints';
import { sleep } from '../lib/contracts/clock';
import { apiLimitChecks, rateHeaders, throttledReply, type SimLimits } from './admission';
import type { FaultInjector } from './fault-injection';
import { errorBody, MAX_BODY_BYTES, readBodyText, send, type Reply } from './http';
import type { FixedWindowLimiter } from './limiter';
import type { TokenIssuer } from './oauth';
import type { RequestLog } from './request-log';
import { matchRoute, routeParams, type Route } from './router';
import type { StatsCollector } from './stats';

export interface ApiHandlerDeps {
  readonly routes: readonly Route[];
  readonly tokens: TokenIssuer;
  readonly limits: SimLimits;
  readonly limiter: FixedWindowLimiter;
  readonly faults: FaultInjector;
  readonly stats: StatsCollector;
  readonly requestLog: RequestLog;
  readonly now: () => number;
}

export type ApiHandler = (req: IncomingMessage, res: ServerResponse, url: URL, contextId: string) => Promise<void>;

export function apiHandler(d: ApiHandlerDeps): ApiHandler {
  return async (req, res, url, contextId) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname;
    const t0 = d.now();
    const token = d.tokens.bearer(req.headers.authorization ?? '');
    const match = matchRoute(d.routes, method, path);
    const endpoint = match ? `${method} ${match.route.template}` : `${method} (unknown)`;
    const entry = d.requestLog.add({
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
      d.stats.record({ status: 401, endpoint, clientId: token?.clientId }, t0);
      const message = token ? 'Access token expired' : 'No authentication bearer token specified in authorization header.';
      return send(res, { status: 401, body: errorBody(401, 'bad.credentials', message, contextId) }, contextId);
    }

    /** The reply of an admitted call the faults left alone: its route's, or 404, 413, 400. */
    const routeReply = async (): Promise<Reply> => {
      if (!match) {
        const missing = nonexistentEndpoint(path);
        return {
          status: 404,
          body: errorBody(404, 'not.found', `Resource not found: ${method} ${path}`, contextId),
          headers: missing ? { 'x-sim-hint': `not a Platform API path; use ${missing.useInstead.join(' or ')}` } : {},
        };
      }
      const text = await readBodyText(req);
      if (text === null) {
        return { status: 413, body: errorBody(413, 'request.entity.too.large', `Request body exceeds ${MAX_BODY_BYTES} bytes`, contextId) };
      }
      const params = routeParams(match);
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return { status: 400, body: errorBody(400, 'bad.request', 'Request body is not valid JSON', contextId) };
      }
      return match.route.handler({ method, path, query: url.searchParams, params, body, token, now: t0 });
    };

    const verdict = d.limiter.admit(apiLimitChecks(d.limits, token, match?.route.template, method), t0);
    const faultable = d.faults.appliesTo(endpoint);
    const reply: Reply = !verdict.ok
      ? throttledReply(verdict, contextId, d.faults.dropRetryAfter())
      : (d.faults.preempt(faultable, contextId) ?? (await routeReply()));
    d.stats.record({ status: reply.status, endpoint, clientId: token.clientId, tokenLabel: token.label }, t0);
    entry.status = reply.status;
    if (reply.injected) entry.injected = reply.injected;
    if (reply.status === 429) {
      entry.retryAfterMs = reply.retryAfterMs ?? null;
      // Only a 429 the limits gave names a limit: an injected one names its fault instead.
      if (!reply.injected) entry.limit = verdict.binding.name;
    }
    const delay = d.faults.delayMs(faultable);
    if (delay > 0) await sleep(delay);
    entry.respondedAt = d.now();
    if (res.destroyed) return;
    send(res, { ...reply, headers: { ...rateHeaders(verdict), ...(reply.headers ?? {}) } }, contextId);
  };
}
