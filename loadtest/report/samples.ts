/**
 * The samples of every shard, held in columns of typed arrays: compact for millions of samples,
 * and each statistic is one pass over them.
 */
import { TOKEN_LABEL } from '../labels';
import type { JtlSample } from './jtl';
import { GrowableArray } from './stats';

/** Bits of `flags`. */
export const F_ERROR = 1;
export const F_THROTTLED = 2;

/** A read-only view of the columns: index i is one sample. */
export interface SampleColumns {
  readonly n: number;
  /** Sample start, ms since the epoch. */
  readonly ts: Float64Array;
  readonly elapsed: Float64Array;
  readonly labelIdx: Int32Array;
  readonly shardIdx: Uint16Array;
  readonly flags: Uint8Array;
  /** Seconds waited per Retry-After; NaN when the sample was not followed by a wait. */
  readonly retry: Float32Array;
  readonly labels: readonly string[];
  /** Index of the token requests' label, -1 when there is none. */
  readonly tokenLabel: number;
  /** Samples per label index. */
  readonly labelCount: Int32Array;
  /** Response code counts per label index. */
  readonly codes: readonly ReadonlyMap<string, number>[];
  readonly shards: readonly { readonly name: string; readonly skipped: number }[];
}

export class SampleStore {
  private readonly ts = new GrowableArray((n) => new Float64Array(n));
  private readonly elapsed = new GrowableArray((n) => new Float64Array(n));
  private readonly labelIdx = new GrowableArray((n) => new Int32Array(n));
  private readonly shardIdx = new GrowableArray((n) => new Uint16Array(n));
  private readonly flags = new GrowableArray((n) => new Uint8Array(n));
  private readonly retry = new GrowableArray((n) => new Float32Array(n));
  private readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();
  private readonly codes: Map<string, number>[] = [];
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

  private add(shard: number, s: JtlSample): void {
    let li = this.labelIndex.get(s.label);
    if (li === undefined) {
      li = this.labels.length;
      this.labels.push(s.label);
      this.labelIndex.set(s.label, li);
      this.codes.push(new Map());
    }
    const codes = this.codes[li];
    codes.set(s.responseCode, (codes.get(s.responseCode) ?? 0) + 1);
    this.ts.push(s.timeStamp);
    this.elapsed.push(s.elapsed);
    this.labelIdx.push(li);
    this.shardIdx.push(shard);
    this.flags.push((s.success ? 0 : F_ERROR) | (s.responseCode === '429' ? F_THROTTLED : 0));
    this.retry.push(s.retryAfterSec ?? NaN);
  }

  columns(): SampleColumns {
    const n = this.ts.length;
    const labelIdx = this.labelIdx.view();
    const labelCount = new Int32Array(this.labels.length);
    for (let i = 0; i < n; i++) labelCount[labelIdx[i]]++;
    return {
      n,
      ts: this.ts.view(),
      elapsed: this.elapsed.view(),
      labelIdx,
      shardIdx: this.shardIdx.view(),
      flags: this.flags.view(),
      retry: this.retry.view(),
      labels: this.labels,
      tokenLabel: this.labelIndex.get(TOKEN_LABEL) ?? -1,
      labelCount,
      codes: this.codes,
      shards: this.shards,
    };
  }
}
