/**
 * The running figures of a set of samples (one endpoint in one time cell, one shard, ...): counts,
 * sums and a log histogram, so any number of samples costs the same few KB, and sets merge by
 * adding. LabelStats are computed from one (merged) accumulator.
 */
import { binValue, LogHistogram } from './histogram';
import type { JtlSample } from './jtl';
import type { ApdexStats, Histogram, LabelStats, LatencyStats } from './model';
import { niceTicks, round } from './stats';

export interface ApdexThresholds {
  readonly satisfiedMs: number;
  readonly toleratedMs: number;
}

export class Acc {
  n = 0;
  errors = 0;
  throttled = 0;
  /** Successful samples within the Apdex satisfied / tolerated bands (failed ones are frustrated). */
  satisfied = 0;
  tolerating = 0;
  waits = 0;
  waitSum = 0;
  waitMax = 0;
  bytes = 0;
  sent = 0;
  ttfb = 0;
  ttfbN = 0;
  conn = 0;
  connN = 0;
  sum = 0;
  sumSq = 0;
  min = Infinity;
  max = -Infinity;
  readonly hist = new LogHistogram();

  /** Adds one sample (`throttled`: its response code was 429). */
  add(s: JtlSample, throttled: boolean, apdex: ApdexThresholds): void {
    const e = s.elapsed;
    this.n++;
    this.sum += e;
    this.sumSq += e * e;
    if (e < this.min) this.min = e;
    if (e > this.max) this.max = e;
    this.hist.record(e);
    if (!s.success) this.errors++;
    else if (e <= apdex.satisfiedMs) this.satisfied++;
    else if (e <= apdex.toleratedMs) this.tolerating++;
    if (throttled) this.throttled++;
    const r = s.retryAfterSec;
    if (r !== undefined) {
      this.waits++;
      this.waitSum += r;
      if (r > this.waitMax) this.waitMax = r;
    }
    if (s.bytes === s.bytes) this.bytes += s.bytes;
    if (s.sentBytes === s.sentBytes) this.sent += s.sentBytes;
    if (s.latency === s.latency) {
      this.ttfb += s.latency;
      this.ttfbN++;
    }
    if (s.connect === s.connect) {
      this.conn += s.connect;
      this.connN++;
    }
  }

  merge(o: Acc): void {
    this.n += o.n;
    this.errors += o.errors;
    this.throttled += o.throttled;
    this.satisfied += o.satisfied;
    this.tolerating += o.tolerating;
    this.waits += o.waits;
    this.waitSum += o.waitSum;
    if (o.waitMax > this.waitMax) this.waitMax = o.waitMax;
    this.bytes += o.bytes;
    this.sent += o.sent;
    this.ttfb += o.ttfb;
    this.ttfbN += o.ttfbN;
    this.conn += o.conn;
    this.connN += o.connN;
    this.sum += o.sum;
    this.sumSq += o.sumSq;
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    this.hist.merge(o.hist);
  }

  /** Nearest-rank percentiles from the histogram, clamped to the exact min and max. */
  percentiles(ps: readonly number[]): number[] {
    return this.hist.percentiles(ps).map((v) => Math.min(this.max, Math.max(this.min, v)));
  }
}

/** Merges accumulators into a new one. */
export function mergeAll(accs: Iterable<Acc | undefined>): Acc {
  const out = new Acc();
  for (const a of accs) if (a) out.merge(a);
  return out;
}

/** min, mean, stddev (population), p50/p90/p95/p99 (nearest rank) and max; null without samples. */
export function latencyOf(a: Acc): LatencyStats | null {
  if (a.n === 0) return null;
  const mean = a.sum / a.n;
  const [p50, p90, p95, p99] = a.percentiles([50, 90, 95, 99]);
  return {
    min: a.min,
    mean: round(mean),
    stddev: round(Math.sqrt(Math.max(0, a.sumSq / a.n - mean * mean))),
    p50,
    p90,
    p95,
    p99,
    max: a.max,
  };
}

/** About 20 bins of a nice width up to the 99th percentile; the last bin holds the slow tail. */
export function histogramOf(a: Acc): Histogram | null {
  if (a.n === 0) return null;
  const [p99] = a.percentiles([99]);
  const ticks = niceTicks(0, Math.max(p99, 1), 20);
  const binMs = ticks[1] - ticks[0] || 1;
  const bins = Math.max(1, Math.ceil(p99 / binMs) + 1);
  const counts = new Array<number>(bins).fill(0);
  a.hist.forEachBin((index, count) => {
    counts[Math.min(bins - 1, Math.floor(binValue(index) / binMs))] += count;
  });
  return { binMs, counts };
}

function apdexOf(a: Acc): ApdexStats | null {
  if (a.n === 0) return null;
  const { satisfied, tolerating } = a;
  return { score: round((satisfied + tolerating / 2) / a.n, 3), satisfied, tolerating, frustrated: a.n - satisfied - tolerating };
}

const meanOrNull = (sum: number, n: number): number | null => (n > 0 ? round(sum / n) : null);

/** The figures of one accumulated set, throughputs averaged over `windowSec`. */
export function statsOf(label: string, a: Acc, windowSec: number, codes?: Record<string, number>): LabelStats {
  const k = a.n;
  return {
    label,
    requests: k,
    errors: a.errors,
    throttled: a.throttled,
    errorShare: k ? round(a.errors / k, 6) : 0,
    throttledShare: k ? round(a.throttled / k, 6) : 0,
    throughputPerSec: round(k / windowSec),
    latencyMs: latencyOf(a),
    ttfbMeanMs: meanOrNull(a.ttfb, a.ttfbN),
    connectMeanMs: meanOrNull(a.conn, a.connN),
    bytesReceivedPerSec: round(a.bytes / windowSec, 1),
    bytesSentPerSec: round(a.sent / windowSec, 1),
    apdex: apdexOf(a),
    histogram: histogramOf(a),
    retryAfter: { waits: a.waits, totalSec: round(a.waitSum), maxSec: round(a.waitMax) },
    ...(codes ? { responseCodes: codes } : {}),
  };
}
