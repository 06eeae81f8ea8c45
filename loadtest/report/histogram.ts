/**
 * A log-bucketed response-time histogram (HDR-style) of fixed size, so percentiles need no stored
 * samples. Whole milliseconds below 1,024 each have their own bin (exact: JMeter records whole
 * ms); above, every power-of-two range [2^m, 2^(m+1)) is split into 512 equal bins, so a bin is at
 * most 1/512 of its values wide and the reported middle is within 1/1024 (0.1 %) of any value in it.
 * Bins are allocated per range on first use: a histogram costs 2 KB per range its values touch.
 */

/** Bins per power-of-two range (and the exact range below 2 * SUB). */
const SUB = 512;
const SUB_BITS = 9;
/** Ranges: [0, 512), [512, 1024), then one per power of two up to 2^31 ms. */
const RANGES = 32 - SUB_BITS + 1;
const MAX_MS = 2 ** 31 - 1;

/** Range and bin of a value: range * SUB + bin (a flat index). */
export function binOf(ms: number): number {
  const x = ms >= MAX_MS ? MAX_MS : ms > 0 ? Math.floor(ms) : 0;
  if (x < SUB) return x;
  const m = 31 - Math.clz32(x);
  const shift = m - SUB_BITS;
  return (shift + 1) * SUB + ((x >>> shift) - SUB);
}

/** Lowest value and width of a flat bin index. */
function binRange(index: number): { lo: number; width: number } {
  const range = Math.floor(index / SUB);
  const bin = index % SUB;
  if (range === 0) return { lo: bin, width: 1 };
  const shift = range - 1;
  return { lo: (bin + SUB) * 2 ** shift, width: 2 ** shift };
}

/** The value reported for a bin: its value when 1 ms wide, else its middle. */
export function binValue(index: number): number {
  const { lo, width } = binRange(index);
  return width === 1 ? lo : lo + width / 2;
}

export class LogHistogram {
  private readonly ranges: (Uint32Array | undefined)[] = new Array<Uint32Array | undefined>(RANGES);
  count = 0;

  record(ms: number): void {
    const i = binOf(ms);
    const r = i >>> SUB_BITS;
    const bins = this.ranges[r] ?? (this.ranges[r] = new Uint32Array(SUB));
    bins[i & (SUB - 1)]++;
    this.count++;
  }

  /** Adds another histogram's counts to this one. */
  merge(other: LogHistogram): void {
    for (let r = 0; r < RANGES; r++) {
      const src = other.ranges[r];
      if (!src) continue;
      const dst = this.ranges[r] ?? (this.ranges[r] = new Uint32Array(SUB));
      for (let b = 0; b < SUB; b++) dst[b] += src[b];
    }
    this.count += other.count;
  }

  /** Calls `f(binIndex, count)` for every non-empty bin, lowest first. */
  forEachBin(f: (index: number, count: number) => void): void {
    for (let r = 0; r < RANGES; r++) {
      const bins = this.ranges[r];
      if (!bins) continue;
      for (let b = 0; b < SUB; b++) if (bins[b] > 0) f(r * SUB + b, bins[b]);
    }
  }

  /**
   * Nearest-rank percentiles (ascending `ps`, each 0..100) in one walk: the value of the bin that
   * holds sample number ceil(p/100 * count). Empty: an empty array.
   */
  percentiles(ps: readonly number[]): number[] {
    const out: number[] = [];
    if (this.count === 0) return out;
    const ranks = ps.map((p) => Math.max(1, Math.ceil((p / 100) * this.count)));
    let seen = 0;
    let k = 0;
    for (let r = 0; r < RANGES && k < ranks.length; r++) {
      const bins = this.ranges[r];
      if (!bins) continue;
      for (let b = 0; b < SUB && k < ranks.length; b++) {
        seen += bins[b];
        while (k < ranks.length && seen >= ranks[k]) {
          out.push(binValue(r * SUB + b));
          k++;
        }
      }
    }
    return out;
  }
}
