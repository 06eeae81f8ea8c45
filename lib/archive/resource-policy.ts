import { oneOrList, renderPolicyDocument, type PolicyStatement } from '../iam/policy';

/** Who a resource-policy statement applies to: anyone (`*`, for denies) or named principals. */
export type Principal = '*' | { readonly AWS?: readonly string[]; readonly Service?: readonly string[] };

/** A statement of a resource policy (bucket or key policy): an identity statement plus a principal. */
export interface ResourcePolicyStatement extends PolicyStatement {
  readonly principal: Principal;
}

/** Renders a bucket or key policy. References stay inside the strings and resolve at plan time. */
export function toResourcePolicyJson(statements: readonly ResourcePolicyStatement[]): string {
  return renderPolicyDocument(statements, ({ principal }) =>
    principal === '*'
      ? '*'
      : {
          ...(principal.AWS ? { AWS: oneOrList(principal.AWS) } : {}),
          ...(principal.Service ? { Service: oneOrList(principal.Service) } : {}),
        },
  );
}

/** `arn:<partition>:iam::<account>:root` — the account itself as a principal. */
export const accountRootArn = (partition: string, accountId: string): string => `arn:${partition}:iam::${accountId}:root`;
