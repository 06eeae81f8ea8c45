/**
 * The simulator's control routes under `/__sim/` (no auth; the server listens on 127.0.0.1 only):
 * stats, the request log, health, reset, faults, the org facts preflight reads, client registration, and the media links the
 * recording fixtures point at. A web page open in a browser during a rehearsal can reach
 * 127.0.0.1 too, so these routes answer only requests addressed to the simulator itself (Host
 * `127.0.0.1:<port>` or `localhost:<port>`, else 403: DNS rebinding) and take bodies only as
 * `application/json` (else 415), a type no page can send cross-origin without a CORS preflight,
 * which the simulator never grants.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimLimits } from './admission';
import type { Faults } from './faults';
import type { OrgFacts, OrgFactsOverrides } from './org-facts';
import { errorBody, readBodyText, send } from './http';
import type { RequestLog } from './request-log';
import type { SimStats } from './stats';

/** What the control routes drive: the simulator's own handle. */
export interface ControlTarget {
  /** The loopback port the simulator listens on: the only one a Host header may name. */
  readonly port: number;
  readonly minuteMs: number;
  readonly limits: SimLimits;
  stats(): SimStats;
  reset(): void;
  addClient(id: string, secret: string): void;
  setFaults(faults: Faults): void;
  faults(): Faults;
  readonly orgFacts: OrgFacts;
}

export type ControlHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  contextId: string,
) => Promise<void>;

/** Why a control request is refused before any route sees it (403 or 415), or undefined. */
export function refusal(req: IncomingMessage, port: number): { status: 403 | 415; code: string; message: string } | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
    return {
      status: 403,
      code: 'forbidden',
      message: `Host must be 127.0.0.1:${port} or localhost:${port} (got ${JSON.stringify(req.headers.host ?? '')})`,
    };
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (req.method !== 'GET' && req.method !== 'HEAD' && type !== 'application/json') {
    return {
      status: 415,
      code: 'unsupported.media.type',
      message: `${req.method} ${req.url ?? ''} takes Content-Type: application/json (got ${JSON.stringify(req.headers['content-type'] ?? '')})`,
    };
  }
  return undefined;
}

export function controlHandler(sim: ControlTarget, requestLog: RequestLog): ControlHandler {
  return async (req, res, path, query, contextId) => {
    const refused = refusal(req, sim.port);
    if (refused)
      return send(res, { status: refused.status, body: errorBody(refused.status, refused.code, refused.message, contextId) }, contextId);
    const body = async (): Promise<unknown> => {
      const text = (await readBodyText(req)) ?? '';
      return text ? JSON.parse(text) : {};
    };
    const ok = (status: number, b?: unknown): void => send(res, { status, body: b }, contextId);
    try {
      if (req.method === 'GET' && path === '/__sim/stats') return ok(200, sim.stats());
      if (req.method === 'GET' && path === '/__sim/requests') {
        const since = Number(query.get('since') ?? 0);
        if (!(Number.isInteger(since) && since >= 0)) throw new Error('since must be a whole number (a request seq)');
        return ok(200, { dropped: requestLog.dropped, requests: requestLog.list(since) });
      }
      if (req.method === 'GET' && path === '/__sim/health') return ok(200, { ok: true, minuteMs: sim.minuteMs, limits: sim.limits });
      if (req.method === 'POST' && path === '/__sim/reset') {
        sim.reset();
        return ok(204);
      }
      if (req.method === 'GET' && path === '/__sim/faults') return ok(200, sim.faults());
      if ((req.method === 'POST' || req.method === 'PUT') && path === '/__sim/faults') {
        sim.setFaults((await body()) as Faults);
        return ok(200, sim.faults());
      }
      if (req.method === 'GET' && path === '/__sim/org-facts') return ok(200, sim.orgFacts.current);
      if (req.method === 'PUT' && path === '/__sim/org-facts') {
        sim.orgFacts.set((await body()) as OrgFactsOverrides);
        return ok(200, sim.orgFacts.current);
      }
      if (req.method === 'POST' && path === '/__sim/clients') {
        const b = (await body()) as { id?: unknown; secret?: unknown };
        if (typeof b.id !== 'string' || typeof b.secret !== 'string' || !b.id || !b.secret) {
          return ok(400, errorBody(400, 'bad.request', 'body must be {"id": "...", "secret": "..."}', contextId));
        }
        sim.addClient(b.id, b.secret);
        return ok(201, { id: b.id });
      }
      if (req.method === 'GET' && path.startsWith('/__sim/media/')) return ok(200, { media: path.slice(13) });
    } catch (err) {
      return ok(400, errorBody(400, 'bad.request', (err as Error).message, contextId));
    }
    ok(404, errorBody(404, 'not.found', `No simulator control endpoint ${req.method} ${path}`, contextId));
  };
}
