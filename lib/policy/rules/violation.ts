import type { PolicyTarget, Resource, Violation } from '../types';

/** A violation of `rule` by one resource of the target stack. */
export const violation = (rule: string, t: PolicyTarget, r: Resource, problem: string, fix: string): Violation => ({
  rule,
  stack: t.stack,
  address: r.address,
  problem,
  fix,
});
