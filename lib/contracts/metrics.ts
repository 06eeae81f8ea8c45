/**
 * The metrics contract between the Lambda workers (functions/shared/metrics.ts writes them as
 * Embedded Metric Format) and the alarms lib/pipeline builds on them. Pure data: runtime code and
 * constructs both import it, neither imports the other.
 */

/** CloudWatch namespace of every pipeline metric; the alarms in lib/pipeline read from it. */
export const METRICS_NAMESPACE = 'GenesysLoadlab/Pipeline';
/** The dimension every metric carries (the Lambda function name). */
export const METRICS_DIMENSION = 'FunctionName';

/** Metric names the alarms and dashboards rely on. */
export const METRIC = {
  apiCalls: 'ApiCalls',
  throttled: 'Throttled',
  /** Token requests the per-client token-creation limit refused (HTTP 400 "rate limit exceeded", or 429). */
  tokenThrottled: 'TokenThrottled',
  serverErrors: 'ServerErrors',
  networkErrors: 'NetworkErrors',
  retryAfterWaitMs: 'RetryAfterWaitMs',
  rateLimitCount: 'RateLimitCount',
  rateLimitAllowed: 'RateLimitAllowed',
  rateLimitUtilisation: 'RateLimitUtilisation',
} as const;
