import type { PolicyTarget, Violation } from '../types';
import type { Resource } from '../terraform-json';

/** A violation of `rule` by one resource of the target stack. */
export const violation = (rule: string, t: PolicyTarget, r: Resource, problem: string, fix: string): Violation => ({
  rule,
  stack: t.stack,
  address: r.address,
  problem,
  fix,
});
