/**
 * The security and reliability rules every synthesized stack must pass. Each rule has an id,
 * a one-line reason and where the guidance comes from; a violation names the stack, the
 * resource address, the problem and the fix. Exceptions live in exceptions.ts, each with a reason.
 */
import { GENESYS_AWS_ACCOUNT } from '../config/regions';
import { NODE_RUNTIME_DEPRECATION } from '../lambda/runtime';
import { actionsOf, attachedTo, iamPolicies, parsePolicy, resources, resourcesOfStatement, strings, type IamStatement } from './resources';
import type { PolicyRule, PolicyTarget, Resource, Violation } from './types';
import { isTaggableType } from './taggable';

const violation = (rule: string, t: PolicyTarget, r: Resource, problem: string, fix: string): Violation => ({
  rule,
  stack: t.stack,
  address: r.address,
  problem,
  fix,
});

/** Checks every aws_s3_bucket for one companion resource that satisfies `ok`. */
function bucketRule(
  id: string,
  reason: string,
  guidance: string,
  companion: { type: string; field: string },
  ok: (companion: Resource) => boolean,
  problem: string,
  fix: string,
): PolicyRule {
  return {
    id,
    reason,
    guidance,
    check: (t) =>
      resources(t.json, 'aws_s3_bucket')
        .filter((bucket) => !attachedTo(t.json, companion.type, companion.field, bucket).some(ok))
        .map((bucket) => violation(id, t, bucket, problem, fix)),
  };
}

const S3_GUIDE = 'AWS S3 security best practices (docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html)';

/** The one exception AWS forces: server access log target buckets cannot use SSE-KMS. */
const isAccessLogTarget = (bucket: Resource, t: PolicyTarget): boolean =>
  resources(t.json, 'aws_s3_bucket_logging').some((l) =>
    JSON.stringify(l.body.target_bucket ?? '').includes(`${bucket.type}.${bucket.name}.`),
  );

const secureTransportDeny = (s: IamStatement): boolean => {
  const bool = s.Condition?.Bool as Record<string, unknown> | undefined;
  return s.Effect === 'Deny' && bool !== undefined && String(bool['aws:SecureTransport']) === 'false';
};

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

const SECRET_KEY = /(secret|password|passwd|private_?key|api_?key|access_?key|token)$/i;
const SAFE_SECRET_KEYS =
  /(_arn|_name|_id|_ids|_version|_window_in_days|expose_client_secret|_validity_seconds|_sec|_seconds|kms_key.*|_type)$/i;
const SECRET_VALUE_PATTERNS: [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\b(ghp|gho|ghs|github_pat)_[A-Za-z0-9_]{20,}\b/, 'a GitHub token'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}\b/, 'a Slack token'],
];
const isReference = (v: string): boolean => /\$\{[^}]+\}/.test(v);

export const RULES: readonly PolicyRule[] = [
  {
    id: 'S3-002',
    reason: 'Archived recordings and results are encrypted with the customer-managed key.',
    guidance: `${S3_GUIDE}; SSE-KMS. Exception: server access log targets support SSE-S3 only (AWS S3 server access logging docs)`,
    check: (t) =>
      resources(t.json, 'aws_s3_bucket').flatMap((bucket) => {
        const algos = attachedTo(t.json, 'aws_s3_bucket_server_side_encryption_configuration', 'bucket', bucket).flatMap((c) =>
          ((c.body.rule as { apply_server_side_encryption_by_default?: { sse_algorithm?: string } }[]) ?? []).map(
            (r) => r.apply_server_side_encryption_by_default?.sse_algorithm,
          ),
        );
        if (algos.some((a) => a === 'aws:kms' || a === 'aws:kms:dsse')) return [];
        if (algos.includes('AES256') && isAccessLogTarget(bucket, t)) return [];
        return [
          violation(
            'S3-002',
            t,
            bucket,
            `is not encrypted with SSE-KMS (found ${algos.join(', ') || 'no encryption configuration'})`,
            'add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms, the archive key and bucket_key_enabled',
          ),
        ];
      }),
  },
  bucketRule(
    'S3-004',
    'Data must only move over TLS.',
    `${S3_GUIDE}; enforce encryption of data in transit (aws:SecureTransport)`,
    { type: 'aws_s3_bucket_policy', field: 'bucket' },
    (p) => (parsePolicy(p.body.policy) ?? []).some(secureTransportDeny),
    'has no bucket policy denying requests without TLS',
    'add a Deny statement for s3:* with Condition Bool aws:SecureTransport = false',
  ),
  {
    id: 'KMS-002',
    reason: 'Only the account root may hold kms:* on a key; everyone else gets named actions.',
    guidance: 'AWS KMS key policies: default key policy and least privilege',
    check: (t) =>
      iamPolicies(t.json)
        .filter((p) => p.kind === 'key')
        .flatMap((p) =>
          (p.statements ?? [])
            .filter((s) => s.Effect !== 'Deny' && actionsOf(s).some((a) => a === 'kms:*' || a === '*'))
            .filter(
              (s) =>
                !/^arn:aws[a-z-]*:iam::(\d{12}|\$\{[^}]+\}):root$/.test(String((s.Principal as { AWS?: unknown } | undefined)?.AWS ?? '')),
            )
            .map(() =>
              violation(
                'KMS-002',
                t,
                p.resource,
                'grants kms:* to a principal other than the account root',
                'grant the named kms actions the principal needs (kms:Decrypt, kms:GenerateDataKey, ...)',
              ),
            ),
        ),
  },
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
        .filter((r) => /AdministratorAccess|PowerUserAccess|IAMFullAccess/.test(JSON.stringify(r.body)))
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
  {
    id: 'SQS-002',
    reason: 'An event that fails repeatedly lands in a dead-letter queue instead of being lost or retried forever.',
    guidance: 'AWS Lambda with SQS: configure a dead-letter queue on the source queue',
    check: (t) => {
      const queues = resources(t.json, 'aws_sqs_queue');
      return resources(t.json, 'aws_lambda_event_source_mapping').flatMap((m) =>
        queues
          .filter((q) => JSON.stringify(m.body.event_source_arn ?? '').includes(`${q.type}.${q.name}.`))
          .filter((q) => !q.body.redrive_policy)
          .map((q) =>
            violation(
              'SQS-002',
              t,
              q,
              `feeds ${m.address} but has no dead-letter queue`,
              'set redrive_policy with deadLetterTargetArn and maxReceiveCount <= 5',
            ),
          ),
      );
    },
  },
  {
    id: 'LAMBDA-002',
    reason: 'Function logs have a retention so they neither vanish nor grow forever.',
    guidance: 'AWS Lambda: create the log group with a retention before the function',
    check: (t) =>
      resources(t.json, 'aws_lambda_function').flatMap((f) => {
        const expected = `/aws/lambda/${String(f.body.function_name)}`;
        const groups = resources(t.json, 'aws_cloudwatch_log_group');
        const configured = (f.body.logging_config as { log_group?: string } | undefined)?.log_group;
        const match = groups.find(
          (g) => g.body.name === expected || (configured !== undefined && configured.includes(`${g.type}.${g.name}.`)),
        );
        if (match && typeof match.body.retention_in_days === 'number') return [];
        return [
          violation(
            'LAMBDA-002',
            t,
            f,
            `has no log group ${expected} with a retention`,
            'create the log group with retention_in_days (NodeFunction does)',
          ),
        ];
      }),
  },
  {
    id: 'LAMBDA-003',
    reason: 'Secrets are read from Secrets Manager at run time, never placed in environment variables.',
    guidance: 'AWS Lambda: securing environment variables',
    check: (t) =>
      resources(t.json, 'aws_lambda_function').flatMap((f) =>
        Object.entries(
          ((f.body.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {}) as Record<string, unknown>,
        )
          .filter(([name, value]) => {
            const text = String(value);
            const secretName = SECRET_KEY.test(name) && !/_(ARN|NAME|ID)$/i.test(name);
            return secretName || SECRET_VALUE_PATTERNS.some(([re]) => re.test(text));
          })
          .map(([name]) =>
            violation(
              'LAMBDA-003',
              t,
              f,
              `environment variable ${name} looks like a secret`,
              'store it in Secrets Manager and pass the secret ARN (…_SECRET_ARN) instead',
            ),
          ),
      ),
  },
  {
    id: 'LAMBDA-004',
    reason: 'Functions run on a Node.js runtime AWS still supports: a deprecated one cannot be created, so a fresh deploy fails.',
    guidance: 'AWS Lambda developer guide: Lambda runtimes, deprecation dates (NODE_RUNTIME_DEPRECATION)',
    check: (t) =>
      resources(t.json, 'aws_lambda_function').flatMap((f) => {
        const runtime = String(f.body.runtime ?? '');
        const deprecated = NODE_RUNTIME_DEPRECATION[runtime];
        const today = (t.now ?? new Date()).toISOString().slice(0, 10);
        if (deprecated !== undefined && deprecated > today) return [];
        const supported = Object.entries(NODE_RUNTIME_DEPRECATION)
          .filter(([, day]) => day > today)
          .map(([r]) => r);
        return [
          violation(
            'LAMBDA-004',
            t,
            f,
            deprecated ? `runs ${runtime}, deprecated since ${deprecated}` : `runs ${runtime || 'no runtime'}, not a known Node.js runtime`,
            `use ${supported.join(' or ') || 'a supported Node.js runtime'} (LAMBDA_RUNTIME in lib/lambda/runtime.ts)`,
          ),
        ];
      }),
  },
  {
    id: 'ECS-001',
    reason: 'Load generators run unprivileged, read-only where possible, with logs.',
    guidance: 'Amazon ECS best practices: task definition security (privileged, readonlyRootFilesystem, logConfiguration)',
    check: (t) =>
      resources(t.json, 'aws_ecs_task_definition').flatMap((td) => {
        let containers: {
          name?: string;
          privileged?: boolean;
          readonlyRootFilesystem?: boolean;
          logConfiguration?: { logDriver?: string };
        }[];
        try {
          containers = JSON.parse(String(td.body.container_definitions));
        } catch {
          return [
            violation('ECS-001', t, td, 'has container definitions that are not JSON', 'render container_definitions with JSON.stringify'),
          ];
        }
        return containers.flatMap((c) => [
          ...(c.privileged ? [violation('ECS-001', t, td, `container ${c.name} is privileged`, 'remove privileged')] : []),
          ...(c.readonlyRootFilesystem !== true
            ? [
                violation(
                  'ECS-001',
                  t,
                  td,
                  `container ${c.name} has a writable root filesystem`,
                  'set readonlyRootFilesystem and mount volumes for the paths it writes',
                ),
              ]
            : []),
          ...(!c.logConfiguration?.logDriver
            ? [
                violation(
                  'ECS-001',
                  t,
                  td,
                  `container ${c.name} has no log configuration`,
                  'set logConfiguration (awslogs) to the runners log group',
                ),
              ]
            : []),
        ]);
      }),
  },
  {
    id: 'NET-001',
    reason: 'Nothing costs money while idle: no NAT gateway.',
    guidance: 'genesys-loadlab cost policy; Amazon VPC pricing (NAT gateways bill per hour)',
    check: (t) =>
      resources(t.json, 'aws_nat_gateway').map((n) =>
        violation('NET-001', t, n, 'is a NAT gateway', 'run tasks in public subnets with public IPs and egress-only security groups'),
      ),
  },
  {
    id: 'NET-002',
    reason: 'Nothing accepts inbound traffic from the internet.',
    guidance: 'AWS security groups: restrict ingress; CIS AWS Foundations 5.2',
    check: (t) => {
      const open = (cidrs: unknown): boolean =>
        JSON.stringify(cidrs ?? '').includes('0.0.0.0/0') || JSON.stringify(cidrs ?? '').includes('::/0');
      return [
        ...resources(t.json, 'aws_security_group').filter((sg) =>
          ((sg.body.ingress as { cidr_blocks?: unknown; ipv6_cidr_blocks?: unknown }[]) ?? []).some(
            (i) => open(i.cidr_blocks) || open(i.ipv6_cidr_blocks),
          ),
        ),
        ...resources(t.json, 'aws_vpc_security_group_ingress_rule').filter((r) => open(r.body.cidr_ipv4) || open(r.body.cidr_ipv6)),
        ...resources(t.json, 'aws_security_group_rule').filter(
          (r) => r.body.type === 'ingress' && (open(r.body.cidr_blocks) || open(r.body.ipv6_cidr_blocks)),
        ),
      ].map((r) => violation('NET-002', t, r, 'allows ingress from anywhere', 'remove the ingress rule (runners need egress only)'));
    },
  },
  {
    id: 'GEN-001',
    reason: 'Genesys Cloud roles name every permission; no wildcard domain, entity or action.',
    guidance: 'Genesys Cloud roles and permissions (least privilege); provider genesyscloud_auth_role',
    check: (t) =>
      resources(t.json, 'genesyscloud_auth_role').flatMap((role) => {
        const policies = (role.body.permission_policies as { domain?: string; entity_name?: string; action_set?: string[] }[]) ?? [];
        const bad = policies.filter((p) => [p.domain, p.entity_name, ...(p.action_set ?? [])].some((v) => String(v).includes('*')));
        const badPermissions = ((role.body.permissions as string[]) ?? []).filter((p) => p.includes('*'));
        return [...bad.map((p) => `${p.domain}:${p.entity_name}:${(p.action_set ?? []).join(',')}`), ...badPermissions].map((p) =>
          violation(
            'GEN-001',
            t,
            role,
            `grants wildcard permission ${p}`,
            'list the exact domain:entity:action the caller needs (lib/genesys-api/endpoints.ts)',
          ),
        );
      }),
  },
  {
    id: 'GEN-002',
    reason: 'Machine callers use client credentials with explicit roles.',
    guidance: 'Genesys Cloud OAuth client credentials grant; provider genesyscloud_oauth_client (roles required for CLIENT-CREDENTIALS)',
    check: (t) =>
      resources(t.json, 'genesyscloud_oauth_client')
        .filter(
          (c) =>
            c.body.authorized_grant_type !== 'CLIENT-CREDENTIALS' ||
            !Array.isArray(c.body.roles) ||
            (c.body.roles as unknown[]).length === 0,
        )
        .map((c) =>
          violation(
            'GEN-002',
            t,
            c,
            'is not a CLIENT-CREDENTIALS client with roles',
            'set authorized_grant_type = CLIENT-CREDENTIALS and bind its role(s)',
          ),
        ),
  },
  {
    id: 'GEN-003',
    reason: 'Tokens expire within the environment policy maximum.',
    guidance: 'Genesys Cloud OAuth: access_token_validity_seconds (300-172800)',
    check: (t) =>
      resources(t.json, 'genesyscloud_oauth_client')
        .filter(
          (c) =>
            typeof c.body.access_token_validity_seconds !== 'number' ||
            (c.body.access_token_validity_seconds as number) > t.maxTokenValiditySec,
        )
        .map((c) =>
          violation(
            'GEN-003',
            t,
            c,
            `token validity ${String(c.body.access_token_validity_seconds ?? 'unset (86400)')} exceeds ${t.maxTokenValiditySec} s`,
            'set access_token_validity_seconds <= genesys.tokenValiditySec.max',
          ),
        ),
  },
  {
    id: 'SEC-001',
    reason: 'No secret value is ever written into synthesized Terraform.',
    guidance: 'AWS Secrets Manager best practices; Terraform: sensitive values',
    check: (t) => {
      const found: Violation[] = [];
      const inspect = (r: Resource | { address: string }, value: unknown): void => {
        for (const s of strings(value)) {
          const key = s.path
            .split('.')
            .pop()!
            .replace(/\[\d+\]$/, '');
          for (const [re, what] of SECRET_VALUE_PATTERNS) {
            if (re.test(s.value))
              found.push({
                rule: 'SEC-001',
                stack: t.stack,
                address: r.address,
                problem: `${s.path} contains ${what}`,
                fix: 'move it to Secrets Manager and reference it',
              });
          }
          if (SECRET_KEY.test(key) && !SAFE_SECRET_KEYS.test(key) && s.value !== '' && !isReference(s.value)) {
            found.push({
              rule: 'SEC-001',
              stack: t.stack,
              address: r.address,
              problem: `${s.path} is a literal secret`,
              fix: 'reference the secret (e.g. the OAuth client attribute) instead of writing it',
            });
          }
          if (/^\s*[{[]/.test(s.value)) {
            try {
              inspect({ address: `${r.address} (${s.path})` }, JSON.parse(s.value));
            } catch {
              // Not JSON: already checked as a string.
            }
          }
        }
      };
      for (const r of resources(t.json)) inspect(r, r.body);
      for (const [name, body] of Object.entries(t.json.output ?? {})) inspect({ address: `output.${name}` }, body);
      for (const [name, blocks] of Object.entries(t.json.provider ?? {})) inspect({ address: `provider.${name}` }, blocks);
      return found;
    },
  },
  {
    id: 'SEC-002',
    reason: 'Outputs that carry secrets are marked sensitive, so plans and logs never print them.',
    guidance: 'Terraform: output sensitive = true',
    check: (t) =>
      Object.entries(t.json.output ?? {})
        .filter(([, o]) => /client_secret|clientSecret|secret_string/.test(JSON.stringify(o.value ?? '')) && o.sensitive !== true)
        .map(([name]) => ({
          rule: 'SEC-002',
          stack: t.stack,
          address: `output.${name}`,
          problem: 'exposes a secret without sensitive = true',
          fix: 'mark the output sensitive',
        })),
  },
  {
    id: 'TAG-001',
    reason: 'Every resource says which project, environment, stack and owner it belongs to (and when it expires).',
    guidance: 'AWS tagging best practices; genesys-loadlab janitor (expires-at)',
    check: (t) =>
      resources(t.json)
        .filter((r) => isTaggableType(r.type))
        .flatMap((r) => {
          const tags = (r.body.tags ?? {}) as Record<string, string>;
          const missing = t.requiredTags.filter((k) => !(k in tags));
          return missing.length
            ? [
                violation(
                  'TAG-001',
                  t,
                  r,
                  `lacks tags ${missing.join(', ')}`,
                  'let the stack tagging aspect tag it (do not replace tags wholesale)',
                ),
              ]
            : [];
        }),
  },
];
