/** The plan of a test, read from the plan summary `npm run jmx -- --summary` writes (and `npm run loadtest` uploads). */
import type { ReportTarget, ReportThresholds } from './model';

type Json = Record<string, unknown> | null | undefined;

const HINT = '(is this a plan summary from npm run jmx -- --summary?)';

function numberField(s: Json, field: string, source: string, required: true): number;
function numberField(s: Json, field: string, source: string, required: false): number | undefined;
function numberField(s: Json, field: string, source: string, required: boolean): number | undefined {
  const v = s?.[field];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${source}: ${field} must be a number >= 0 ${HINT}`);
  return v;
}

/** A plan summary's `task` (optional: summaries written before the planner picked task sizes have none). */
function taskField(s: Json, source: string): ReportTarget['task'] {
  const t = s?.task as Json;
  if (t === undefined) return undefined;
  const cpu = numberField(t, 'cpu', `${source}: task`, true);
  const memoryMiB = numberField(t, 'memoryMiB', `${source}: task`, true);
  return { cpu, memoryMiB };
}

/** A plan summary's `thresholds` (copied from the scenario's config, validated there), or a --thresholds file: checked for shape. */
export function thresholdsFromJson(value: unknown, source: string): ReportThresholds {
  const t = value as Json;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw new Error(`${source}: thresholds must be an object ${HINT}`);
  const out: Record<string, unknown> = {};
  for (const key of [
    'p95Ms',
    'p99Ms',
    'maxErrorPercent',
    'maxThrottledPercent',
    'minAchievedPercent',
    'apdexSatisfiedMs',
    'apdexToleratedMs',
  ]) {
    const v = numberField(t, key, source, false);
    if (v !== undefined) out[key] = v;
  }
  const endpoints = t.endpoints as Record<string, Json> | undefined;
  if (endpoints !== undefined) {
    if (typeof endpoints !== 'object' || endpoints === null) throw new Error(`${source}.endpoints must be an object ${HINT}`);
    out.endpoints = Object.fromEntries(
      Object.entries(endpoints).map(([label, goal]) => [
        label,
        {
          p95Ms: numberField(goal, 'p95Ms', `${source}.endpoints["${label}"]`, false),
          p99Ms: numberField(goal, 'p99Ms', `${source}.endpoints["${label}"]`, false),
        },
      ]),
    );
  }
  return out as ReportThresholds;
}

const text = (s: Json, field: string): string | undefined => (typeof s?.[field] === 'string' ? (s[field] as string) : undefined);

/**
 * A plan summary (`<scenario>.summary.json`) as a report target: all shards' requests/min, the
 * ramp-up and length, each endpoint's share, the sizing and the thresholds. Throws an Error
 * naming the field when the file is not one.
 */
export function targetFromTestPlanSummary(summary: unknown, source: string): ReportTarget {
  const s = summary as Json;
  const shards = numberField(s, 'shards', source, true);
  const perShard = numberField(s, 'targetRpmPerShard', source, true);
  const rampUpSec = numberField(s, 'rampUpSec', source, true);
  const requestsPerMinute = Math.round(shards * perShard * 1000) / 1000;
  const endpoints = Array.isArray(s?.endpoints) ? (s.endpoints as { label?: unknown; share?: unknown }[]) : [];
  const byLabel: Record<string, number> = {};
  for (const e of endpoints) {
    if (typeof e.label === 'string' && typeof e.share === 'number')
      byLabel[e.label] = Math.round(requestsPerMinute * e.share * 1000) / 1000;
  }
  const optional = {
    scenario: text(s, 'scenario'),
    environment: text(s, 'environment'),
    shards,
    tokensPerShard: numberField(s, 'tokensPerShard', source, false),
    threadsPerShard: numberField(s, 'threadsPerShard', source, false),
    durationSec: numberField(s, 'durationSec', source, false),
    task: taskField(s, source),
    thresholds: s?.thresholds === undefined ? undefined : thresholdsFromJson(s.thresholds, `${source}: thresholds`),
  };
  const defined = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
  return { requestsPerMinute, rampUpSec, byLabel, source, ...defined };
}

/** `bot-analytics on dev: 2 shards x 3 tokens, 300 requests/min` (for titles and the CLI). */
export function planSummaryText(t: ReportTarget): string {
  const who = [t.scenario, t.environment && `on ${t.environment}`].filter(Boolean).join(' ');
  const sizing = t.shards !== undefined && t.tokensPerShard !== undefined ? `${t.shards} shard(s) x ${t.tokensPerShard} token(s), ` : '';
  return `${who ? `${who}: ` : ''}${sizing}${t.requestsPerMinute} requests/min planned`;
}
