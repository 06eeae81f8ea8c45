import { RULES } from './rules';
import { EXCEPTIONS } from './exceptions';
import type { PolicyTarget, Violation } from './types';

export * from './types';
export { RULES } from './rules';
export { EXCEPTIONS } from './exceptions';
export { RETIRED_RULES, type RetiredRule } from './retired';

/** Runs every rule over a stack, minus the documented exceptions. */
export function checkPolicies(target: PolicyTarget, rules = RULES): Violation[] {
  return rules.flatMap((rule) => rule.check(target)).filter((v) => !EXCEPTIONS.some((e) => e.rule === v.rule && e.applies(v, target)));
}

/** `example-runners aws_s3_bucket.x [S3-001] problem — fix: …` */
export const formatViolation = (v: Violation): string => `${v.stack} ${v.address} [${v.rule}] ${v.problem} — fix: ${v.fix}`;
