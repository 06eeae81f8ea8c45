/** IAM rules: no wildcard actions or resources, no administrator policies, narrow trust. */
import { GENESYS_AWS_ACCOUNT } from '../../config/regions';
import { actionsOf, iamPolicies, parsePolicy, resourcesOfStatement } from '../resources';
import { resources, strings } from '../terraform-json';
import type { PolicyRule } from '../types';
import { violation } from './violation';

/**
 * Actions that accept no resource-level permission, so `Resource: "*"` is the only form AWS allows.
 * Keep this list short; every entry says why.
 */
export const STAR_RESOURCE_ALLOWED_ACTIONS: Readonly<Record<string, string>> = {
  // ECR registry authentication is account-wide; the service defines no resource for it.
  'ecr:GetAuthorizationToken': 'no resource type (ECR authorization tokens are per registry)',
  // CloudWatch custom metrics have no resource ARN; scope with the cloudwatch:namespace condition instead.
  'cloudwatch:PutMetricData': 'no resource type (scope with cloudwatch:namespace)',
  // ListTasks is scoped with the ecs:cluster condition key, not a resource.
  'ecs:ListTasks': 'no task resource before listing (scope with the ecs:cluster condition)',
  // Step Functions log delivery (vended logs): these CloudWatch Logs actions support no
  // resource-level permissions (Step Functions developer guide, "IAM policies for logging").
  'logs:CreateLogDelivery': 'vended-log delivery actions have no resource type',
  'logs:GetLogDelivery': 'vended-log delivery actions have no resource type',
  'logs:UpdateLogDelivery': 'vended-log delivery actions have no resource type',
  'logs:DeleteLogDelivery': 'vended-log delivery actions have no resource type',
  'logs:ListLogDeliveries': 'vended-log delivery actions have no resource type',
  'logs:PutResourcePolicy': 'account-level log resource policy, needed for vended-log delivery',
  'logs:DescribeResourcePolicies': 'account-level list, no resource type',
  'logs:DescribeLogGroups': 'account-level list, no resource type',
  // X-Ray trace submission has no resource ARN.
  'xray:PutTraceSegments': 'no resource type',
  'xray:PutTelemetryRecords': 'no resource type',
  // Step Functions tracing reads the account's sampling rules; neither action has a resource type.
  'xray:GetSamplingRules': 'no resource type',
  'xray:GetSamplingTargets': 'no resource type',
  // Terraform's refresh of a VPC and its parts: EC2 Describe calls support no resource-level permissions.
  'ec2:DescribeVpcs': 'EC2 Describe calls have no resource type',
  'ec2:DescribeVpcAttribute': 'EC2 Describe calls have no resource type',
  'ec2:DescribeSubnets': 'EC2 Describe calls have no resource type',
  'ec2:DescribeRouteTables': 'EC2 Describe calls have no resource type',
  'ec2:DescribeInternetGateways': 'EC2 Describe calls have no resource type',
  'ec2:DescribeSecurityGroups': 'EC2 Describe calls have no resource type',
  'ec2:DescribeSecurityGroupRules': 'EC2 Describe calls have no resource type',
  'ec2:DescribeNetworkAcls': 'EC2 Describe calls have no resource type',
  'ec2:DescribeNetworkInterfaces': 'EC2 Describe calls have no resource type',
  'ec2:DescribeAvailabilityZones': 'EC2 Describe calls have no resource type',
  'ec2:DescribeTags': 'EC2 Describe calls have no resource type',
  // Task definitions are registered, described and deregistered without a resource type.
  'ecs:DescribeTaskDefinition': 'no resource type',
  'ecs:RegisterTaskDefinition': 'no resource type',
  'ecs:DeregisterTaskDefinition': 'no resource type',
  'kms:ListAliases': 'account-level list, no resource type',
  'kms:CreateKey': 'a key does not exist before it is created: no resource type',
  'lambda:CreateEventSourceMapping': 'no resource type (scope with lambda:FunctionArn)',
  'lambda:ListEventSourceMappings': 'account-level list, no resource type',
  // The janitor lists tagged resources across services; the Tagging API has no resource type.
  'tag:GetResources': 'no resource type',
};

/** GitHub's OIDC issuer as IAM names it in condition keys. */
const GITHUB_OIDC = 'token.actions.githubusercontent.com';

/** A trust statement for GitHub Actions: the OIDC provider, web identity, our audience and exact subjects. */
function isGithubOidcTrust(s: { Principal?: unknown; Action?: unknown; Condition?: Record<string, unknown> }): boolean {
  const principal = (s.Principal ?? {}) as { Federated?: unknown };
  const equals = (s.Condition?.StringEquals ?? {}) as Record<string, unknown>;
  return (
    Object.keys(principal).length === 1 &&
    typeof principal.Federated === 'string' &&
    /oidc-provider\/token\.actions\.githubusercontent\.com|aws_iam_openid_connect_provider|data\.aws_iam_openid_connect_provider/.test(
      principal.Federated,
    ) &&
    s.Action === 'sts:AssumeRoleWithWebIdentity' &&
    equals[`${GITHUB_OIDC}:aud`] === 'sts.amazonaws.com' &&
    githubSubjects(s).length > 0 &&
    githubSubjects(s).every((sub) => !/[*?]/.test(sub)) &&
    Object.keys(s.Condition ?? {}).every((op) => op === 'StringEquals')
  );
}

/** Every `sub` value a statement matches on, under any condition operator. */
function githubSubjects(s: { Condition?: Record<string, unknown> }): string[] {
  return Object.values(s.Condition ?? {}).flatMap((block) => {
    const v = (block as Record<string, unknown>)[`${GITHUB_OIDC}:sub`];
    return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
  });
}

export const IAM_RULES: readonly PolicyRule[] = [
  {
    id: 'IAM-001',
    reason: 'No identity policy allows every action of a service or of AWS.',
    guidance: 'AWS IAM security best practices: grant least privilege',
    check: (t) =>
      iamPolicies(t.json)
        .filter((p) => p.kind === 'identity')
        .flatMap((p) => {
          if (p.statements === undefined)
            return [
              violation(
                'IAM-001',
                t,
                p.resource,
                'has a policy that is not a readable JSON document',
                'render the policy with toPolicyJson so it can be reviewed',
              ),
            ];
          return p.statements
            .filter((s) => s.Effect !== 'Deny' && (actionsOf(s).some((a) => a.includes('*')) || s.NotAction !== undefined))
            .map((s) =>
              violation(
                'IAM-001',
                t,
                p.resource,
                `allows wildcard actions ${JSON.stringify(s.Action ?? s.NotAction)}`,
                'list the exact actions',
              ),
            );
        }),
  },
  {
    id: 'IAM-002',
    reason: 'No identity policy applies to every resource, except actions that accept no resource.',
    guidance: 'AWS IAM: actions, resources and condition keys (actions without resource types)',
    check: (t) =>
      iamPolicies(t.json)
        .filter((p) => p.kind === 'identity')
        .flatMap((p) =>
          (p.statements ?? [])
            .filter((s) => s.Effect !== 'Deny' && resourcesOfStatement(s).includes('*'))
            .filter((s) => !actionsOf(s).every((a) => a in STAR_RESOURCE_ALLOWED_ACTIONS))
            .map((s) =>
              violation(
                'IAM-002',
                t,
                p.resource,
                `applies ${JSON.stringify(s.Action)} to Resource "*"`,
                `name the resources (ARNs); only ${Object.keys(STAR_RESOURCE_ALLOWED_ACTIONS).join(', ')} may use "*"`,
              ),
            ),
        ),
  },
  {
    id: 'IAM-003',
    reason: 'No role carries an administrator policy.',
    guidance: 'AWS IAM security best practices: avoid AdministratorAccess',
    check: (t) =>
      resources(t.json)
        .filter(
          (r) =>
            r.type === 'aws_iam_role_policy_attachment' ||
            r.type === 'aws_iam_policy_attachment' ||
            r.type === 'aws_iam_role_policy_attachments_exclusive',
        )
        .filter((r) => [...strings(r.body)].some((v) => /AdministratorAccess|PowerUserAccess|IAMFullAccess/.test(v.value)))
        .map((r) =>
          violation('IAM-003', t, r, 'attaches an administrator managed policy', 'grant the named actions the role needs instead'),
        ),
  },
  {
    id: 'IAM-004',
    reason: 'Every role can be assumed by one AWS service, or by Genesys Cloud with the org id as ExternalId.',
    guidance:
      'AWS IAM: confused deputy prevention; Genesys Cloud IAM role trust (account 765628985471 / FedRAMP 325654371633 with sts:ExternalId)',
    check: (t) =>
      resources(t.json, 'aws_iam_role').flatMap((role) => {
        const statements = parsePolicy(role.body.assume_role_policy);
        if (!statements || statements.length === 0)
          return [violation('IAM-004', t, role, 'has no readable trust policy', 'set assume_role_policy to a JSON trust policy')];
        return statements
          .filter((s) => {
            const principal = (s.Principal ?? {}) as { Service?: unknown; AWS?: unknown };
            const keys = Object.keys(principal);
            if (keys.length === 1 && typeof principal.Service === 'string') return false;
            if (isGithubOidcTrust(s)) return false;
            const genesys = Object.values(GENESYS_AWS_ACCOUNT).map((a) => `arn:aws:iam::${a}:root`);
            const externalId = (s.Condition?.StringEquals as Record<string, unknown> | undefined)?.['sts:ExternalId'];
            return !(
              keys.length === 1 &&
              typeof principal.AWS === 'string' &&
              genesys.includes(principal.AWS) &&
              typeof externalId === 'string' &&
              externalId.length > 0
            );
          })
          .map((s) =>
            violation(
              'IAM-004',
              t,
              role,
              `trusts ${JSON.stringify(s.Principal)}`,
              'trust exactly one service principal, the Genesys Cloud account with an sts:ExternalId condition, or GitHub OIDC with exact subjects',
            ),
          );
      }),
  },
  {
    id: 'IAM-005',
    reason: 'A role trusting GitHub Actions names each subject exactly: no wildcard, no StringLike, no missing sub.',
    guidance: 'GitHub: OIDC in AWS (evaluate token.actions.githubusercontent.com:sub); AWS IAM: roles for OIDC federation',
    check: (t) =>
      resources(t.json, 'aws_iam_role').flatMap((role) =>
        (parsePolicy(role.body.assume_role_policy) ?? [])
          .filter(
            (s) =>
              s.Action === 'sts:AssumeRoleWithWebIdentity' ||
              JSON.stringify(s.Principal ?? {}).includes(GITHUB_OIDC) ||
              JSON.stringify(s.Condition ?? {}).includes(GITHUB_OIDC),
          )
          .filter((s) => {
            const subs = githubSubjects(s);
            const operators = Object.keys(s.Condition ?? {});
            return subs.length === 0 || subs.some((sub) => /[*?]/.test(sub)) || operators.some((op) => op !== 'StringEquals');
          })
          .map((s) =>
            violation(
              'IAM-005',
              t,
              role,
              `trusts GitHub subjects ${JSON.stringify(githubSubjects(s))} with ${JSON.stringify(Object.keys(s.Condition ?? {}))}`,
              'name each subject exactly under StringEquals (repo:<owner>/<repo>:pull_request or :environment:<name>)',
            ),
          ),
      ),
  },
];
