/**
 * The Genesys Cloud Platform API endpoints genesys-loadlab knows about: what a scenario may
 * call, which permissions each needs (used to derive least-privilege roles), and what kind of
 * traffic it is (used by the budget planner to spot synchronous metadata or analytics polling).
 * Permission strings come from the Platform API SDK docs ("Requires ANY permissions" of each
 * operation, e.g. platform-client-sdk-python build/docs/RecordingApi.md, AnalyticsApi.md).
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `interactive`: what agents and users do during a session (fine in a load test).
 * - `recording-metadata`: metadata that should come from the event pipeline, not the hot path.
 * - `analytics-query`: the synchronous analytics query, not meant for bulk or polling.
 * - `analytics-job`: the async conversation details jobs API.
 * - `telemetry`, `limits`: reads used by report workers and `limits:fetch`.
 */
export type EndpointKind = 'interactive' | 'recording-metadata' | 'analytics-query' | 'analytics-job' | 'telemetry' | 'limits';

export interface EndpointSpec {
  readonly method: HttpMethod;
  /** Path template with `{param}` placeholders, exactly as the API reference writes it. */
  readonly path: string;
  readonly kind: EndpointKind;
  /** Any one of these permissions grants access; the first is the one roles receive. */
  readonly anyOf: readonly string[];
  readonly summary: string;
}

export const ENDPOINTS: readonly EndpointSpec[] = [
  {
    method: 'GET',
    path: '/api/v2/conversations/{conversationId}/recordingmetadata',
    kind: 'recording-metadata',
    anyOf: ['recording:recording:view', 'recording:recordingSegment:view'],
    summary: 'Recording metadata of a conversation',
  },
  {
    method: 'GET',
    path: '/api/v2/conversations/{conversationId}/recordings',
    kind: 'recording-metadata',
    anyOf: [
      'recording:recording:view',
      'recording:recordingSegment:view',
      'recording:snippetRecording:view',
      'recording:screenRecording:view',
    ],
    summary: 'Recordings (screen recordings included) of a conversation',
  },
  {
    method: 'GET',
    path: '/api/v2/conversations/{conversationId}/recordings/{recordingId}',
    kind: 'recording-metadata',
    anyOf: [
      'recording:recording:view',
      'recording:recordingSegment:view',
      'recording:snippetRecording:view',
      'recording:screenRecording:view',
    ],
    summary: 'One recording of a conversation (media URLs and metadata); archive in bulk instead',
  },
  {
    method: 'POST',
    path: '/api/v2/notifications/channels',
    kind: 'interactive',
    anyOf: [],
    summary: 'Create a notification channel (at most 20 per user + application; the SDK docs list no permission)',
  },
  {
    method: 'GET',
    path: '/api/v2/recordings/screensessions/details',
    kind: 'interactive',
    anyOf: ['recording:screenRecording:view'],
    summary: 'Screen recording session details',
  },
  {
    method: 'POST',
    path: '/api/v2/recordings/screensessions/acknowledge',
    kind: 'interactive',
    anyOf: ['recording:screenRecording:view'],
    summary: 'Acknowledge a screen recording session',
  },
  { method: 'GET', path: '/api/v2/scripts', kind: 'interactive', anyOf: ['scripter:script:view'], summary: 'List agent scripts' },
  {
    method: 'GET',
    path: '/api/v2/scripts/{scriptId}',
    kind: 'interactive',
    anyOf: ['scripter:script:view'],
    summary: 'Get an agent script',
  },
  {
    method: 'POST',
    path: '/api/v2/analytics/conversations/details/query',
    kind: 'analytics-query',
    anyOf: ['analytics:conversationDetail:view', 'analytics:agentConversationDetail:view'],
    summary: 'Synchronous conversation details query (not for bulk or polling)',
  },
  {
    method: 'POST',
    path: '/api/v2/analytics/conversations/details/jobs',
    kind: 'analytics-job',
    anyOf: ['analytics:conversationDetail:view', 'analytics:agentConversationDetail:view'],
    summary: 'Submit a conversation details job',
  },
  {
    method: 'GET',
    path: '/api/v2/analytics/conversations/details/jobs/{jobId}',
    kind: 'analytics-job',
    anyOf: ['analytics:conversationDetail:view', 'analytics:agentConversationDetail:view'],
    summary: 'Conversation details job status',
  },
  {
    method: 'GET',
    path: '/api/v2/analytics/conversations/details/jobs/{jobId}/results',
    kind: 'analytics-job',
    anyOf: ['analytics:conversationDetail:view', 'analytics:agentConversationDetail:view'],
    summary: 'Conversation details job results (cursor paging)',
  },
  {
    method: 'DELETE',
    path: '/api/v2/analytics/conversations/details/jobs/{jobId}',
    kind: 'analytics-job',
    anyOf: ['analytics:conversationDetail:view', 'analytics:agentConversationDetail:view'],
    summary: 'Cancel a conversation details job',
  },
  {
    method: 'GET',
    path: '/api/v2/analytics/conversations/details/jobs/availability',
    kind: 'analytics-job',
    anyOf: ['analytics:conversationDetail:view'],
    summary: 'Data-lake availability date for conversation details jobs',
  },
  {
    method: 'POST',
    path: '/api/v2/analytics/ratelimits/aggregates/query',
    kind: 'telemetry',
    anyOf: ['analytics:rateLimitAggregate:view'],
    summary: 'Rate-limit aggregates (filled from 90 % of a limit)',
  },
  {
    method: 'POST',
    path: '/api/v2/usage/client/{clientId}/aggregates/query/jobs',
    kind: 'telemetry',
    anyOf: ['usage:client:view', 'oauth:client:view'],
    summary: 'API usage of one OAuth client',
  },
  {
    method: 'GET',
    path: '/api/v2/usage/client/{clientId}/aggregates/query/jobs/{jobId}',
    kind: 'telemetry',
    anyOf: ['usage:client:view', 'oauth:client:view'],
    summary: 'Status and results of an OAuth client usage job',
  },
  {
    method: 'POST',
    path: '/api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages',
    kind: 'interactive',
    anyOf: ['conversation:message:create', 'conversation:webmessaging:create'],
    summary: 'Send a message in a conversation',
  },
  {
    method: 'POST',
    path: '/api/v2/conversations/messages/agentless',
    kind: 'interactive',
    anyOf: ['conversation:message:create'],
    summary: 'Send an agentless outbound message',
  },
  {
    method: 'GET',
    path: '/api/v2/organizations/limits/namespaces/{namespace}',
    kind: 'limits',
    anyOf: [],
    summary: 'Live rate-limit values of a namespace (no permission needed)',
  },
];

/** Paths our users' plans call that are not Genesys Cloud Platform API paths, and what to call instead. */
export const NONEXISTENT_ENDPOINTS: readonly { readonly path: string; readonly useInstead: readonly string[] }[] = [
  {
    path: '/api/v2/recordings/screens',
    useInstead: ['GET /api/v2/recordings/screensessions/details', 'GET /api/v2/conversations/{conversationId}/recordings'],
  },
  { path: '/api/v2/screen-recordings/{id}', useInstead: ['GET /api/v2/conversations/{conversationId}/recordings'] },
  { path: '/api/v2/recordings/screensessions', useInstead: ['GET /api/v2/recordings/screensessions/details'] },
];

const templateToRegex = (template: string): RegExp =>
  new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+') + '/?$');

const compiled = ENDPOINTS.map((spec) => ({ spec, re: templateToRegex(spec.path) }));

/**
 * Finds the catalogue entry for a method and a path, which may be a template
 * (`/api/v2/scripts/{scriptId}`) or a concrete path (`/api/v2/scripts/abc`).
 */
export function findEndpoint(method: string, path: string): EndpointSpec | undefined {
  const bare = path.split('?')[0];
  const exact = ENDPOINTS.find((e) => e.method === method.toUpperCase() && e.path === bare);
  if (exact) return exact;
  return compiled.find((c) => c.spec.method === method.toUpperCase() && c.re.test(bare))?.spec;
}

/** The replacement advice when a path is one of the known non-existent ones. */
export function nonexistentEndpoint(path: string): (typeof NONEXISTENT_ENDPOINTS)[number] | undefined {
  const bare = path.split('?')[0];
  return NONEXISTENT_ENDPOINTS.find((n) => n.path === bare || templateToRegex(n.path).test(bare));
}
