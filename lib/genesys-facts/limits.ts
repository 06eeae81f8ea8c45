/**
 * The Genesys Cloud limits genesys-loadlab plans against: facts only, so the environment schema
 * (lib/config) can name them without importing the planner. Applying overrides and matching
 * endpoints is lib/ratelimits/catalogue.ts. Values are the published defaults;
 * orgs can have them raised, so every environment may override any value by name
 * (`genesys.limits`, written by `npm run limits:fetch`). Each entry names its public source.
 */
export type LimitScope =
  /** Each access token (one client-credentials grant). */
  | 'token'
  /** Each org + OAuth client (+ user; client-credentials tokens have no user). */
  | 'client'
  /** The whole org. */
  | 'org'
  /** One endpoint across the whole org: more tokens or clients do not help. */
  | 'endpoint'
  /** One request. */
  | 'request'
  /** One user + application (notification channels; a client-credentials client is its own "user"). */
  | 'user-app';

/** `declared`: an environment's own `genesys.endpointLimits` entry (the user vouches for it). */
export type Confidence = 'confirmed' | 'community' | 'unconfirmed' | 'declared';

/** How the planner uses a limit: rates are spread over tokens/clients, the others cap a count. */
export type LimitKind = 'rate' | 'concurrency' | 'count' | 'size';

export type LimitUnit =
  'requests/min' | 'invocations/min' | 'invocations/hour' | 'concurrent jobs' | 'bytes' | 'items' | 'channels' | 'topics' | 'tokens/min';

export interface LimitSpec {
  /** The name environments override it by (`genesys.limits.<name>`). */
  readonly name: string;
  readonly namespace: string;
  /**
   * The key `GET /api/v2/organizations/limits/namespaces/{namespace}` returns for it, when it is
   * published; `limits:fetch` only updates limits with a known key. Undefined: set it by hand.
   */
  readonly apiKey?: string;
  /**
   * When only the end of the key is known (seen in third-party code, not in a Genesys reference):
   * limits:fetch takes the namespace's entry whose key ends with this. Unconfirmed limits only.
   */
  readonly apiKeySuffix?: string;
  /** Multiply the API's value by this to get `unit` (60 for a `.per.second` key of a per-minute limit). Default 1. */
  readonly apiScale?: number;
  readonly value: number;
  readonly unit: LimitUnit;
  readonly kind: LimitKind;
  readonly scope: LimitScope;
  /**
   * What it applies to: `*` = every Platform API call, `METHOD /path/{template}` = one endpoint,
   * anything else is descriptive (e.g. process-automation triggers).
   */
  readonly appliesTo: readonly string[];
  readonly confidence: Confidence;
  readonly source: string;
}

const LIMITS_PAGE = 'developer.genesys.cloud/organization/organization/limits#platform-api';

export const LIMIT_CATALOGUE: readonly LimitSpec[] = [
  {
    name: 'token.rate.per.minute',
    namespace: 'platform.api',
    apiKey: 'token.rate.per.minute',
    value: 300,
    unit: 'requests/min',
    kind: 'rate',
    scope: 'token',
    appliesTo: ['*'],
    confidence: 'community',
    source: `${LIMITS_PAGE} (quoted on community.genesys.com/discussion/api-limits)`,
  },
  {
    name: 'client.credentials.token.rate.per.minute',
    namespace: 'platform.api',
    apiKey: 'client.credentials.token.rate.per.minute',
    value: 300,
    unit: 'requests/min',
    kind: 'rate',
    scope: 'token',
    appliesTo: ['*'],
    confidence: 'community',
    source: `${LIMITS_PAGE} (quoted on community.genesys.com/discussion/api-limits)`,
  },
  {
    name: 'org.app.user.rate.per.minute',
    namespace: 'platform.api',
    apiKey: 'org.app.user.rate.per.minute',
    value: 3000,
    unit: 'requests/min',
    kind: 'rate',
    scope: 'client',
    appliesTo: ['*'],
    confidence: 'community',
    source: `${LIMITS_PAGE} (Genesys staff reply on community.genesys.com)`,
  },
  {
    name: 'request.bytes.max',
    namespace: 'platform.api',
    apiKey: 'request.bytes.max',
    value: 512000,
    unit: 'bytes',
    kind: 'size',
    scope: 'request',
    appliesTo: ['*'],
    confidence: 'community',
    source: LIMITS_PAGE,
  },
  {
    name: 'recording.bulk.jobs.concurrent.max',
    namespace: 'recording',
    value: 2,
    unit: 'concurrent jobs',
    kind: 'concurrency',
    scope: 'org',
    appliesTo: ['POST /api/v2/recording/jobs', 'PUT /api/v2/recording/jobs/{jobId}'],
    confidence: 'confirmed',
    source: 'Platform API RecordingApi (SDK docs): at most 2 concurrent PENDING/PROCESSING bulk jobs per organization',
  },
  {
    // Jobs limits exist (names of this form are seen in third-party code); their values are not
    // published anywhere we could read: assumed, and only warned about until the environment sets them.
    name: 'analytics.conversations.details.jobs.concurrent.max',
    namespace: 'analytics',
    apiKeySuffix: 'details.jobs.concurrent.access.max',
    value: 10,
    unit: 'concurrent jobs',
    kind: 'concurrency',
    scope: 'org',
    appliesTo: ['POST /api/v2/analytics/conversations/details/jobs'],
    confidence: 'unconfirmed',
    source:
      'assumed value; a limit named ...details.jobs.concurrent.access.max exists (third-party code). Read the analytics namespace (npm run limits:fetch -- --namespace analytics) or set genesys.limits.',
  },
  {
    name: 'analytics.conversations.details.jobs.submissions.per.minute',
    namespace: 'analytics',
    apiKeySuffix: 'details.jobs.rate.per.second',
    apiScale: 60,
    value: 60,
    unit: 'requests/min',
    kind: 'rate',
    scope: 'org',
    appliesTo: ['POST /api/v2/analytics/conversations/details/jobs'],
    confidence: 'unconfirmed',
    source:
      'assumed value (1 job submission per second); a limit named ...details.jobs.rate.per.second exists (third-party code). Read the analytics namespace or set genesys.limits.',
  },
  {
    name: 'recording.batch.request.items.max',
    namespace: 'recording',
    value: 100,
    unit: 'items',
    kind: 'size',
    scope: 'request',
    appliesTo: ['POST /api/v2/recording/batchrequests'],
    confidence: 'confirmed',
    source: 'Platform API BatchDownloadJobSubmission (SDK docs): at most 100 items per batch request',
  },
  {
    name: 'event.orchestration.workflow.invocations.per.minute',
    namespace: 'event.orchestration',
    apiKey: 'event.orchestration.workflow.invocations.per.minute',
    value: 6000,
    unit: 'invocations/min',
    kind: 'rate',
    scope: 'org',
    appliesTo: ['process-automation triggers'],
    confidence: 'confirmed',
    source: 'developer.genesys.cloud/forum/t/trying-to-understand-limits-on-triggers-and-workflows/23730',
  },
  {
    name: 'event.orchestration.workflow.invocations.per.hour',
    namespace: 'event.orchestration',
    apiKey: 'event.orchestration.workflow.invocations.per.hour',
    value: 36000,
    unit: 'invocations/hour',
    kind: 'rate',
    scope: 'org',
    appliesTo: ['process-automation triggers'],
    confidence: 'confirmed',
    source: 'developer.genesys.cloud/forum/t/trying-to-understand-limits-on-triggers-and-workflows/23730',
  },
  {
    name: 'notifications.channels.per.user.app.max',
    namespace: 'notifications',
    value: 20,
    unit: 'channels',
    kind: 'count',
    scope: 'user-app',
    appliesTo: ['POST /api/v2/notifications/channels'],
    confidence: 'confirmed',
    source: 'Platform API NotificationsApi (SDK docs): a 21st channel silently removes the oldest',
  },
  {
    name: 'notifications.topics.per.channel.max',
    namespace: 'notifications',
    value: 1000,
    unit: 'topics',
    kind: 'count',
    scope: 'user-app',
    appliesTo: ['POST /api/v2/notifications/channels/{channelId}/subscriptions'],
    confidence: 'confirmed',
    source: 'Genesys developer blog, intro to AWS EventBridge (2022-07-29)',
  },
  {
    name: 'architect.ivr.update.rate.per.minute',
    namespace: 'platform.api',
    value: 100,
    unit: 'requests/min',
    kind: 'rate',
    scope: 'endpoint',
    appliesTo: ['PUT /api/v2/architect/ivrs/{ivrId}'],
    confidence: 'community',
    source: 'API explorer page of PUT /api/v2/architect/ivrs/{ivrId}, quoted on community.genesys.com (Mar 2025)',
  },
  {
    // The provider docs warn that prefilling a token pool triggers OAuth rate limiting; the value is not published.
    name: 'auth.token.creation.rate.per.minute',
    namespace: 'auth.api',
    value: 120,
    unit: 'tokens/min',
    kind: 'rate',
    scope: 'client',
    appliesTo: ['POST /oauth/token'],
    confidence: 'unconfirmed',
    source:
      'assumed; terraform-provider-genesyscloud docs/index.md (token_pool_size) only says token creation is rate-limited. Read the auth.api namespace and override it.',
  },
];

/** The limit names the planner reads. */
export const TOKEN_LIMIT = 'client.credentials.token.rate.per.minute';
export const GENERIC_TOKEN_LIMIT = 'token.rate.per.minute';
export const CLIENT_LIMIT = 'org.app.user.rate.per.minute';
export const TOKEN_CREATION_LIMIT = 'auth.token.creation.rate.per.minute';
export const RECORDING_JOBS_LIMIT = 'recording.bulk.jobs.concurrent.max';
export const CHANNELS_LIMIT = 'notifications.channels.per.user.app.max';
export const ANALYTICS_JOBS_LIMIT = 'analytics.conversations.details.jobs.concurrent.max';
