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
export const EXCEPTIONS: readonly PolicyException[] = [
  {
    rule: 'IAM-001',
    reason:
      'The CI deploy role creates, changes and destroys every resource kind the stacks hold, so it lists whole services; ' +
      'each is scoped to the account and region (IAM roles and S3 buckets to loadlab-*), and its permissions boundary ' +
      'denies the CI identities, IAM users and keys, and the organization (lib/ci/role-policies.ts).',
    applies: (v, t) => t.stack === 'loadlab-ci' && /^aws_iam_(role_policy|policy)\.ci-identities_deploy[-_]/.test(v.address),
  },
];
