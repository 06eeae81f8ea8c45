import type { PolicyTarget, Violation } from './types';

export interface PolicyException {
  readonly rule: string;
  /** Why this is acceptable; reviewed with the rules in docs/security.md. */
  readonly reason: string;
  applies(violation: Violation, target: PolicyTarget): boolean;
}

/**
 * Deliberate exceptions to the policy rules. Add one only with a reason a reviewer can check,
 * and make `applies` as narrow as possible.
 */
export const EXCEPTIONS: readonly PolicyException[] = [];
