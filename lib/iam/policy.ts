/**
 * IAM policy statements as plain data, rendered to JSON at synth time. Terraform references
 * (`${aws_s3_bucket.x.arn}`) stay inside the strings and resolve at plan time, so the
 * synthesized JSON shows every action and resource for review and for the policy suite.
 */
export interface PolicyStatement {
  readonly sid?: string;
  readonly effect?: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** `{ StringEquals: { 'sts:ExternalId': '...' } }` */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string | readonly string[] | boolean>>>>;
}

/** IAM's own shorthand: a lone value stands as a string, several as a list. */
export const oneOrList = (values: readonly string[]): string | string[] => (values.length === 1 ? values[0] : [...values]);

/**
 * Renders a policy document. `principalOf` is for resource policies (bucket, key, queue), whose
 * statements name a Principal between Effect and Action; identity policies have none.
 */
export function renderPolicyDocument<S extends PolicyStatement>(statements: readonly S[], principalOf?: (statement: S) => unknown): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({
      ...(s.sid ? { Sid: s.sid } : {}),
      Effect: s.effect ?? 'Allow',
      ...(principalOf ? { Principal: principalOf(s) } : {}),
      Action: oneOrList(s.actions),
      Resource: oneOrList(s.resources),
      ...(s.conditions ? { Condition: s.conditions } : {}),
    })),
  });
}

/** Renders an identity policy (a role's inline policy). */
export function toPolicyJson(statements: readonly PolicyStatement[]): string {
  return renderPolicyDocument(statements);
}

/** A trust policy letting one AWS service assume a role. */
export function serviceTrustPolicy(service: string, conditions?: PolicyStatement['conditions']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...(conditions ? { Condition: conditions } : {}) },
    ],
  });
}

/** Anything permissions can be granted to: a role that collects statements into its policy. */
export interface IGrantable {
  readonly roleArn: string;
  readonly roleName: string;
  addToPolicy(statement: PolicyStatement): void;
}
