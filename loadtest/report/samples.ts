/**
 * The samples of every shard, aggregated as they stream in: per time cell and endpoint one
 * accumulator (counts, sums, log histogram), per shard one, and the counts of codes, errors and
 * dropped arrivals. Memory depends on the run's length and endpoints, never on its sample count:
 * cells widen (100 ms up to 30 min) so a run has at most MAX_CELLS of them, and every width is a
 * divisor of any bucket width series.ts may choose for that run, so buckets are whole cells.
 * Arrivals the plan's gate dropped are counted apart (drops.ts): they are not requests.
 */
import { DROP_CODES, DROP_LABEL, TOKEN_LABEL } from '../labels';
import { Acc, type ApdexThresholds } from './accumulator';
import type { JtlSample } from './jtl';
// series.ts picks at most MAX_BUCKETS buckets, so a bucket is at least span / MAX_BUCKETS wide.
import { MAX_BUCKETS } from './series';

// Module constants read once: a re-exported binding is a getter call per sample.
const DROP = DROP_LABEL;
const CAPPED = DROP_CODES.capped;
const TOKEN = TOKEN_LABEL;

/** Cell widths in ms: each divides the next, and every bucket width of series.ts from 1 s up. */
const WIDTHS_MS = [100, 200, 1000, 5000, 15000, 30000, 60000, 300000, 900000, 1800000];
/** More cells than this widen them (when the bucket choice allows). */
export const MAX_CELLS = 750;
/** Distinct (endpoint, code, message) error rows kept; the rest are counted as one "other" row per endpoint and code. */
const MAX_ERROR_KINDS = 1000;
const MAX_MESSAGE = 160;

/** Errors of one label with one response code and message. */
export interface ErrorKind {
  readonly li: number;
  readonly code: string;
  readonly message: string;
  count: number;
}

/** One time cell: an accumulator per label index, and what the series count per shard. */
export class Cell {
  readonly labels: (Acc | undefined)[] = [];
  /** Scenario requests and highest active threads, per shard index. */
  readonly shardRequests: number[] = [];
  readonly threads: number[] = [];
  bytesIn = 0;
  bytesOut = 0;
  drops = 0;

  merge(o: Cell): void {
    o.labels.forEach((a, li) => {
      if (!a) return;
      const mine = this.labels[li];
      if (mine) mine.merge(a);
      else this.labels[li] = a;
    });
    o.shardRequests.forEach((v, si) => (this.shardRequests[si] = (this.shardRequests[si] ?? 0) + v));
    o.threads.forEach((v, si) => (this.threads[si] = Math.max(this.threads[si] ?? 0, v)));
    this.bytesIn += o.bytesIn;
    this.bytesOut += o.bytesOut;
    this.drops += o.drops;
  }
}

export interface ShardAgg {
  readonly name: string;
  skipped: number;
  /** Scenario samples only (token requests left out). */
  readonly acc: Acc;
  first: number;
  last: number;
}

export interface DropRow {
  readonly shard: string;
  readonly token: number;
  resting: number;
  capped: number;
}

/** A read-only view for the statistics. Times are epoch ms. */
export interface Aggregates {
  /** Samples (token requests included, dropped arrivals not). */
  readonly n: number;
  /** First and last sample, and first and last scenario sample (NaN / undefined without any). */
  readonly minTs: number;
  readonly maxTs: number;
  readonly scenario: { readonly first: number; readonly last: number } | undefined;
  /** Cell k covers [origin + k * cellMs, origin + (k + 1) * cellMs). */
  readonly cellMs: number;
  readonly origin: number;
  readonly cells: ReadonlyMap<number, Cell>;
  readonly labels: readonly string[];
  /** Index of the token requests' label, -1 when there is none. */
  readonly tokenLabel: number;
  /** Response code counts per label index. */
  readonly codes: readonly ReadonlyMap<string, number>[];
  readonly errorKinds: readonly ErrorKind[];
  readonly shards: readonly ShardAgg[];
  readonly drops: { readonly total: number; readonly resting: number; readonly byToken: readonly DropRow[] };
}

/** Messages carry ids and times: the first line, long numbers as N, cut short, groups them. */
const normalize = (message: string): string =>
  message
    .split(/\r?\n/, 1)[0]
    .replace(/\b\d{4,}\b/g, 'N')
    .slice(0, MAX_MESSAGE);

export class SampleStore {
  private first = NaN;
  private origin = NaN;
  private cellMs: number;
  private cells = new Map<number, Cell>();
  private lastKey = NaN;
  private lastCell: Cell | undefined;
  private minTs = Infinity;
  private maxTs = -Infinity;
  private scenarioFirst = Infinity;
  private scenarioLast = -Infinity;
  private widenAt = Infinity;
  private n = 0;
  private readonly labels: string[] = [];
  private readonly labelIndex = new Map<string, number>();
  private readonly codes: Map<string, number>[] = [];
  private readonly errors = new Map<string, ErrorKind>();
  private readonly messages = new Map<string, string>();
  private readonly shards: ShardAgg[] = [];
  private readonly dropRows = new Map<number, DropRow>();
  private dropTotal = 0;
  private dropResting = 0;

  /** `bucketMs`: the series' bucket width when given (cells are exactly that wide); `apdex`: the bands counted. */
  constructor(
    private readonly apdex: ApdexThresholds,
    private readonly bucketMs?: number,
  ) {
    this.cellMs = bucketMs ?? WIDTHS_MS[0];
  }

  /** Registers a shard and returns the callback that adds its samples (the sample is read, not kept). */
  shard(name: string): (s: JtlSample) => void {
    if (this.shards.length >= 65535) throw new Error('too many shards (at most 65535)');
    const index = this.shards.length;
    this.shards.push({ name, skipped: 0, acc: new Acc(), first: Infinity, last: -Infinity });
    return (s) => this.add(index, s);
  }

  setSkipped(name: string, skipped: number): void {
    const shard = this.shards.find((s) => s.name === name);
    if (shard) shard.skipped += skipped;
  }

  get size(): number {
    return this.n;
  }

  private cellAt(ts: number): Cell {
    if (this.first !== this.first) {
      this.first = ts;
      // A multiple of every cell width, so cells stay aligned when they widen.
      const align = this.bucketMs ?? WIDTHS_MS[WIDTHS_MS.length - 1];
      this.origin = Math.floor(ts / align) * align;
    }
    const rel = ts - this.first;
    if (rel > 2 ** 31 - 1 || rel < -(2 ** 31)) throw new RangeError('samples more than 24 days apart cannot be merged into one report');
    const key = Math.floor((ts - this.origin) / this.cellMs);
    if (key === this.lastKey) return this.lastCell!;
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = new Cell()));
    this.lastKey = key;
    this.lastCell = cell;
    return cell;
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
    const ts = s.timeStamp;
    const code = s.responseCode;
    if (s.label === DROP) {
      this.addDrop(shard, this.cellAt(ts), s);
      return;
    }
    const li = this.labelOf(s.label);
    const codes = this.codes[li];
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (!s.success) this.addError(li, code, s.message);
    this.n++;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    const cell = this.cellAt(ts);
    const throttled = code === '429';
    (cell.labels[li] ??= new Acc()).add(s, throttled, this.apdex);
    if (s.bytes === s.bytes) cell.bytesIn += s.bytes;
    if (s.sentBytes === s.sentBytes) cell.bytesOut += s.sentBytes;
    const threads = s.allThreads > 0 ? Math.min(65535, s.allThreads) : 0;
    const had = cell.threads[shard];
    if (had === undefined || threads > had) cell.threads[shard] = threads;
    if (s.label !== TOKEN) {
      cell.shardRequests[shard] = (cell.shardRequests[shard] ?? 0) + 1;
      const sh = this.shards[shard];
      sh.acc.add(s, throttled, this.apdex);
      if (ts < sh.first) sh.first = ts;
      if (ts > sh.last) sh.last = ts;
      if (ts < this.scenarioFirst) this.scenarioFirst = ts;
      if (ts > this.scenarioLast) this.scenarioLast = ts;
    }
    if (this.maxTs - this.minTs > this.widenAt || this.widenAt === Infinity) this.widen();
  }

  private addDrop(shard: number, cell: Cell, s: JtlSample): void {
    cell.drops++;
    this.dropTotal++;
    // As an Int16 column held it: NaN reads 0.
    const token = (s.tokenIndex << 16) >> 16;
    const key = shard * 65536 + token + 32768;
    let row = this.dropRows.get(key);
    if (!row) this.dropRows.set(key, (row = { shard: this.shards[shard].name, token, resting: 0, capped: 0 }));
    if (s.responseCode === CAPPED) row.capped++;
    else {
      row.resting++;
      this.dropResting++;
    }
  }

  private addError(li: number, code: string, raw: string): void {
    let message = this.messages.get(raw);
    if (message === undefined) {
      message = normalize(raw);
      // Raw messages may differ per sample: remember only so many.
      if (this.messages.size < 4096) this.messages.set(raw, message);
    }
    let key = `${li}\u0000${code}\u0000${message}`;
    if (!this.errors.has(key) && this.errors.size >= MAX_ERROR_KINDS) {
      message = `(other messages: more than ${MAX_ERROR_KINDS} kinds)`;
      key = `${li}\u0000${code}\u0000${message}`;
    }
    const kind = this.errors.get(key);
    if (kind) kind.count++;
    else this.errors.set(key, { li, code, message, count: 1 });
  }

  /** Widens the cells while there are more than MAX_CELLS and the bucket choice allows the next width. */
  private widen(): void {
    for (;;) {
      const next = WIDTHS_MS[WIDTHS_MS.indexOf(this.cellMs) + 1];
      if (this.bucketMs !== undefined || next === undefined) {
        this.widenAt = Number.MAX_VALUE;
        return;
      }
      // Buckets of 1 s and up are multiples of every sub-second width; wider widths once the run is long enough.
      this.widenAt = Math.max(MAX_CELLS * this.cellMs, next <= 1000 ? 0 : MAX_BUCKETS * next);
      if (!(this.maxTs - this.minTs > this.widenAt)) return;
      const factor = next / this.cellMs;
      const cells = new Map<number, Cell>();
      for (const [key, cell] of this.cells) {
        const k = Math.floor(key / factor);
        const into = cells.get(k);
        if (into) into.merge(cell);
        else cells.set(k, cell);
      }
      this.cells = cells;
      this.cellMs = next;
      this.lastKey = NaN;
      this.lastCell = undefined;
    }
  }

  aggregates(): Aggregates {
    const none = this.n === 0;
    return {
      n: this.n,
      minTs: none ? NaN : this.minTs,
      maxTs: none ? NaN : this.maxTs,
      scenario: this.scenarioFirst <= this.scenarioLast ? { first: this.scenarioFirst, last: this.scenarioLast } : undefined,
      cellMs: this.cellMs,
      origin: this.origin === this.origin ? this.origin : 0,
      cells: this.cells,
      labels: this.labels,
      tokenLabel: this.labelIndex.get(TOKEN_LABEL) ?? -1,
      codes: this.codes,
      errorKinds: [...this.errors.values()],
      shards: this.shards,
      drops: {
        total: this.dropTotal,
        resting: this.dropResting,
        byToken: [...this.dropRows.values()],
      },
    };
  }
}
