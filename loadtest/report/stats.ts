/** Exact order statistics on sorted samples, and the small numeric helpers the report shares. */

/** Rounded to `digits` decimals (report.json keeps its figures short). */
export const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** An ISO time, or null for no (or no finite) time. */
export const isoTime = (ms: number | undefined): string | null =>
  ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();

/**
 * Nearest-rank percentile: the smallest sample such that at least p % of all samples are less
 * than or equal to it, i.e. sorted[ceil(p/100 * n) - 1] (p = 0 gives the minimum). Exact, no
 * interpolation, always one of the observed values. `sorted` must be ascending.
 */
export function nearestRank(sorted: ArrayLike<number>, p: number): number | undefined {
  const n = sorted.length;
  if (n === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100 (got ${p})`);
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  return sorted[Math.min(n, rank) - 1];
}

/** A growable typed array, so millions of samples stay compact. */
export class GrowableArray<T extends Float64Array | Int32Array | Int16Array | Uint8Array | Uint16Array | Float32Array> {
  private data: T;
  length = 0;

  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      // 1.5x: a big run's columns overshoot by less than doubling would (peak memory).
      const next = this.make(Math.ceil(this.data.length * 1.5));
      next.set(this.data as never);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  get(i: number): number {
    return this.data[i];
  }

  /** A view of the filled part (shares memory). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

/** Ticks on a 1-2-2.5-5 "nice" step, about `count` of them, from <= lo up to the first tick >= hi (so an axis covers its data). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  for (let k = first; k <= last; k++) ticks.push(Math.round(k * step * 1e9) / 1e9);
  return ticks;
}
