/**
 * The simulator's rate limiter: fixed windows of `windowMs` per key (a token, a client, an
 * endpoint). A key's window opens at its first request and lasts `windowMs`; the first request
 * after it ends opens the next one. Fixed windows make `Retry-After` exact: a throttled caller
 * that waits the advertised time always finds a fresh window.
 */
export interface LimitCheck {
  /** What is limited, e.g. `token:tok-3` or `client:runner-0`. */
  readonly key: string;
  /** The Genesys limit name (reported in 429 bodies and headers). */
  readonly name: string;
  /** Requests allowed per window. */
  readonly allowed: number;
}

export interface LimitVerdict {
  readonly ok: boolean;
  /** The check that decides the headers: the exceeded one with the longest wait, else the most used. */
  readonly binding: LimitCheck;
  /** Requests seen in the binding window, this one included (rejected ones too). */
  readonly count: number;
  /** Milliseconds until the binding window ends. */
  readonly resetMs: number;
  /** When throttled: exact milliseconds until every exceeded window has ended. */
  readonly retryAfterMs?: number;
}

interface Window {
  start: number;
  accepted: number;
  attempted: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(readonly windowMs: number) {
    if (!(windowMs > 0)) throw new RangeError(`FixedWindowLimiter: windowMs must be > 0 (got ${windowMs})`);
  }

  private window(key: string, now: number): Window {
    let w = this.windows.get(key);
    if (!w || now >= w.start + this.windowMs) {
      w = { start: now, accepted: 0, attempted: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  /**
   * Admits a request only when every check has room; an admitted request counts against all of
   * them, a rejected one against none (it still shows in `count`).
   */
  admit(checks: readonly LimitCheck[], now: number): LimitVerdict {
    if (checks.length === 0) throw new Error('FixedWindowLimiter.admit needs at least one check');
    const windows = checks.map((c) => this.window(c.key, now));
    const exceeded = checks.map((c, i) => windows[i].accepted >= c.allowed);
    for (const w of windows) w.attempted++;
    const remaining = (i: number): number => windows[i].start + this.windowMs - now;
    if (exceeded.some(Boolean)) {
      let worst = -1;
      for (let i = 0; i < checks.length; i++) if (exceeded[i] && (worst < 0 || remaining(i) > remaining(worst))) worst = i;
      return {
        ok: false,
        binding: checks[worst],
        count: windows[worst].attempted,
        resetMs: remaining(worst),
        retryAfterMs: remaining(worst),
      };
    }
    for (const w of windows) w.accepted++;
    let busiest = 0;
    for (let i = 1; i < checks.length; i++) {
      if (windows[i].accepted / checks[i].allowed > windows[busiest].accepted / checks[busiest].allowed) busiest = i;
    }
    return { ok: true, binding: checks[busiest], count: windows[busiest].attempted, resetMs: remaining(busiest) };
  }

  /** Requests admitted in the key's current window (0 when it has none). */
  used(key: string, now: number): number {
    const w = this.windows.get(key);
    return w && now < w.start + this.windowMs ? w.accepted : 0;
  }

  reset(): void {
    this.windows.clear();
  }
}

/**
 * Peak request rate of one key: counts in tenths of a window, summed over the last ten tenths,
 * so the peak is measured over any window-long span with 10 % granularity.
 */
export class PeakMeter {
  private readonly slices: { index: number; count: number }[] = [];
  private sum = 0;
  peak = 0;

  constructor(private readonly windowMs: number) {}

  hit(now: number): void {
    const index = Math.floor(now / (this.windowMs / 10));
    const last = this.slices[this.slices.length - 1];
    if (last && last.index === index) last.count++;
    else this.slices.push({ index, count: 1 });
    this.sum++;
    while (this.slices.length && this.slices[0].index <= index - 10) this.sum -= this.slices.shift()!.count;
    if (this.sum > this.peak) this.peak = this.sum;
  }
}
