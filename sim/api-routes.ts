/**
 * The simulated Platform API's route table: authorization and OAuth clients (sim/authorization.ts),
 * recordings, screen sessions, scripts, analytics (sim/analytics-routes.ts), messaging and the
 * organization's limits. Bodies are shaped like the Platform API's (sim/fixtures.ts).
 */
import { resolveLimits } from '../lib/ratelimits/catalogue';
import { CLIENT_LIMIT, TOKEN_CREATION_LIMIT, TOKEN_LIMIT } from '../lib/genesys-facts/limits';
import type { SimLimits } from './admission';
import { analyticsRoutes } from './analytics-routes';
import type { AuthorizationStore } from './authorization';
import type { Conversations } from './conversations';
import type { FaultInjector } from './fault-injection';
import * as fx from './fixtures';
import { errorReply } from './http';
import type { JobStore } from './jobs';
import type { OrgFacts } from './org-facts';
import { compile, type Route } from './router';

export interface ApiRouteDeps {
  readonly limits: SimLimits;
  readonly authorization: AuthorizationStore;
  readonly orgFacts: OrgFacts;
  readonly conversations: Conversations;
  readonly jobs: JobStore;
  readonly faults: FaultInjector;
  /** The simulator's seeded generator. */
  readonly random: () => number;
  /** The simulator's URL, for media links (known once it listens). */
  readonly apiBase: () => string;
}

/** The key under which the simulator publishes the per-client token-creation limit in `auth.api`. */
export const SIM_TOKEN_CREATION_KEY = 'token.creation.rate.per.minute';

const intParam = (q: URLSearchParams, name: string, dflt: number, max: number): number => {
  const v = Number(q.get(name) ?? dflt);
  return Number.isInteger(v) && v >= 1 ? Math.min(v, max) : dflt;
};

export function apiRoutes(d: ApiRouteDeps): Route[] {
  let messageSeq = 0;
  const media = () => ({ apiBase: d.apiBase(), perConversation: d.conversations.recordingsPerConversation });
  return [
    ...d.authorization.routes().map((r) => compile(r.method, r.template, (ctx) => r.handle({ ...ctx, callerId: ctx.token.clientId }))),
    compile('GET', '/api/v2/conversations/{conversationId}/recordingmetadata', (ctx) => {
      const id = ctx.params.conversationId;
      return d.conversations.gate(id, ctx.now, 'recordings') ?? { status: 200, body: fx.recordingMetadata(id, media()) };
    }),
    compile('GET', '/api/v2/conversations/{conversationId}/recordings', (ctx) => {
      const id = ctx.params.conversationId;
      return d.conversations.gate(id, ctx.now, 'recordings') ?? { status: 200, body: fx.recordings(id, media()) };
    }),
    compile('GET', '/api/v2/recordings/screensessions/details', () => ({ status: 200, body: { count: 3 + Math.floor(d.random() * 20) } })),
    compile('GET', '/api/v2/scripts', (ctx) => {
      const pageSize = intParam(ctx.query, 'pageSize', 25, 100);
      return { status: 200, body: fx.scriptsPage(intParam(ctx.query, 'pageNumber', 1, 10_000), pageSize) };
    }),
    ...analyticsRoutes(d.jobs, () => d.faults.jobFails()),
    ...d.orgFacts.routes(),
    compile('POST', '/api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages', (ctx) => {
      const gate = d.conversations.gate(ctx.params.conversationId, ctx.now, 'conversation');
      if (gate) return gate;
      const b = ctx.body as { textBody?: unknown; content?: unknown } | undefined;
      if (typeof b?.textBody !== 'string' && !Array.isArray(b?.content))
        return errorReply(400, 'bad.request', 'textBody or content is required');
      const text = typeof b.textBody === 'string' ? b.textBody : '';
      return { status: 200, body: fx.messageData(ctx.params.conversationId, ctx.params.communicationId, text, ctx.now, ++messageSeq) };
    }),
    compile('GET', '/api/v2/organizations/limits/namespaces/{namespace}', (ctx) => {
      const ns = ctx.params.namespace;
      const resolved = resolveLimits().filter((l) => l.namespace === ns);
      if (!resolved.length) return errorReply(404, 'not.found', `Namespace ${ns} not found`);
      // Only the limits the real API publishes (an apiKey in the catalogue), under that key; a
      // limit known by the end of its key only is published under a full key ending with it.
      const published = resolved.filter((l) => l.apiKey || l.apiKeySuffix);
      const effective: Record<string, number> = {
        [TOKEN_LIMIT]: d.limits.perToken,
        'token.rate.per.minute': d.limits.perToken,
        [CLIENT_LIMIT]: d.limits.perClient,
        [TOKEN_CREATION_LIMIT]: d.limits.tokenCreationPerClient,
      };
      const entities = published.map((l) => ({
        key: l.apiKey ?? `conversations.${l.apiKeySuffix}`,
        namespace: ns,
        value: (effective[l.name] ?? l.value) / (l.apiScale ?? 1),
      }));
      // The token-creation limit's key is published nowhere; the simulator names it as below
      // (preflight finds it by its words, see tokenCreationEntry in commands/limits-fetch.ts).
      if (ns === 'auth.api') entities.push({ key: SIM_TOKEN_CREATION_KEY, namespace: ns, value: d.limits.tokenCreationPerClient });
      return { status: 200, body: { entities } };
    }),
  ];
}
