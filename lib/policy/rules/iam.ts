/** IAM rules: no wildcard actions or resources, no administrator policies, narrow trust. */
import { GENESYS_AWS_ACCOUNT } from '../../config/regions';
import { actionsOf, iamPolicies, parsePolicy, resources, resourcesOfStatement, strings } from '../resources';
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
};

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
              'trust exactly one service principal, or the Genesys Cloud account with an sts:ExternalId condition',
            ),
          );
      }),
  },
];
