/**
 * The samples of every shard, held in columns of typed arrays: compact for millions of samples,
 * and each statistic is one pass over them. Arrivals the plan's gate dropped are kept apart
 * (drops.ts): they are not requests.
 */
import { DROP_CODES, DROP_LABEL, TOKEN_LABEL } from '../labels';
import type { JtlSample } from './jtl';
import { GrowableArray } from './stats';

/** Bits of `flags`. */
export const F_ERROR = 1;
export const F_THROTTLED = 2;

/** Errors of one label with one response code and message. */
export interface ErrorKind {
  readonly li: number;
  readonly code: string;
  readonly message: string;
  count: number;
}

/** Dropped arrivals: when, which token, and whether it rested (Retry-After) or was capped. */
export interface DropColumns {
  readonly n: number;
  /** ms since `base` (as SampleColumns.ts). */
  readonly ts: Int32Array;
  readonly token: Int16Array;
  readonly shardIdx: Uint16Array;
  /** 1 = the token rested after a 429, 0 = the catch-up cap. */
  readonly resting: Uint8Array;
}

/** A read-only view of the columns: index i is one sample. */
export interface SampleColumns {
  readonly n: number;
  /** Every time column counts ms from this epoch time (Int32: ±24 days around it). */
  readonly base: number;
  /** Sample start, ms since `base`. */
  readonly ts: Int32Array;
  readonly elapsed: Float32Array;
  readonly labelIdx: Int32Array;
  readonly shardIdx: Uint16Array;
  readonly flags: Uint8Array;
  /** Seconds waited per Retry-After; NaN when the sample was not followed by a wait. */
  readonly retry: Float32Array;
  /** Bytes received and sent, time to first byte, connect time (NaN where the JTL lacks them). */
  readonly bytes: Float32Array;
  readonly sentBytes: Float32Array;
  readonly latency: Float32Array;
  readonly connect: Float32Array;
  /** Active threads of the shard's JVM (0 where unknown). */
  readonly threads: Uint16Array;
  readonly labels: readonly string[];
  /** Index of the token requests' label, -1 when there is none. */
  readonly tokenLabel: number;
  /** Samples per label index. */
  readonly labelCount: Int32Array;
  /** Response code counts per label index. */
  readonly codes: readonly ReadonlyMap<string, number>[];
  /** Failed samples by label, code and message. */
  readonly errorKinds: readonly ErrorKind[];
  readonly shards: readonly { readonly name: string; readonly skipped: number }[];
  readonly drops: DropColumns;
}

const MAX_MESSAGE = 160;
const f32 = (n: number): Float32Array => new Float32Array(n);

export class SampleStore {
  private base = NaN;
  private readonly ts = new GrowableArray((n) => new Int32Array(n));
  private readonly elapsed = new GrowableArray(f32);
  private readonly labelIdx = new GrowableArray((n) => new Int32Array(n));
  private readonly shardIdx = new GrowableArray((n) => new Uint16Array(n));
  private readonly flags = new GrowableArray((n) => new Uint8Array(n));
  private readonly retry = new GrowableArray(f32);
  private readonly bytes = new GrowableArray(f32);
  private readonly sentBytes = new GrowableArray(f32);
  private readonly latency = new GrowableArray(f32);
  private readonly connect = new GrowableArray(f32);
  private readonly threads = new GrowableArray((n) => new Uint16Array(n));
  private readonly drop = {
    ts: new GrowableArray((n) => new Int32Array(n)),
    token: new GrowableArray((n) => new Int16Array(n)),
    shardIdx: new GrowableArray((n) => new Uint16Array(n)),
    resting: new GrowableArray((n) => new Uint8Array(n)),
  };
  private readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();
  private readonly codes: Map<string, number>[] = [];
  private readonly errorKinds = new Map<string, ErrorKind>();
  private readonly shards: { name: string; skipped: number }[] = [];

  /** Registers a shard and returns the callback that adds its samples. */
  shard(name: string): (s: JtlSample) => void {
    if (this.shards.length >= 65535) throw new Error('too many shards (at most 65535)');
    const index = this.shards.length;
    this.shards.push({ name, skipped: 0 });
    return (s) => this.add(index, s);
  }

  setSkipped(name: string, skipped: number): void {
    const shard = this.shards.find((s) => s.name === name);
    if (shard) shard.skipped += skipped;
  }

  get size(): number {
    return this.ts.length;
  }

  private timeOf(ms: number): number {
    if (this.base !== this.base) this.base = ms;
    const rel = ms - this.base;
    if (rel > 2 ** 31 - 1 || rel < -(2 ** 31)) throw new RangeError('samples more than 24 days apart cannot be merged into one report');
    return rel;
  }

  private labelOf(label: string): number {
    let li = this.labelIndex.get(label);
    if (li === undefined) {
      li = this.labels.length;
      this.labels.push(label);
      this.labelIndex.set(label, li);
      this.codes.push(new Map());
    }
    return li;
  }

  private add(shard: number, s: JtlSample): void {
    if (s.label === DROP_LABEL) {
      this.drop.ts.push(this.timeOf(s.timeStamp));
      this.drop.token.push(s.tokenIndex);
      this.drop.shardIdx.push(shard);
      this.drop.resting.push(s.responseCode === DROP_CODES.capped ? 0 : 1);
      return;
    }
    const li = this.labelOf(s.label);
    const codes = this.codes[li];
    codes.set(s.responseCode, (codes.get(s.responseCode) ?? 0) + 1);
    if (!s.success) this.addError(li, s);
    this.ts.push(this.timeOf(s.timeStamp));
    this.elapsed.push(s.elapsed);
    this.labelIdx.push(li);
    this.shardIdx.push(shard);
    this.flags.push((s.success ? 0 : F_ERROR) | (s.responseCode === '429' ? F_THROTTLED : 0));
    this.retry.push(s.retryAfterSec ?? NaN);
    this.bytes.push(s.bytes);
    this.sentBytes.push(s.sentBytes);
    this.latency.push(s.latency);
    this.connect.push(s.connect);
    this.threads.push(s.allThreads > 0 ? Math.min(65535, s.allThreads) : 0);
  }

  private addError(li: number, s: JtlSample): void {
    // Messages carry ids and times: the first line, long numbers as N, cut short, groups them.
    const message = s.message
      .split(/\r?\n/, 1)[0]
      .replace(/\b\d{4,}\b/g, 'N')
      .slice(0, MAX_MESSAGE);
    const key = `${li}\u0000${s.responseCode}\u0000${message}`;
    const kind = this.errorKinds.get(key);
    if (kind) kind.count++;
    else this.errorKinds.set(key, { li, code: s.responseCode, message, count: 1 });
  }

  columns(): SampleColumns {
    const n = this.ts.length;
    const labelIdx = this.labelIdx.view();
    const labelCount = new Int32Array(this.labels.length);
    for (let i = 0; i < n; i++) labelCount[labelIdx[i]]++;
    return {
      n,
      base: this.base === this.base ? this.base : 0,
      ts: this.ts.view(),
      elapsed: this.elapsed.view(),
      labelIdx,
      shardIdx: this.shardIdx.view(),
      flags: this.flags.view(),
      retry: this.retry.view(),
      bytes: this.bytes.view(),
      sentBytes: this.sentBytes.view(),
      latency: this.latency.view(),
      connect: this.connect.view(),
      threads: this.threads.view(),
      labels: this.labels,
      tokenLabel: this.labelIndex.get(TOKEN_LABEL) ?? -1,
      labelCount,
      codes: this.codes,
      errorKinds: [...this.errorKinds.values()],
      shards: this.shards,
      drops: {
        n: this.drop.ts.length,
        ts: this.drop.ts.view(),
        token: this.drop.token.view(),
        shardIdx: this.drop.shardIdx.view(),
        resting: this.drop.resting.view(),
      },
    };
  }
}
