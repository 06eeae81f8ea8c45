import type { ResponseInfo, TokenThrottleInfo } from '../../lib/genesys-client';
import { METRIC, METRICS_DIMENSION, METRICS_NAMESPACE } from '../../lib/contracts/metrics';

/**
 * Counts one invocation's API traffic and outcomes, then writes them as one CloudWatch Embedded
 * Metric Format line (CloudWatch Logs turns it into metrics, no PutMetricData call or permission).
 */
export class InvocationMetrics {
  private readonly counts = new Map<string, number>();
  private readonly maxima = new Map<string, number>();
  private readonly minima = new Map<string, number>();

  count(name: string, n = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + n);
  }

  max(name: string, value: number): void {
    this.maxima.set(name, Math.max(this.maxima.get(name) ?? Number.NEGATIVE_INFINITY, value));
  }

  min(name: string, value: number): void {
    this.minima.set(name, Math.min(this.minima.get(name) ?? Number.POSITIVE_INFINITY, value));
  }

  get(name: string): number {
    return this.counts.get(name) ?? this.maxima.get(name) ?? this.minima.get(name) ?? 0;
  }

  /** Feed for `GenesysApiClient`'s `onResponse`: every attempt, 429s, and the `inin-ratelimit-*` headers. */
  readonly onResponse = (info: ResponseInfo): void => {
    this.count(METRIC.apiCalls);
    if (info.status === 429) {
      this.count(METRIC.throttled);
      if (info.waitedMs !== undefined) this.count(METRIC.retryAfterWaitMs, info.waitedMs);
    } else if (info.status >= 500) this.count(METRIC.serverErrors);
    else if (info.status === 0) this.count(METRIC.networkErrors);
    if (info.rateLimit) {
      this.max(METRIC.rateLimitCount, info.rateLimit.count);
      this.min(METRIC.rateLimitAllowed, info.rateLimit.allowed);
      if (info.rateLimit.allowed > 0) this.max(METRIC.rateLimitUtilisation, info.rateLimit.count / info.rateLimit.allowed);
    }
  };

  /** Feed for the token provider's `onThrottled`: token requests refused by the token-creation limit, and the wait. */
  readonly onTokenThrottled = (info: TokenThrottleInfo): void => {
    this.count(METRIC.tokenThrottled);
    if (info.waitedMs !== undefined) this.count(METRIC.retryAfterWaitMs, info.waitedMs);
  };

  /** The EMF document; counters that never moved are written as 0 so alarms see data, not gaps. */
  toEmf(functionName: string, timestamp: number, always: readonly string[] = [METRIC.apiCalls, METRIC.throttled]): Record<string, unknown> {
    const values: Record<string, number> = {};
    for (const name of always) values[name] = 0;
    for (const [k, v] of this.counts) values[k] = v;
    for (const [k, v] of this.maxima) values[k] = v;
    for (const [k, v] of this.minima) values[k] = v;
    const unit = (name: string): string =>
      name === METRIC.retryAfterWaitMs ? 'Milliseconds' : name === METRIC.rateLimitUtilisation ? 'None' : 'Count';
    return {
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [[METRICS_DIMENSION]],
            Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: unit(name) })),
          },
        ],
      },
      [METRICS_DIMENSION]: functionName,
      ...values,
    };
  }

  /**
   * Writes the EMF line straight to stdout: with Lambda's JSON log format, console.log would wrap
   * it in another JSON object and CloudWatch would not extract the metrics.
   */
  flush(functionName: string, write: (line: string) => void = (l) => process.stdout.write(l)): void {
    write(`${JSON.stringify(this.toEmf(functionName, Date.now()))}\n`);
  }
}
