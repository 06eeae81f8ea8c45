/**
 * Deterministic synthetic JTL (JMeter's CSV layout plus the plan's sample variables), for the
 * report's browser test, the benchmark and demos. Seeded: the same options give the same bytes.
 */
import { seededRandom } from '../../lib/random';
import { DROP_CODES, DROP_LABEL, TOKEN_LABEL } from '../labels';

export interface SyntheticOptions {
  readonly shard: number;
  readonly startMs: number;
  readonly durationSec: number;
  readonly requestsPerSec: number;
  readonly labels: readonly string[];
  /** From this second on, this share of requests is answered 429 (default: none). */
  readonly throttleFromSec?: number;
  readonly throttleShare?: number;
  /** Share of 5xx answers. Default 0.002. */
  readonly serverErrorShare?: number;
  /** Median latency of this shard in ms (shards differ on purpose). Default 120. */
  readonly medianMs?: number;
  readonly seed?: number;
  /** The rate grows linearly from 0 over this long, as a plan's ramp-up does. Default 0. */
  readonly rampUpSec?: number;
  /** Threads of the shard at full load (started over the ramp-up). Default 50. */
  readonly threads?: number;
  /** Tokens of the shard (round-robin). Default 3. */
  readonly tokens?: number;
}

/** After a 429 the plan rests the token and its gate drops the arrivals meant for it meanwhile: one record each. */
function dropRecords(ts: number, retrySec: number, token: number, tokens: number, requestsPerSec: number): string[] {
  const perToken = requestsPerSec / tokens;
  const count = Math.floor(perToken * retrySec);
  return Array.from(
    { length: count },
    (_, j) =>
      `${ts + Math.round(((j + 1) * 1000) / perToken)},0,${DROP_LABEL},${DROP_CODES.resting},token ${token} rests,gate,text,true,,0,0,0,0,,0,0,0,,${token}`,
  );
}

const HEADER =
  'timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect,loadlab_retry_after,loadlab_token_index';

/** Yields the file in chunks of lines, so large files never sit in memory whole. */
export function* syntheticJtl(o: SyntheticOptions): Generator<string> {
  const rand = seededRandom(o.seed ?? 1 + o.shard * 7919);
  const median = o.medianMs ?? 120;
  const ramp = Math.min(o.rampUpSec ?? 0, o.durationSec);
  const rampCount = (o.requestsPerSec * ramp) / 2;
  const total = Math.round(o.requestsPerSec * (o.durationSec - ramp / 2));
  // Second at which request k starts: the inverse of the cumulative count of a linear ramp, then flat.
  const secondOf = (k: number): number =>
    k < rampCount ? Math.sqrt((2 * k * ramp) / o.requestsPerSec) : ramp + (k - rampCount) / o.requestsPerSec;
  const lines: string[] = [
    HEADER,
    `${o.startMs - 800},180,${TOKEN_LABEL},200,OK,setUp 1-1,text,true,,1200,310,1,1,https://login.example/oauth/token,180,0,40,,`,
  ];
  const tokens = o.tokens ?? 3;
  const threads = o.threads ?? 50;
  for (let k = 0; k < total; k++) {
    const ts = Math.round(o.startMs + secondOf(k) * 1000 + rand() * 200);
    const active = Math.max(1, Math.ceil(threads * (ramp > 0 ? Math.min(1, (ts - o.startMs) / 1000 / ramp) : 1)));
    const label = o.labels[Math.floor(rand() * o.labels.length)];
    // Log-normal-ish latency with a slow tail.
    const elapsed = Math.max(
      5,
      Math.round(median * Math.exp((rand() + rand() + rand() - 1.5) * 0.9) + (rand() < 0.01 ? 1500 * rand() : 0)),
    );
    const sec = (ts - o.startMs) / 1000;
    const throttled = o.throttleFromSec !== undefined && sec >= o.throttleFromSec && rand() < (o.throttleShare ?? 0.1);
    const serverError = !throttled && rand() < (o.serverErrorShare ?? 0.002);
    const code = throttled ? '429' : serverError ? '503' : '200';
    const retry = throttled ? (1 + Math.floor(rand() * 4)).toFixed(3) : '';
    const msg = throttled
      ? `Too Many Requests; token ${k % tokens} rests ${Number(retry) * 1000} ms per Retry-After`
      : serverError
        ? 'Service Unavailable'
        : 'OK';
    lines.push(
      `${ts},${throttled ? Math.round(elapsed / 3) : elapsed},${label},${code},${msg},users 1-${1 + (k % active)},text,${code === '200'},${serverError ? '"Test failed: code 503, retry later"' : ''},2048,400,${active},${active},https://api.example${label.replace(/^\S+ /, '')},${elapsed - 2},0,1,${retry},${k % tokens}`,
    );
    if (throttled) lines.push(...dropRecords(ts, Number(retry), k % tokens, tokens, o.requestsPerSec));
    if (lines.length >= 5000) {
      yield lines.join('\n') + '\n';
      lines.length = 0;
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

export function syntheticJtlText(o: SyntheticOptions): string {
  return [...syntheticJtl(o)].join('');
}
