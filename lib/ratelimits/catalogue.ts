/**
 * The Genesys Cloud limits genesys-loadlab plans against. Values are the published defaults;
 * orgs can have them raised, so every environment may override any value by name
 * (`genesys.limits`, written by `npm run limits:fetch`). Sources: ../shared/genesys-facts.md.
 */
export type LimitScope =
  /** Each access token (one client-credentials grant). */
  | 'token'
  /** Each org + OAuth client (+ user; client-credentials tokens have no user). */
  | 'client'
  /** The whole org. */
  | 'org'
  /** One request. */
  | 'request'
  /** One user + application (notification channels). */
  | 'user-app';

export type Confidence = 'confirmed' | 'community' | 'unconfirmed';

export interface LimitSpec {
  /** The limit's name as the limits API returns it. */
  readonly name: string;
  readonly namespace: string;
  readonly value: number;
  readonly unit:
    'requests/min' | 'invocations/min' | 'invocations/hour' | 'concurrent jobs' | 'bytes' | 'channels' | 'topics' | 'tokens/min';
  readonly scope: LimitScope;
  /** Endpoint path prefixes it applies to; `*` = every Platform API call. */
  readonly appliesTo: readonly string[];
  readonly confidence: Confidence;
  readonly source: string;
}

export const LIMIT_CATALOGUE: readonly LimitSpec[] = [
  {
    name: 'token.rate.per.minute',
    namespace: 'platform.api',
    value: 300,
    unit: 'requests/min',
    scope: 'token',
    appliesTo: ['*'],
    confidence: 'community',
    source: 'developer.genesys.cloud/organization/organization/limits#platform-api (quoted on community.genesys.com/discussion/api-limits)',
  },
  {
    name: 'client.credentials.token.rate.per.minute',
    namespace: 'platform.api',
    value: 300,
    unit: 'requests/min',
    scope: 'token',
    appliesTo: ['*'],
    confidence: 'community',
    source: 'developer.genesys.cloud/organization/organization/limits#platform-api (quoted on community.genesys.com/discussion/api-limits)',
  },
  {
    name: 'org.app.user.rate.per.minute',
    namespace: 'platform.api',
    value: 3000,
    unit: 'requests/min',
    scope: 'client',
    appliesTo: ['*'],
    confidence: 'community',
    source: 'developer.genesys.cloud/organization/organization/limits#platform-api (Genesys staff reply on community.genesys.com)',
  },
  {
    name: 'request.bytes.max',
    namespace: 'platform.api',
    value: 512000,
    unit: 'bytes',
    scope: 'request',
    appliesTo: ['*'],
    confidence: 'community',
    source: 'developer.genesys.cloud/organization/organization/limits#platform-api',
  },
  {
    name: 'recording.bulk.jobs.concurrent.max',
    namespace: 'recording',
    value: 2,
    unit: 'concurrent jobs',
    scope: 'org',
    appliesTo: ['/api/v2/recording/jobs'],
    confidence: 'confirmed',
    source: 'Platform API RecordingApi: at most 2 concurrent PENDING/PROCESSING bulk jobs per organization',
  },
  {
    name: 'event.orchestration.workflow.invocations.per.minute',
    namespace: 'event.orchestration',
    value: 6000,
    unit: 'invocations/min',
    scope: 'org',
    appliesTo: ['process-automation triggers'],
    confidence: 'confirmed',
    source: 'developer.genesys.cloud/forum/t/trying-to-understand-limits-on-triggers-and-workflows/23730',
  },
  {
    name: 'event.orchestration.workflow.invocations.per.hour',
    namespace: 'event.orchestration',
    value: 36000,
    unit: 'invocations/hour',
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
    scope: 'user-app',
    appliesTo: ['/api/v2/notifications/channels'],
    confidence: 'confirmed',
    source: 'Platform API NotificationsApi: a 21st channel removes the oldest',
  },
  {
    name: 'notifications.topics.per.channel.max',
    namespace: 'notifications',
    value: 1000,
    unit: 'topics',
    scope: 'user-app',
    appliesTo: ['/api/v2/notifications/channels'],
    confidence: 'confirmed',
    source: 'Genesys developer blog, intro to AWS EventBridge (2022-07-29)',
  },
  {
    // The provider docs warn that prefilling a token pool triggers OAuth rate limiting; the value is not published.
    name: 'auth.token.creation.rate.per.minute',
    namespace: 'auth.api',
    value: 120,
    unit: 'tokens/min',
    scope: 'client',
    appliesTo: ['/oauth/token'],
    confidence: 'unconfirmed',
    source:
      'assumed; terraform-provider-genesyscloud docs/index.md (token_pool_size) only says token creation is rate-limited. Read the auth.api namespace.',
  },
];

/** The limit names the planner reads. */
export const TOKEN_LIMIT = 'client.credentials.token.rate.per.minute';
export const CLIENT_LIMIT = 'org.app.user.rate.per.minute';
export const TOKEN_CREATION_LIMIT = 'auth.token.creation.rate.per.minute';

export interface ResolvedLimit extends LimitSpec {
  /** True when the environment overrides the catalogue value. */
  readonly overridden: boolean;
}

/**
 * The catalogue with an environment's overrides applied. An override may also add a limit the
 * catalogue does not know (e.g. a per-endpoint limit read from the limits API); it is then
 * kept with scope `org` and confidence `confirmed` (it came from the org itself).
 */
export function resolveLimits(overrides: Readonly<Record<string, number>> = {}): ResolvedLimit[] {
  const known = LIMIT_CATALOGUE.map((spec) =>
    spec.name in overrides ? { ...spec, value: overrides[spec.name], overridden: true } : { ...spec, overridden: false },
  );
  const extra = Object.entries(overrides)
    .filter(([name]) => !LIMIT_CATALOGUE.some((s) => s.name === name))
    .map(([name, value]): ResolvedLimit => ({
      name,
      namespace: 'org-specific',
      value,
      unit: 'requests/min',
      scope: 'org',
      appliesTo: [],
      confidence: 'confirmed',
      source: 'environment override (limits API)',
      overridden: true,
    }));
  return [...known, ...extra];
}

export function limitValue(limits: readonly ResolvedLimit[], name: string): number {
  const limit = limits.find((l) => l.name === name);
  if (!limit) throw new Error(`limit ${name} is not in the catalogue`);
  return limit.value;
}
