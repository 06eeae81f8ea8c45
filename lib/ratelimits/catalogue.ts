/**
 * The limit catalogue (lib/genesys-facts/limits.ts) with an environment's overrides applied, and
 * the lookups the planner and the simulator use.
 */
import { ConfigError } from '../config/errors';
import { LIMIT_CATALOGUE, type LimitSpec } from '../genesys-facts/limits';

export interface ResolvedLimit extends LimitSpec {
  /** True when the environment overrides the catalogue value. */
  readonly overridden: boolean;
  /** The catalogue default (equal to `value` unless overridden). */
  readonly defaultValue: number;
}

/**
 * The catalogue with an environment's overrides applied. An override for a name the catalogue
 * does not know is a ConfigError (almost always a typo, and the planner could not use it anyway).
 */
export function resolveLimits(
  overrides: Readonly<Record<string, number>> = {},
  catalogue: readonly LimitSpec[] = LIMIT_CATALOGUE,
): ResolvedLimit[] {
  const unknown = Object.keys(overrides).filter((name) => !catalogue.some((s) => s.name === name));
  const bad = Object.entries(overrides).filter(([, v]) => !(Number.isInteger(v) && v > 0));
  if (unknown.length || bad.length) {
    throw new ConfigError([
      ...unknown.map(
        (name) =>
          `genesys.limits.${name} is not a limit genesys-loadlab knows; use one of ${catalogue.map((s) => s.name).join(', ')} (or add it to lib/genesys-facts/limits.ts)`,
      ),
      ...bad.map(([name, v]) => `genesys.limits.${name} must be a positive integer (got ${JSON.stringify(v)})`),
    ]);
  }
  return catalogue.map((spec) =>
    spec.name in overrides
      ? { ...spec, value: overrides[spec.name], overridden: true, defaultValue: spec.value }
      : { ...spec, overridden: false, defaultValue: spec.value },
  );
}

export function findLimit(limits: readonly ResolvedLimit[], name: string): ResolvedLimit {
  const limit = limits.find((l) => l.name === name);
  if (!limit) throw new Error(`limit ${name} is not in the catalogue`);
  return limit;
}

export function limitValue(limits: readonly ResolvedLimit[], name: string): number {
  return findLimit(limits, name).value;
}

/** `METHOD /path` entries of `appliesTo` that match an endpoint (templates match concrete paths). */
export function limitAppliesTo(spec: LimitSpec, method: string, path: string): boolean {
  const bare = path.split('?')[0].replace(/\/+$/, '');
  return spec.appliesTo.some((entry) => {
    const m = /^(GET|POST|PUT|PATCH|DELETE) (\/\S+)$/.exec(entry);
    if (!m || m[1] !== method.toUpperCase()) return false;
    return sameTemplate(m[2], bare);
  });
}

/** Segment-wise comparison where `{x}` on either side matches any one segment. */
export function sameTemplate(a: string, b: string): boolean {
  const sa = a.split('/');
  const sb = b.split('/');
  if (sa.length !== sb.length) return false;
  const isParam = (s: string): boolean => /^\{[^/]+\}$/.test(s);
  return sa.every((seg, i) => seg === sb[i] || isParam(seg) || isParam(sb[i]));
}
