/**
 * Checks, from JMeter's own JTL (sample start times, the token column loadlab_token_index and the
 * Retry-After column loadlab_retry_after), that a plan honours Retry-After per token:
 *   - after a 429 on a token, no request goes out on that token until the pause ends;
 *   - right after the pause, the token carries no more than its planned rate (no catch-up burst).
 */
import { createReadStream } from 'node:fs';
import { CsvParser, RETRY_AFTER_COLUMN } from '../report';
import { DROP_LABEL, TOKEN_LABEL } from '../labels';

export interface TokenSample {
  readonly start: number;
  readonly end: number;
  readonly code: string;
  /** Seconds the plan rested the token (429s only). */
  readonly retryAfterSec?: number;
}

/** API samples per token of one JTL (one shard), in start order. */
export async function samplesByToken(jtl: string): Promise<Map<string, TokenSample[]>> {
  const byToken = new Map<string, TokenSample[]>();
  let header: string[] | undefined;
  const col = (name: string): number => {
    const i = header!.indexOf(name);
    if (i < 0)
      throw new Error(
        `${jtl}: no ${name} column (run the JMeter home of npm run jmeter:install, or add -q loadtest/image/loadlab.properties)`,
      );
    return i;
  };
  let c: Record<string, number> = {};
  const parser = new CsvParser((f) => {
    if (!header) {
      header = f;
      c = {
        t: col('timeStamp'),
        e: col('elapsed'),
        label: col('label'),
        code: col('responseCode'),
        token: col('loadlab_token_index'),
        ra: col(RETRY_AFTER_COLUMN),
      };
      return;
    }
    // The gate's drop records sent nothing: only requests count.
    if (f.length < header.length || f[c.label] === TOKEN_LABEL || f[c.label] === DROP_LABEL) return;
    const start = Number(f[c.t]);
    const ra = Number(f[c.ra]);
    const s: TokenSample = {
      start,
      end: start + Number(f[c.e]),
      code: f[c.code],
      retryAfterSec: f[c.ra] && Number.isFinite(ra) ? ra : undefined,
    };
    const list = byToken.get(f[c.token]) ?? [];
    list.push(s);
    byToken.set(f[c.token], list);
  });
  for await (const chunk of createReadStream(jtl, { encoding: 'utf8' })) parser.push(chunk as string);
  parser.end();
  for (const list of byToken.values()) list.sort((a, b) => a.start - b.start);
  return byToken;
}

export interface PauseCheck {
  /** 429s with a Retry-After pause. */
  readonly pauses: number;
  /** Requests that started on a token while it rested: [token, ms into the pause, pause ms]. */
  readonly violations: readonly { token: string; intoPauseMs: number; pauseMs: number }[];
  /** Latest start, ms after a 429 ended, of a request on that token inside its pause (allowance included); 0 when none. */
  readonly maxInFlightMs: number;
  /** Most requests on one token within `windowMs` after a pause ended. */
  readonly maxAfterPause: number;
  /** What the planned rate allows in that window: mean + 4 standard deviations + 2 (Poisson arrivals). */
  readonly allowedAfterPause: number;
}

/**
 * `perTokenPerMs`: the token's planned rate (TARGET_RPM / TOKENS_PER_SHARD / 60000). `slackMs`: a
 * request that passed the token check just before the 429 came back is already on its way and may
 * start that much later (measured: up to ~30 ms on a busy 2-core machine); the guarantee holds from
 * the moment the plan has read the 429.
 */
export function checkPauses(
  byToken: ReadonlyMap<string, readonly TokenSample[]>,
  perTokenPerMs: number,
  windowMs = 300,
  slackMs = 100,
): PauseCheck {
  let pauses = 0;
  let maxAfterPause = 0;
  let maxInFlightMs = 0;
  const violations: { token: string; intoPauseMs: number; pauseMs: number }[] = [];
  for (const [token, list] of byToken) {
    for (const s of list) {
      if (s.code !== '429' || !s.retryAfterSec) continue;
      pauses++;
      const pauseMs = s.retryAfterSec * 1000;
      const until = s.end + pauseMs;
      for (const o of list) {
        if (o !== s && o.start >= s.end && o.start < until - slackMs) maxInFlightMs = Math.max(maxInFlightMs, o.start - s.end);
        if (o.start > s.end + slackMs && o.start < until - slackMs) violations.push({ token, intoPauseMs: o.start - s.end, pauseMs });
      }
      const after = list.filter((o) => o.start >= until - slackMs && o.start < until + windowMs).length;
      maxAfterPause = Math.max(maxAfterPause, after);
    }
  }
  const mean = perTokenPerMs * windowMs;
  return { pauses, violations, maxInFlightMs, maxAfterPause, allowedAfterPause: Math.ceil(mean + 4 * Math.sqrt(mean) + 2) };
}

export interface StartBurst {
  /** Most requests one token sent in the first `windowMs` after its first request. */
  readonly maxInFirstWindow: number;
  /** Most requests one token sent in the first 2 s after its first request. */
  readonly maxInFirst2s: number;
  /** What the gate lets a token send from a cold start in those spans: one request, then 1.25 x its planned rate. */
  readonly allowedInFirstWindow: number;
  readonly allowedInFirst2s: number;
}

/**
 * The start-up burst per token, against the arrival gate's bound (one request, then 1.25 x the
 * token's planned rate `perTokenPerMs`). The planner keeps a token's planned rate at most 80 % of its
 * limit, so that bound stays within the token's share of one window.
 */
export function checkStartBurst(byToken: ReadonlyMap<string, readonly TokenSample[]>, perTokenPerMs: number, windowMs: number): StartBurst {
  const most = (span: number): number =>
    Math.max(0, ...[...byToken.values()].map((list) => list.filter((s) => s.start < list[0].start + span).length));
  const allowed = (span: number): number => 1 + Math.ceil(1.25 * perTokenPerMs * span);
  return {
    maxInFirstWindow: most(windowMs),
    maxInFirst2s: most(2000),
    allowedInFirstWindow: allowed(windowMs),
    allowedInFirst2s: allowed(2000),
  };
}
