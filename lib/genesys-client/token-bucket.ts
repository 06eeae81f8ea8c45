import { sleep } from '../contracts/clock';

/**
 * A pacing token bucket (GCRA form): one permit every `60000 / ratePerMinute` ms, with up to
 * `burst` permits available at once after idling. Callers that cannot be served immediately
 * reserve the next free slot, so concurrent callers are served first-come first-served and
 * never exceed the rate together.
 */
export interface TokenBucketOptions {
  /** Sustained permits per minute (> 0). */
  readonly ratePerMinute: number;
  /** Permits that may be taken back to back after idling. Default 1: strictly even pacing. */
  readonly burst?: number;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Waits `ms`. Default a `setTimeout` promise. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The real sleep (lib/contracts/clock.ts), the default wherever a fake clock can be injected. */
export const realSleep = sleep;

export class TokenBucket {
  readonly ratePerMinute: number;
  readonly burst: number;
  /** Milliseconds between two permits. */
  readonly intervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Theoretical arrival time of the next permit (GCRA). */
  private tat = Number.NEGATIVE_INFINITY;
  /** End of the latest pause (`deferUntil`), and how many pauses were set, so waiting callers notice new ones. */
  private pausedUntil = Number.NEGATIVE_INFINITY;
  private pauses = 0;
  /**
   * The same GCRA over the times permits were really handed out. Timers that fire late (a busy
   * event loop, a stalled machine) would release several reserved slots at once; this keeps real
   * sends spaced too, so the server never sees more than the rate plus the burst in any window.
   */
  private releasedTat = Number.NEGATIVE_INFINITY;

  constructor(opts: TokenBucketOptions) {
    if (!(Number.isFinite(opts.ratePerMinute) && opts.ratePerMinute > 0)) {
      throw new RangeError(`TokenBucket: ratePerMinute must be a positive number (got ${opts.ratePerMinute})`);
    }
    const burst = opts.burst ?? 1;
    if (!(Number.isInteger(burst) && burst >= 1)) throw new RangeError(`TokenBucket: burst must be an integer >= 1 (got ${burst})`);
    this.ratePerMinute = opts.ratePerMinute;
    this.burst = burst;
    this.intervalMs = 60_000 / opts.ratePerMinute;
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? realSleep;
  }

  /** Earliest time the next permit could be taken. */
  private allowAt(now: number): number {
    const tat = Math.max(this.tat, now);
    return tat - (this.burst - 1) * this.intervalMs;
  }

  /**
   * Takes a permit, waiting for the next free slot if needed. A pause (`deferUntil`) that begins
   * while a caller is already waiting moves that caller behind the pause too: its reserved slot is
   * given up and a new one taken after the pause, so no caller of this bucket proceeds before it ends.
   */
  async take(): Promise<void> {
    for (;;) {
      const now = this.now();
      const tat = Math.max(this.tat, now);
      const slot = tat - (this.burst - 1) * this.intervalMs;
      // Reserve the slot before waiting so concurrent callers queue behind it.
      this.tat = tat + this.intervalMs;
      const pauses = this.pauses;
      if (slot > now) {
        await this.sleep(slot - now);
        // Timers may fire a millisecond early; never hand out a permit before its slot.
        const early = slot - this.now();
        if (early > 0) await this.sleep(early);
      }
      // Paused while waiting, and the slot lies inside the pause: queue again behind it.
      if (this.pauses !== pauses && slot < this.pausedUntil) continue;
      // Woken late together with other callers: reserve a slot in real time too, and wait for it.
      const at = this.now();
      const allowed = this.releasedTat - (this.burst - 1) * this.intervalMs;
      this.releasedTat = Math.max(this.releasedTat, at) + this.intervalMs;
      if (allowed > at) {
        const before = this.pauses;
        await this.sleep(allowed - at);
        // A pause began during that wait: queue again behind it.
        if (this.pauses !== before && this.now() < this.pausedUntil) continue;
      }
      return;
    }
  }

  /** Takes a permit only if one is free right now. */
  tryTake(): boolean {
    const now = this.now();
    if (now < this.pausedUntil || this.allowAt(now) > now) return false;
    if (this.releasedTat - (this.burst - 1) * this.intervalMs > now) return false;
    this.tat = Math.max(this.tat, now) + this.intervalMs;
    this.releasedTat = Math.max(this.releasedTat, now) + this.intervalMs;
    return true;
  }

  /** Milliseconds until a permit is free (0 = now). */
  waitTimeMs(): number {
    const now = this.now();
    return Math.max(0, this.allowAt(now) - now);
  }

  /** End of the current pause in ms on this bucket's clock, or undefined when there is none. */
  pausedUntilMs(): number | undefined {
    return this.now() < this.pausedUntil ? this.pausedUntil : undefined;
  }

  /**
   * Hands out no permit before `time` (ms on this bucket's clock): used after a 429 so every
   * caller sharing the token pauses, not only the one that was throttled. Callers already waiting
   * for a slot inside the pause are moved behind it (see `take`); the burst is spent.
   */
  deferUntil(time: number): void {
    if (time > this.pausedUntil) this.pausedUntil = time;
    this.pauses++;
    this.tat = Math.max(this.tat, time + (this.burst - 1) * this.intervalMs);
    this.releasedTat = Math.max(this.releasedTat, time + (this.burst - 1) * this.intervalMs);
  }
}
